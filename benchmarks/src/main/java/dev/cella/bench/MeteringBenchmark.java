package dev.cella.bench;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import java.io.OutputStream;
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
 * What fuel metering costs each engine: each compute workload on the interpreter and on the JIT,
 * in a metered cell (a budget that never runs out) and in an unmetered one
 * ({@link CellConfig.Builder#metered}: no fuel accounted, the interrupt hook still polled at loop
 * back-edges and calls). The cost of metering on an engine is the metered time over the unmetered
 * time of the same workload; select an engine with {@code -p engine=INTERP} or {@code -p engine=JIT}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss16m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 1)
public class MeteringBenchmark {
    @Param({"FIB", "SIEVE", "NBODY", "MATMUL", "CRC32"})
    public Workload workload;

    @Param({"INTERP", "JIT"})
    public EngineKind engine;

    @Param({"true", "false"})
    public boolean metered;

    private Cell cell;
    private long expected;

    @Setup
    public void setUp() {
        cell = Cell.create(Runner.assembled(workload), CellConfig.builder()
                .engine(engine)
                .fuel(Runner.FUEL)
                .metered(metered)
                .stdout(OutputStream.nullOutputStream())
                .stderr(OutputStream.nullOutputStream())
                .build());
        expected = workload.runJava(workload.input);
    }

    @Benchmark
    public long run() {
        long r = cell.call(workload.export(), workload.input)[0];
        if (r != expected) {
            throw new IllegalStateException(workload + " returned " + r + ", expected " + expected);
        }
        return r;
    }
}
