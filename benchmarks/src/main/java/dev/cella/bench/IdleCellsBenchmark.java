package dev.cella.bench;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory per idle cell: creates {@code cells} live cells of a small guest (memory-less, so the
 * figure is the sandbox's own overhead; a guest's linear memory adds its pages on top) in the
 * default heap and reads the heap after a full GC. Reported as the auxiliary counter
 * {@code bytesPerCell}; the primary score is the time to create them all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class IdleCellsBenchmark {
    static final String IDLE = """
            import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32)
            func _start() {
                ret
            }
            export func _start
            """;

    @Param({"10000"})
    public int cells;

    private CellImage image;
    private CellConfig config;

    /** Heap bytes per live cell, measured once per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Footprint {
        public long bytesPerCell;

        @Setup(Level.Iteration)
        public void clear() {
            bytesPerCell = 0;
        }
    }

    @Setup
    public void setUp() {
        Module module = Assembler.assemble(IDLE, "idle.casm");
        Verifier.verify(module);
        image = CellImage.prepare(module, EngineKind.INTERP);
        config = CellConfig.builder()
                .stdout(OutputStream.nullOutputStream())
                .stderr(OutputStream.nullOutputStream())
                .build();
    }

    private static long usedHeap() {
        var bean = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return bean.getHeapMemoryUsage().getUsed();
    }

    @Benchmark
    public Cell[] createIdleCells(Footprint footprint) {
        long before = usedHeap();
        Cell[] live = new Cell[cells];
        for (int i = 0; i < cells; i++) {
            live[i] = Cell.create(image, config);
        }
        long after = usedHeap();
        footprint.bytesPerCell = (after - before) / cells;
        for (Cell c : live) {
            c.close();
        }
        return live;
    }
}
