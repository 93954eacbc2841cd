package dev.cella.bench;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.RunResult;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a sandbox costs: creating a cell from a loaded module (the image is prepared once, as an
 * embedder serving many requests would), and creating one and running an empty {@code _start}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CellBenchmark {
    /** A module with one page of memory, a WASI import and an empty _start: a typical small guest. */
    static final String EMPTY_START = """
            import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32)
            memory 1
            export memory "memory"
            func _start() {
                ret
            }
            export func _start
            """;

    private CellImage image;
    private CellConfig config;

    @Setup
    public void setUp() {
        Module module = Assembler.assemble(EMPTY_START, "empty.casm");
        Verifier.verify(module);
        image = CellImage.prepare(module, EngineKind.INTERP);
        config = CellConfig.builder()
                .stdout(OutputStream.nullOutputStream())
                .stderr(OutputStream.nullOutputStream())
                .build();
    }

    @Benchmark
    public Cell createCell() {
        Cell cell = Cell.create(image, config);
        cell.close();
        return cell;
    }

    @Benchmark
    public RunResult createAndRunEmptyStart() {
        Cell cell = Cell.create(image, config);
        RunResult r = cell.run();
        if (r.exitStatus() != 0) {
            throw new IllegalStateException("empty _start ended with " + r);
        }
        return r;
    }
}
