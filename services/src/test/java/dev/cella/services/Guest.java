package dev.cella.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.vm.HostFunction;
import dev.cella.vm.Instance;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A cell with one page of memory and the service calls of a {@link CellServices}, whose calls the
 * tests make directly, exactly as a guest's import would (same host functions, same argument
 * bits, same memory). Scratch strings are laid out from address 1024 up; {@link #reset} starts
 * over.
 */
final class Guest implements AutoCloseable {
    static final Module MODULE;

    static {
        MODULE = Assembler.assemble("memory 2\nexport func main \"_start\"\nfunc main() {\n    ret\n}\n", "guest.casm");
        Verifier.verify(MODULE);
    }

    /** Where call results go: a u32 length at OUT_LEN, a u64 at OUT_U64, a buffer at BUF. */
    static final int OUT_LEN = 16;
    static final int OUT_U64 = 24;
    static final int BUF = 256;
    static final int BUF_CAP = 512;
    /** An address past the end of memory. */
    static final long FAR = 3L << 16;

    final CellServices services;
    private final CellConfig config;
    private final Cell cell;
    private int next = 1024;

    Guest(Services s, String... grants) {
        this(s, Limits.NONE, grants);
    }

    Guest(Services s, Limits quota, String... grants) {
        this.services = s.forCell(java.util.Arrays.stream(grants).map(Grant::parse).toList(), quota);
        this.config = services.addTo(CellConfig.builder()).build();
        this.cell = Cell.create(MODULE, config);
    }

    Instance instance() {
        return cell.instance();
    }

    void reset() {
        next = 1024;
    }

    /** Puts {@code text} (ISO-8859-1) in memory; returns {address, length} as call arguments. */
    long[] str(String text) {
        return bytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    long[] bytes(byte[] b) {
        int at = next;
        instance().memory().write(at, b, 0, b.length);
        next += b.length + 8;
        return new long[] {at, b.length};
    }

    /** Calls {@code module.name} with the arguments, each a long or a long[] pair; returns the errno. */
    int call(ServiceKind kind, String name, Object... args) {
        long[] a = flatten(args);
        for (CellConfig.HostImport h : config.hostFunctions()) {
            if (h.module().equals(kind.module()) && h.name().equals(name)) {
                assertEquals(a.length, h.type().params().size(), kind.module() + "." + name + " arity");
                HostFunction f = h.function();
                return (int) f.call(instance(), a);
            }
        }
        throw new AssertionError("no host function " + kind.module() + "." + name);
    }

    static long[] flatten(Object... args) {
        return java.util.Arrays.stream(args).flatMapToLong(o -> o instanceof long[] p ? java.util.Arrays.stream(p)
                : java.util.stream.LongStream.of(((Number) o).longValue())).toArray();
    }

    int outLen() {
        return instance().memory().readI32(OUT_LEN);
    }

    long outU64() {
        return instance().memory().readI64(OUT_U64);
    }

    String buf() {
        return new String(instance().memory().slice(BUF, outLen()), StandardCharsets.ISO_8859_1);
    }

    /** The output triple (buf, cap, len_out) as call arguments. */
    static long[] out() {
        return new long[] {BUF, BUF_CAP, OUT_LEN};
    }

    List<CellConfig.HostImport> imports() {
        return config.hostFunctions();
    }

    @Override
    public void close() {
        cell.close();
    }
}
