package dev.cella.bench;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Quota;
import dev.cella.sandbox.QuotaExceeded;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.CellState;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.sandbox.sched.SchedulerObserver;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The scheduler with many cells, most of them idle: the memory an idle cell costs and the cost
 * of one slice.
 *
 * <p>Setup spawns {@code idleCells} cells of an endless guest, lets each run one slice and parks
 * it (suspended in its interrupt hook, with its virtual thread and interpreter state, where a
 * checkpoint would be taken), then adds {@code busyCells} busy cells. The heap is measured after
 * full collections before spawning, after spawning (cells not started yet) and after parking,
 * and printed per idle cell in the run's log ("10000 idle cells: N bytes each unstarted, M bytes
 * each parked"); the guest has no linear memory, so a real guest adds its pages on top.
 *
 * <ul>
 *   <li>{@code slice}: time per slice of 65,536 units of fuel on one thread. With one busy cell
 *       the cell is picked again at every slice end (bookkeeping only); with two, every slice
 *       ends with a switch to the other cell's virtual thread.
 *   <li>{@code Baseline.guestOnly}: the same fuel run without a scheduler, so that
 *       {@code slice - guestOnly} is the scheduling cost per slice.
 *   <li>{@code spawnAndKill}: creating a cell from a prepared image, spawning it and killing it,
 *       with the idle cells in place.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SchedulerBenchmark {
    /** The finest slice: one poll interval of the engines. */
    static final long SLICE = 65_536;
    /** Slices per benchmark invocation. */
    static final int SLICES_PER_OP = 64;

    static final String SPIN = """
            export func main "_start"
            func main() {
                reg i: i32, one: i32
                i32.const one, 1
            loop:
                i32.add i, i, one
                br loop
            }
            """;

    @Param({"0", "10000"})
    public int idleCells;

    @Param({"1", "2"})
    public int busyCells;

    private CellImage image;
    private CellConfig config;
    private Scheduler scheduler;
    private long unstartedCellBytes;
    private long parkedCellBytes;

    static CellImage spinImage() {
        Module m = Assembler.assemble(SPIN, "spin.casm");
        Verifier.verify(m);
        return CellImage.prepare(m, EngineKind.INTERP);
    }

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        image = spinImage();
        config = CellConfig.builder().build();
        SchedulerObserver parkIdle = new SchedulerObserver() {
            @Override
            public void sliceEnded(Scheduler s, CellHandle cell, long fuel) {
                if (cell.name().startsWith("idle")) {
                    cell.suspend();
                }
            }
        };
        scheduler = Scheduler.builder().threads(1).sliceFuel(SLICE).observer(parkIdle).build();
        long before = usedHeap();
        List<CellHandle> idle = new ArrayList<>(idleCells);
        for (int i = 0; i < idleCells; i++) {
            idle.add(scheduler.spawn(Cell.create(image, config), CellSpec.named("idle-" + i).withSuspended(true)));
        }
        long unstarted = usedHeap();
        for (CellHandle h : idle) {
            h.resume();
        }
        if (!scheduler.awaitIdle(Duration.ofMinutes(10))) {
            throw new IllegalStateException("the idle cells did not park");
        }
        for (CellHandle h : idle) {
            if (h.state() != CellState.SUSPENDED || h.stats().slices() != 1) {
                throw new IllegalStateException(h + " is " + h.state() + " after " + h.stats().slices() + " slices");
            }
        }
        long parked = usedHeap();
        if (idleCells > 0) {
            unstartedCellBytes = (unstarted - before) / idleCells;
            parkedCellBytes = (parked - before) / idleCells;
            System.out.printf("%n%d idle cells: %,d bytes each unstarted, %,d bytes each parked%n", idleCells,
                    unstartedCellBytes, parkedCellBytes);
        }
        scheduler.pause();
        for (int i = 0; i < busyCells; i++) {
            scheduler.spawn(Cell.create(image, config), CellSpec.named("busy-" + i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close();
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Benchmark
    @OperationsPerInvocation(SLICES_PER_OP)
    public long slice() throws InterruptedException {
        scheduler.pauseAt(scheduler.clock() + SLICES_PER_OP * SLICE);
        scheduler.resume();
        if (!scheduler.awaitIdle(Duration.ofMinutes(1))) {
            throw new IllegalStateException("the busy cells did not reach the pause");
        }
        return scheduler.clock();
    }

    @Benchmark
    public CellHandle spawnAndKill() {
        CellHandle h = scheduler.spawn(Cell.create(image, config), CellSpec.named("short").withSuspended(true));
        h.kill();
        return h;
    }

    /** The guest alone: the same fuel as {@code slice}, with no scheduler. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public static class Baseline {
        private Cell cell;

        @Setup(Level.Trial)
        public void setUp() {
            cell = Cell.create(spinImage(), CellConfig.builder().build());
        }

        /** Runs the endless guest for exactly {@code SLICES_PER_OP * SLICE} fuel by giving it that much. */
        @Benchmark
        @OperationsPerInvocation(SLICES_PER_OP)
        public long guestOnly() {
            long before = cell.instance().fuelUsed();
            cell.instance().setFuel(SLICES_PER_OP * SLICE);
            try {
                cell.call("_start");
            } catch (QuotaExceeded e) {
                if (e.quota() != Quota.FUEL) {
                    throw e; // the guest never returns: only running out of the fuel given ends it
                }
            }
            return cell.instance().fuelUsed() - before;
        }
    }
}
