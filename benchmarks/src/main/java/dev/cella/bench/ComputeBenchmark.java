package dev.cella.bench;

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
 * Every workload on every runtime, side by side: plain Java, Cella's interpreter and JIT, and
 * Chicory's interpreter and compiler on the same algorithm and input. Each call's result is
 * checked, so a wrong answer fails the run instead of looking fast.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss16m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 1)
public class ComputeBenchmark {
    @Param({"FIB", "SIEVE", "NBODY", "MATMUL", "CRC32", "HOSTCALL", "INDIRECT"})
    public Workload workload;

    @Param({"JAVA", "CELLA_INTERP", "CELLA_JIT", "CELLA_WASM_INTERP", "CELLA_WASM_JIT", "CHICORY_INTERP", "CHICORY_COMPILER"})
    public Contender runtime;

    private Runner runner;
    private long expected;

    @Setup
    public void setUp() {
        runner = Runner.create(workload, runtime);
        expected = workload.runJava(workload.input);
    }

    @Benchmark
    public long run() {
        long r = runner.run(workload.input);
        if (r != expected) {
            throw new IllegalStateException(workload + " on " + runtime + " returned " + r + ", expected " + expected);
        }
        return r;
    }
}
