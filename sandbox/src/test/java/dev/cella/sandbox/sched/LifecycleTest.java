package dev.cella.sandbox.sched;

import static dev.cella.sandbox.sched.SchedGuests.LONG;
import static dev.cella.sandbox.sched.SchedGuests.SPIN;
import static dev.cella.sandbox.sched.SchedGuests.cell;
import static dev.cella.sandbox.sched.SchedGuests.deterministic;
import static dev.cella.sandbox.sched.SchedGuests.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.Quota;
import dev.cella.sandbox.QuotaExceeded;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spawn, suspend, resume, kill, wait and live accounting through the Java API. */
class LifecycleTest {
    private static final long SLICE = 65_536;

    /** Runs the paused scheduler until its clock has advanced by {@code fuel}, then waits for it to stand still. */
    private static void advance(Scheduler s, long fuel) throws InterruptedException {
        s.pauseAt(s.clock() + fuel);
        s.resume();
        assertTrue(s.awaitIdle(LONG), "the scheduler never paused");
    }

    @Test
    void suspendedCellMakesNoProgressUntilResumed() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a"));
            CellHandle b = s.spawn(cell(SPIN), CellSpec.named("b"));
            advance(s, 20 * SLICE);
            a.suspend();
            assertEquals(CellState.SUSPENDED, a.state(), "a waiting cell is suspended at once");
            long aBefore = a.stats().fuelUsed();
            long bBefore = b.stats().fuelUsed();
            advance(s, 20 * SLICE);
            assertEquals(aBefore, a.stats().fuelUsed(), "no fuel while suspended");
            assertTrue(b.stats().fuelUsed() - bBefore >= 20 * SLICE, "b got the whole machine");
            a.resume();
            advance(s, 20 * SLICE);
            assertTrue(a.stats().fuelUsed() > aBefore, "a runs again after resume");
        }
    }

    @Test
    void runningCellParksAtItsNextSafePointWhenSuspended() throws InterruptedException {
        try (Scheduler s = Scheduler.builder().threads(1).sliceFuel(Long.MAX_VALUE).build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a"));
            while (a.stats().fuelUsed() == 0) {
                Thread.onSpinWait();
            }
            assertEquals(CellState.RUNNING, a.state());
            a.suspend();
            assertTrue(a.awaitParked(LONG), "a running cell parks within one poll interval");
            assertEquals(CellState.SUSPENDED, a.state());
            long parked = a.stats().fuelUsed();
            assertEquals(parked, a.stats().fuelCharged(), "its fuel is current where it parked");
            assertEquals(0, s.runningCount(), "a parked cell holds no thread");
            a.kill();
            RunResult r = a.await(LONG);
            assertNotNull(r);
            assertEquals(Outcome.ERROR, r.outcome());
            assertInstanceOf(CellKilled.class, r.error());
            assertEquals(parked, a.stats().fuelUsed(), "killed where it stood");
        }
    }

    @Test
    void killingAnUnstartedCellFinishesItAtOnceAndFreesItsMemory() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).memoryPool(1 << 20).build()) {
            CellHandle a = s.spawn(cell(SchedGuests.grower(10)), CellSpec.named("a"));
            assertEquals(65_536, s.memoryPool().used(), "the initial page is reserved at spawn");
            a.kill();
            RunResult r = a.result();
            assertNotNull(r, "finished without running");
            assertInstanceOf(CellKilled.class, r.error());
            assertEquals(CellState.FINISHED, a.state());
            assertEquals(0, s.memoryPool().used());
            assertEquals(0, a.stats().reservedBytes());
            assertEquals(0, a.stats().fuelUsed());
        }
    }

    @Test
    void killingARunningCellLeavesTheOthersGoingOn() throws InterruptedException {
        try (Scheduler s = Scheduler.builder().threads(2).sliceFuel(SLICE).build()) {
            CellHandle victim = s.spawn(cell(SPIN), CellSpec.named("victim"));
            CellHandle other = s.spawn(cell(work(2_000_000)), CellSpec.named("other"));
            while (victim.stats().fuelUsed() < 4 * SLICE) {
                Thread.onSpinWait();
            }
            victim.kill();
            RunResult killed = victim.await(LONG);
            assertNotNull(killed);
            assertInstanceOf(CellKilled.class, killed.error());
            RunResult done = other.await(LONG);
            assertNotNull(done);
            assertEquals(Outcome.EXITED, done.outcome());
            assertEquals(0, done.exitStatus());
            assertTrue(s.liveCells().isEmpty());
        }
    }

    @Test
    void awaitGivesTheRunResultAndStatsTheFinalAccounting() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle h = s.spawn(cell(work(500_000)), CellSpec.named("w").withWeight(3));
            assertNull(h.await(java.time.Duration.ZERO), "not finished while paused");
            s.resume();
            RunResult r = h.await(LONG);
            assertNotNull(r);
            assertEquals(Outcome.EXITED, r.outcome());
            CellStats st = h.stats();
            assertEquals(CellState.FINISHED, st.state());
            assertEquals(r.accounting().fuelUsed(), st.fuelUsed());
            assertEquals(st.fuelUsed(), st.fuelCharged(), "every unit was charged to some slice");
            assertEquals(s.clock(), st.finishedAtClock());
            assertTrue(st.slices() >= 1_000_000 / SLICE, "slices " + st.slices());
            assertEquals(3, st.weight());
            assertEquals("w", st.name());
        }
    }

    @Test
    void statsAreLiveWhileTheCellRuns() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle h = s.spawn(cell(SPIN), CellSpec.named("spin"));
            assertEquals(0, h.stats().slices());
            assertNull(h.stats().accounting(), "no accounting before it first ran");
            advance(s, 10 * SLICE);
            CellStats first = h.stats();
            assertEquals(CellState.WAITING, first.state());
            assertNotNull(first.accounting());
            assertTrue(first.fuelUsed() >= 10 * SLICE);
            advance(s, 10 * SLICE);
            CellStats second = h.stats();
            assertTrue(second.fuelUsed() >= first.fuelUsed() + 10 * SLICE);
            assertTrue(second.slices() > first.slices());
            assertTrue(second.runNanos() > first.runNanos());
        }
    }

    @Test
    void quotasOfTheCellStillApplyUnderTheScheduler() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            Cell limited = cell(SPIN, CellConfig.builder().fuel(10 * SLICE).build());
            CellHandle h = s.spawn(limited, CellSpec.named("limited"));
            CellHandle free = s.spawn(cell(work(100_000)), CellSpec.named("free"));
            s.resume();
            RunResult r = h.await(LONG);
            assertNotNull(r);
            assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome());
            assertEquals(Quota.FUEL, ((QuotaExceeded) r.error()).quota());
            assertEquals(Outcome.EXITED, free.await(LONG).outcome());
        }
    }

    @Test
    void trappingGuestEndsWithItsTrapAndTheOthersFinish() throws InterruptedException {
        var trapping = SchedGuests.assemble("""
                export func main "_start"
                func main() {
                    unreachable
                }
                """, "trap.casm");
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle bad = s.spawn(cell(trapping), CellSpec.named("bad"));
            CellHandle good = s.spawn(cell(work(100_000)), CellSpec.named("good"));
            s.resume();
            RunResult r = bad.await(LONG);
            assertEquals(Outcome.TRAPPED, r.outcome());
            assertEquals(TrapKind.UNREACHABLE, ((Trap) r.error()).kind());
            assertEquals(Outcome.EXITED, good.await(LONG).outcome());
        }
    }

    @Test
    void aCellCannotBeSpawnedTwiceNorAfterClose() {
        Scheduler s = deterministic(SLICE).build();
        Cell c = cell(SPIN);
        s.spawn(c, CellSpec.named("once"));
        SchedulerException twice = assertThrows(SchedulerException.class, () -> s.spawn(c, CellSpec.named("twice")));
        assertTrue(twice.getMessage().contains("already scheduled"), twice.getMessage());
        s.close();
        SchedulerException closed = assertThrows(SchedulerException.class,
                () -> s.spawn(cell(SPIN), CellSpec.named("late")));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void closeKillsEveryLiveCell() throws InterruptedException {
        Scheduler s = Scheduler.builder().threads(2).sliceFuel(SLICE).build();
        List<CellHandle> cells = List.of(s.spawn(cell(SPIN), CellSpec.named("a")),
                s.spawn(cell(SPIN), CellSpec.named("b")),
                s.spawn(cell(SPIN), CellSpec.named("c").withSuspended(true)));
        s.close();
        for (CellHandle h : cells) {
            assertEquals(CellState.FINISHED, h.state());
            assertInstanceOf(CellKilled.class, h.result().error(), h.name());
        }
        assertTrue(s.liveCells().isEmpty());
    }

    @Test
    void specRejectsBadWeightsSharesAndNames() {
        assertThrows(SchedulerException.class, () -> CellSpec.named(""));
        assertThrows(SchedulerException.class, () -> CellSpec.named("a").withWeight(0));
        assertThrows(SchedulerException.class, () -> CellSpec.named("a").withWeight(CellSpec.MAX_WEIGHT + 1));
        assertThrows(SchedulerException.class, () -> CellSpec.named("a").withShare(1.5));
        assertThrows(SchedulerException.class, () -> CellSpec.named("a").withShare(-0.1));
        assertThrows(SchedulerException.class, () -> CellSpec.named("a").withMemory(-5));
        assertThrows(SchedulerException.class, () -> Scheduler.builder().threads(0).build());
        assertThrows(SchedulerException.class, () -> Scheduler.builder().sliceFuel(0).build());
    }
}
