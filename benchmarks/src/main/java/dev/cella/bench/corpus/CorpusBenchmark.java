package dev.cella.bench.corpus;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.RunResult;
import dev.cella.wasm.WasmImporter;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Steady state on corpus programs: one whole run of a program (its timed arguments) per call,
 * in a warmed-up JVM, on Cella's engines and Chicory's compiler. The module is translated (and,
 * for Chicory, compiled) once at setup; each call creates a fresh instance, as a new process
 * would, so the figure is the guest's own speed without JVM start and translation. Each run's
 * output is checked against the expected output. Run from the repository root:
 * {@code bin/bench jmh CorpusBenchmark}. Twenty warm-up shots: C2 keeps compiling a program's
 * functions for 15-20 runs (zlib compression on the JIT: 1,168 ms of CPU in the first run, 67
 * from about the twentieth; Chicory's compiler alike), so fewer measure compilation
 * (docs/performance.md, "Steady state under C2").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss16m"})
@Warmup(iterations = 20)
@Measurement(iterations = 5)
public class CorpusBenchmark {
    @Param({"lua-fib", "lua-mandelbrot", "zlib-compress", "zlib-decompress"})
    public String program;

    @Param({"CELLA_INTERP", "CELLA_JIT", "CELLA_AUTO", "CHICORY_COMPILER"})
    public String runtime;

    private Corpus.Program p;
    private byte[] expected;
    private CellImage image;
    private ChicoryRun chicory;

    @Setup
    public void setUp() {
        p = Corpus.load(Corpus.defaultDir()).stream().filter(x -> x.name().equals(program)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corpus program " + program));
        expected = p.expected(false);
        switch (runtime) {
            case "CELLA_INTERP" -> image = image(EngineKind.INTERP);
            case "CELLA_JIT" -> image = image(EngineKind.JIT);
            case "CELLA_AUTO" -> image = image(EngineKind.AUTO);
            case "CHICORY_COMPILER" -> chicory = new ChicoryRun(p.wasmBytes(), true);
            default -> throw new IllegalArgumentException("runtime " + runtime);
        }
    }

    private CellImage image(EngineKind kind) {
        Module module = WasmImporter.translate(p.wasmBytes());
        return CellImage.of(module, kind);
    }

    @Benchmark
    public int run() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        if (image != null) {
            RunResult r = Cell.create(image, p.config(p.benchArgs(), image.engineKind(), out, OutputStream.nullOutputStream()))
                    .run();
            status = r.exitStatus();
        } else {
            List<String> argv = new ArrayList<>();
            argv.add(p.wasm());
            argv.addAll(p.benchArgs());
            status = chicory.run(argv, p.mountHost(), p.mountGuest(), InputStream.nullInputStream(), out,
                    OutputStream.nullOutputStream());
        }
        if (status != 0 || !Arrays.equals(out.toByteArray(), expected)) {
            throw new IllegalStateException(program + " on " + runtime + ": exit " + status + ", output " + out);
        }
        return status;
    }
}
