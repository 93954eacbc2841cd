package dev.cella.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * A benchmark workload: one algorithm, one input, three implementations (plain Java, Cella
 * assembly in {@code /casm/NAME.casm}, WebAssembly in {@code /wasm/NAME.wasm} built from the
 * committed {@code .wat}). Each guest exports a function NAME taking the input and returning the
 * checksum; f64 results are compared as raw bits.
 */
public enum Workload {
    FIB(27, true, n -> JavaWorkloads.fib((int) n)),
    SIEVE(1_000_000, true, n -> JavaWorkloads.sieve((int) n)),
    NBODY(20_000, true, n -> Double.doubleToRawLongBits(JavaWorkloads.nbody((int) n))),
    MATMUL(96, true, n -> Double.doubleToRawLongBits(JavaWorkloads.matmul((int) n))),
    CRC32(1_000_000, true, n -> JavaWorkloads.crc32((int) n)),
    HOSTCALL(100_000, false, n -> JavaWorkloads.hostcall((int) n, OutputStream.nullOutputStream())),
    INDIRECT(1_000_000, false, n -> JavaWorkloads.indirect((int) n));

    /** The input every implementation is run with. */
    public final int input;
    /** True for the compute workloads whose geometric mean the speed goals are stated over. */
    public final boolean compute;
    private final LongUnaryOperator java;

    Workload(int input, boolean compute, LongUnaryOperator java) {
        this.input = input;
        this.compute = compute;
        this.java = java;
    }

    /** The exported function's name in the guests. */
    public String export() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The result of the plain Java version as raw bits (f64 results as their long bits). */
    public long runJava(long n) {
        return java.applyAsLong(n);
    }

    /** True if the guest function returns an f64 (results compared as raw bits). */
    public boolean returnsF64() {
        return this == NBODY || this == MATMUL;
    }

    public String casmSource() {
        try (InputStream in = resource("/casm/" + export() + ".casm")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] wasmBinary() {
        try (InputStream in = resource("/wasm/" + export() + ".wasm")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = Workload.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("missing benchmark resource " + path);
        }
        return in;
    }
}
