package dev.cella.sandbox.sched;

import static dev.cella.sandbox.sched.SchedGuests.LONG;
import static dev.cella.sandbox.sched.SchedGuests.SPIN;
import static dev.cella.sandbox.sched.SchedGuests.cell;
import static dev.cella.sandbox.sched.SchedGuests.deterministic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The static policy: fixed CPU shares that are caps as well as guarantees. With virtual idle
 * time and one thread the schedule is exact; the real-time test checks only the cap, which holds
 * by construction however long the idle waits turn out.
 */
class StaticShareTest {
    private static final long SLICE = 4 * 65_536;

    private static Scheduler.Builder statik() {
        return deterministic(SLICE).policy(SchedulingPolicy.STATIC).virtualIdle(true);
    }

    @Test
    void unusedStaticShareStaysIdleInsteadOfFlowingToBusyCells() throws InterruptedException {
        try (Scheduler s = statik().build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a").withShare(0.25));
            CellHandle b = s.spawn(cell(SPIN), CellSpec.named("b").withShare(0.25));
            s.pauseAt(400 * SLICE);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            double clock = s.clock();
            double fa = a.stats().fuelCharged() / clock;
            double fb = b.stats().fuelCharged() / clock;
            double idle = s.idleFuel() / clock;
            System.out.printf("static 0.25/0.25: a %.4f b %.4f idle %.4f%n", fa, fb, idle);
            assertEquals(0.25, fa, 0.0125);
            assertEquals(0.25, fb, 0.0125);
            assertEquals(0.50, idle, 0.025);
        }
    }

    @Test
    void theSameCellsUnderFairShareUseTheWholeMachine() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a").withShare(0.25));
            CellHandle b = s.spawn(cell(SPIN), CellSpec.named("b").withShare(0.25));
            s.pauseAt(400 * SLICE);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            assertEquals(0, s.idleFuel());
            assertEquals(s.clock(), a.stats().fuelCharged() + b.stats().fuelCharged());
        }
    }

    @Test
    void busyStaticCellsGetTheirSharesInProportion() throws InterruptedException {
        try (Scheduler s = statik().build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a").withShare(0.5));
            CellHandle b = s.spawn(cell(SPIN), CellSpec.named("b").withShare(0.25));
            CellHandle c = s.spawn(cell(SPIN), CellSpec.named("c").withShare(0.25));
            s.pauseAt(400 * SLICE);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            double clock = s.clock();
            assertEquals(0.5, a.stats().fuelCharged() / clock, 0.025);
            assertEquals(0.25, b.stats().fuelCharged() / clock, 0.0125);
            assertEquals(0.25, c.stats().fuelCharged() / clock, 0.0125);
            assertTrue(s.idleFuel() < 2 * SLICE, "shares that add up to 1 leave (almost) no idle time: " + s.idleFuel());
        }
    }

    @Test
    void sharesOfLiveCellsCannotPassOneAndAFinishedCellGivesItsShareBack() throws InterruptedException {
        try (Scheduler s = statik().build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a").withShare(0.75));
            SchedulerException over = assertThrows(SchedulerException.class,
                    () -> s.spawn(cell(SPIN), CellSpec.named("b").withShare(0.5)));
            assertTrue(over.getMessage().contains("cell b: CPU share 0.5000 does not fit: live cells hold 0.7500"),
                    over.getMessage());
            SchedulerException none = assertThrows(SchedulerException.class,
                    () -> s.spawn(cell(SPIN), CellSpec.named("c")));
            assertTrue(none.getMessage().contains("needs a CPU share"), none.getMessage());
            a.kill();
            assertTrue(a.await(LONG) != null);
            CellHandle b = s.spawn(cell(SPIN), CellSpec.named("b").withShare(1.0));
            assertEquals(CellState.WAITING, b.state());
        }
    }

    /**
     * In real time, idle capacity is converted to fuel at the measured guest speed, so how many
     * slices the cell gets depends on how long the host's sleeps last; that it never runs past
     * its share does not: it is only granted a slice when the clock has reached its share.
     */
    @Test
    void aStaticShareIsACapInRealTimeToo() throws InterruptedException {
        long slice = 16 * 65_536;
        try (Scheduler s = Scheduler.builder().threads(1).sliceFuel(slice).policy(SchedulingPolicy.STATIC)
                .paused(true).build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a").withShare(0.5));
            s.pauseAt(40 * slice);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            long clock = s.clock();
            long fuel = a.stats().fuelCharged();
            assertTrue(fuel <= clock / 2 + 2 * slice, "fuel " + fuel + " of clock " + clock);
            assertTrue(s.idleFuel() >= clock / 2 - 2 * slice, "the machine was idle for the other half: "
                    + s.idleFuel() + " of " + clock);
            assertTrue(a.stats().slices() >= 2, "the cell ran again after waiting for its share");
        }
    }
}
