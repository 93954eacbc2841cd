package dev.cella.sandbox.sched;

import static dev.cella.sandbox.sched.SchedGuests.LONG;
import static dev.cella.sandbox.sched.SchedGuests.cell;
import static dev.cella.sandbox.sched.SchedGuests.deterministic;
import static dev.cella.sandbox.sched.SchedGuests.grower;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The memory pool: a shared pool with per-cell caps (fair share) and fixed partitions (static). */
class MemoryPoolTest {
    private static final long PAGE = 65_536;
    private static final long SLICE = 65_536;

    @Test
    void reservationsNeverPassTheCapacity() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200))
                .forAll(lists().of(integers().between(-40, 40)).ofSizeBetween(0, 60))
                .checkAssert(ops -> {
                    MemoryPool pool = new MemoryPool(100);
                    Deque<Long> held = new ArrayDeque<>();
                    long model = 0;
                    for (int op : ops) {
                        if (op >= 0) {
                            boolean fits = model + op <= 100;
                            assertEquals(fits, pool.tryReserve(op), "reserve " + op + " with " + model + " used");
                            if (fits) {
                                held.push((long) op);
                                model += op;
                            }
                        } else if (!held.isEmpty()) {
                            long back = held.pop();
                            pool.release(back);
                            model -= back;
                        }
                        assertEquals(model, pool.used());
                    }
                });
    }

    @Test
    void releasingMoreThanReservedIsABookkeepingError() {
        MemoryPool pool = new MemoryPool(10);
        assertTrue(pool.tryReserve(4));
        assertThrows(IllegalStateException.class, () -> pool.release(5));
        assertEquals(4, pool.used(), "a refused release changes nothing");
        assertThrows(SchedulerException.class, () -> new MemoryPool(-1));
    }

    @Test
    void concurrentReservationsAddUp() throws InterruptedException {
        MemoryPool pool = new MemoryPool(1_000);
        AtomicLong granted = new AtomicLong();
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (pool.tryReserve(3)) {
                        granted.addAndGet(3);
                        if (i % 2 == 0) {
                            pool.release(3);
                            granted.addAndGet(-3);
                        }
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(granted.get(), pool.used());
        assertTrue(pool.used() <= 1_000);
        assertFalse(pool.tryReserve(1_000 - pool.used() + 1));
    }

    @Test
    void aGrowThePoolCannotHoldFailsForThatCellAlone() throws InterruptedException {
        Module g = grower(300_000);
        CellConfig threeMiB = CellConfig.builder().memoryLimit(48 * PAGE).build();
        SchedulerObserver watch = new SchedulerObserver() {
            @Override
            public void sliceEnded(Scheduler s, CellHandle cell, long fuel) {
                assertTrue(s.memoryPool().used() <= s.memoryPool().capacity());
            }
        };
        try (Scheduler s = deterministic(SLICE).memoryPool(64 * PAGE).observer(watch).build()) {
            CellHandle a = s.spawn(cell(g, threeMiB), CellSpec.named("a"));
            CellHandle b = s.spawn(cell(g, threeMiB), CellSpec.named("b"));
            assertEquals(2 * PAGE, s.memoryPool().used(), "each cell's initial page is reserved at spawn");
            s.resume();
            RunResult ra = a.await(LONG);
            RunResult rb = b.await(LONG);
            // Growth is charged per byte (docs/engines.md), so the two interleave slice by slice;
            // whoever grows first, the pool's 64 pages end up split between them.
            assertEquals(Outcome.EXITED, ra.outcome(), "a goes on after its grow failed");
            assertEquals(Outcome.EXITED, rb.outcome(), "b goes on after its grow failed");
            assertEquals(64, ra.exitStatus() + rb.exitStatus(), "together they filled the pool");
            assertTrue(ra.exitStatus() <= 48 && rb.exitStatus() <= 48, "neither passed its cap");
            assertTrue(a.stats().growsRefused() >= 1 && b.stats().growsRefused() >= 1);
            assertEquals(rb.exitStatus() * PAGE, b.stats().peakMemoryBytes());
            assertEquals(0, s.memoryPool().used(), "finished cells give all their memory back");
        }
    }

    @Test
    void staticPartitionsAreReservedWholeAtSpawn() throws InterruptedException {
        Module g = grower(10_000);
        try (Scheduler s = deterministic(SLICE).policy(SchedulingPolicy.STATIC).virtualIdle(true)
                .memoryPool(64 * PAGE).build()) {
            CellHandle a = s.spawn(cell(g), CellSpec.named("a").withShare(0.4).withMemory(40 * PAGE));
            assertEquals(40 * PAGE, s.memoryPool().used(), "the whole partition is reserved");
            SchedulerException full = assertThrows(SchedulerException.class,
                    () -> s.spawn(cell(g), CellSpec.named("b").withShare(0.4).withMemory(40 * PAGE)));
            assertTrue(full.getMessage().contains("memory pool of 4194304 bytes cannot hold its partition of 2621440"
                    + " bytes (2621440 in use)"), full.getMessage());
            CellHandle b = s.spawn(cell(g), CellSpec.named("b").withShare(0.4).withMemory(24 * PAGE));
            s.resume();
            assertEquals(40, a.await(LONG).exitStatus(), "a filled its partition");
            assertEquals(24, b.await(LONG).exitStatus(), "b filled its partition");
            assertEquals(0, s.memoryPool().used());
        }
    }

    @Test
    void spawnFailsWhenThePoolCannotHoldTheInitialMemory() {
        Module g = grower(10);
        try (Scheduler s = deterministic(SLICE).memoryPool(PAGE).build()) {
            s.spawn(cell(g), CellSpec.named("first"));
            SchedulerException e = assertThrows(SchedulerException.class,
                    () -> s.spawn(cell(g), CellSpec.named("second")));
            assertTrue(e.getMessage().contains("cell second: memory pool of 65536 bytes cannot hold its initial 65536"
                    + " bytes (65536 in use)"), e.getMessage());
            assertEquals(1, s.liveCells().size(), "a refused spawn leaves nothing behind");
            assertEquals(PAGE, s.memoryPool().used());
        }
    }

    @Test
    void aCellsCapIsTheSmallerOfItsSpecAndWhatItsConfiguredLimitLeavesItsMemory() throws InterruptedException {
        Module g = grower(10);
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle bySpec = s.spawn(cell(g), CellSpec.named("spec").withMemory(5 * PAGE));
            CellHandle byConfig = s.spawn(cell(g, CellConfig.builder().memoryLimit(7 * PAGE).build()),
                    CellSpec.named("config").withMemory(9 * PAGE));
            s.resume();
            assertEquals(5, bySpec.await(LONG).exitStatus());
            // A 7-page limit reserves its 64 KiB least stack, so the pool lets memory grow to 6 pages
            // (docs/sandbox.md, "The stack"): a claim on the pool never passes the cell's own quota.
            assertEquals(6, byConfig.await(LONG).exitStatus());
        }
    }
}
