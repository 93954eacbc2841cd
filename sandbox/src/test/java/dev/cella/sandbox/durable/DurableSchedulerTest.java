package dev.cella.sandbox.durable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.sandbox.sched.SchedulerObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Durable runs as cells of a {@link Scheduler} (a cluster member's scheduler, docs/cluster.md):
 * still exact, sharing the threads by weight, their memory bounded by the pool; and {@link
 * DurableRun#cut()} and the {@link DurableRun.Listener}.
 */
@Timeout(120)
class DurableSchedulerTest {
    private static final Module COUNTER = DurableRunTest.resource("/durable/counter.casm");
    private static final DurablePropertyTest.Uninterrupted EXPECTED =
            DurablePropertyTest.uninterrupted(COUNTER, EngineKind.INTERP);

    /** Grows its memory by 64 pages (4 MiB) and exits with status 0, or 1 if the grow failed. */
    private static final Module GROWER = DurablePropertyTest.assemble("""
            import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
            memory 1
            export func main "_start"
            func main() {
                reg n: i32, old: i32, none: i32, status: i32
                i32.const n, 64
                memory.grow old, n
                i32.const none, -1
                i32.const status, 1
                i32.br_eq old, none, out
                i32.const status, 0
            out:
                call proc_exit, (status)
                unreachable
            }
            """);

    private static DurableRun.Builder counter(Ledger ledger, EngineKind engine) {
        return DurableRun.builder("counter", COUNTER, DurablePropertyTest.config(engine).build()).commitSink(ledger)
                .outputSink(ledger);
    }

    @Test
    void aScheduledRunIsExactAndACutEndsASegmentEarly() {
        Ledger ledger = new Ledger();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger lastStops = new AtomicInteger();
        AtomicReference<DurableRun> run = new AtomicReference<>();
        long segment = 2_000_000;
        try (Scheduler s = Scheduler.builder().threads(1).sliceFuel(50_000).build()) {
            run.set(counter(ledger, EngineKind.JIT).segmentFuel(segment).scheduler(s, CellSpec.named("c"))
                    .listener(new DurableRun.Listener() {
                        @Override
                        public void stopped(boolean last) {
                            if (last) {
                                lastStops.incrementAndGet();
                            }
                        }

                        @Override
                        public void started() {
                            started.incrementAndGet();
                        }
                    })
                    .commitSink(seg -> {
                        if (seg.seq() == 0) {
                            run.get().cut(); // between segments: the next one ends at its first safe point
                        }
                        return ledger.commit(seg);
                    }).build());
            Segment last = run.get().run();
            assertEquals(new Segment.Ending(Outcome.EXITED, 3, null), last.ending().orElseThrow());
            assertEquals(EXPECTED.fuelUsed(), last.fuelUsed());
            assertArrayEquals(EXPECTED.stdout(), ledger.stdout());
            assertArrayEquals(EXPECTED.stderr(), ledger.stderr());
            assertEquals(1, started.get());
            assertEquals(1, lastStops.get());
            long cutSegment = ledger.committed.get(1).fuelUsed() - ledger.committed.get(0).fuelUsed();
            assertTrue(cutSegment < segment / 2, "the cut segment ran " + cutSegment + " units");
            assertTrue(ledger.committed.get(0).fuelUsed() > segment / 2, ledger.committed.stream().map(Segment::fuelUsed).toList().toString());
        }
    }

    @Test
    void scheduledRunsShareTheThreadsByWeight() throws Exception {
        Map<String, Long> fuel = new ConcurrentHashMap<>();
        Map<String, Long> atFirstEnd = new ConcurrentHashMap<>();
        try (Scheduler s = Scheduler.builder().threads(1).sliceFuel(20_000).paused(true).observer(new SchedulerObserver() {
            @Override
            public void sliceEnded(Scheduler sched, CellHandle cell, long used) {
                fuel.merge(cell.name(), used, Long::sum);
            }

            @Override
            public void cellFinished(Scheduler sched, CellHandle cell) {
                if (atFirstEnd.isEmpty()) {
                    atFirstEnd.putAll(fuel);
                    atFirstEnd.put(cell.name(), cell.stats().fuelUsed());
                }
            }
        }).build()) {
            List<Thread> runs = List.of(
                    Thread.ofVirtual().start(() -> counter(new Ledger(), EngineKind.INTERP).segmentFuel(500_000)
                            .scheduler(s, CellSpec.named("light").withWeight(1)).build().run()),
                    Thread.ofVirtual().start(() -> counter(new Ledger(), EngineKind.INTERP).segmentFuel(500_000)
                            .scheduler(s, CellSpec.named("heavy").withWeight(3)).build().run()));
            while (s.liveCells().size() < 2) {
                Thread.sleep(5);
            }
            s.resume();
            for (Thread t : runs) {
                t.join();
            }
        }
        long heavy = atFirstEnd.get("heavy");
        long light = atFirstEnd.getOrDefault("light", 0L);
        assertEquals(EXPECTED.fuelUsed(), heavy, "the heavier cell ends first: " + atFirstEnd);
        double ratio = (double) heavy / light;
        // With equal weights the ratio is 1.00 in every run (measured: 40 of 40). With 3 and 1 it is
        // 2.7-2.9 in a warm JVM but went as low as 1.53 in the first runs of a fresh one (and 1.74 once
        // in CI), so the bound sits between the two: weights ignored fail it, weights honoured pass.
        assertTrue(ratio > 1.3 && ratio < 4.5, "weights 3 and 1 shared one thread " + ratio + " to 1: " + atFirstEnd);
    }

    @Test
    void aScheduledRunsMemoryComesFromThePool() {
        Ledger free = new Ledger();
        Segment alone = DurableRun.builder("grower", GROWER, DurablePropertyTest.config(EngineKind.INTERP).build())
                .commitSink(free).outputSink(free).build().run();
        assertEquals(0, alone.ending().orElseThrow().exitStatus(), "4 MiB is within the cell's own quota");
        try (Scheduler s = Scheduler.builder().threads(1).memoryPool(2L << 20).build()) {
            Ledger ledger = new Ledger();
            Segment last = DurableRun.builder("grower", GROWER, DurablePropertyTest.config(EngineKind.INTERP).build())
                    .commitSink(ledger).outputSink(ledger).scheduler(s, CellSpec.named("grower")).build().run();
            assertEquals(new Segment.Ending(Outcome.EXITED, 1, null), last.ending().orElseThrow(),
                    "the grow past the 2 MiB pool fails in the guest");
            assertEquals(0, s.memoryPool().used(), "the cell's memory went back to the pool");
        }
    }
}
