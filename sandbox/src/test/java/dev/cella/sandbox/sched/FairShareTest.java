package dev.cella.sandbox.sched;

import static dev.cella.sandbox.sched.SchedGuests.LONG;
import static dev.cella.sandbox.sched.SchedGuests.SPIN;
import static dev.cella.sandbox.sched.SchedGuests.cell;
import static dev.cella.sandbox.sched.SchedGuests.deterministic;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Weighted fair share, measured in fuel: the scheduler runs busy guests until its clock reaches
 * a fixed amount of fuel, pauses, and the test compares what each cell was charged. With one
 * thread the schedule depends only on fuel, so these measurements are exact and repeatable.
 */
class FairShareTest {
    private static final long SLICE = 65_536;
    private static final long RUN = 300 * SLICE;

    /** Spawns one endless guest per weight, runs until the clock reaches {@code run}, returns the fuel each was charged. */
    private static long[] runBusy(Scheduler s, int[] weights, long run) throws InterruptedException {
        List<CellHandle> cells = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            cells.add(s.spawn(cell(SPIN), CellSpec.named("c" + i).withWeight(weights[i])));
        }
        s.pauseAt(run);
        s.resume();
        assertTrue(s.awaitIdle(LONG), "the scheduler never paused");
        long[] fuel = new long[weights.length];
        for (int i = 0; i < fuel.length; i++) {
            fuel[i] = cells.get(i).stats().fuelCharged();
            assertEquals(CellState.WAITING, cells.get(i).state(), "a busy cell is waiting for its next slice");
        }
        return fuel;
    }

    private static double[] due(int[] weights) {
        double[] d = new double[weights.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = weights[i];
        }
        return d;
    }

    @Test
    void equalWeightsGiveEqualSharesByJainsIndex() throws InterruptedException {
        int[] weights = {1, 1, 1, 1, 1};
        try (Scheduler s = deterministic(SLICE).build()) {
            long[] fuel = runBusy(s, weights, RUN);
            double jain = Fairness.jainIndex(Fairness.normalized(fuel, due(weights)));
            System.out.printf("equal weights: fuel %s, Jain's index %.6f%n", java.util.Arrays.toString(fuel), jain);
            assertTrue(jain >= 0.99, "Jain's index " + jain);
            long total = 0;
            for (long f : fuel) {
                total += f;
            }
            assertEquals(s.clock(), total, "the clock is the fuel charged to the cells");
            assertTrue(total >= RUN && total < RUN + 2 * SLICE, "paused at the first slice end past " + RUN + ": " + total);
        }
    }

    @Test
    void weightsOneTwoFourGetSharesWithinFivePercentOfOneTwoFour() throws InterruptedException {
        int[] weights = {1, 2, 4};
        try (Scheduler s = deterministic(SLICE).build()) {
            long[] fuel = runBusy(s, weights, RUN);
            double[] shares = Fairness.shares(new double[] {fuel[0], fuel[1], fuel[2]});
            System.out.printf("weights 1:2:4: fuel %s, shares %.4f %.4f %.4f (ratio 1:%.3f:%.3f)%n",
                    java.util.Arrays.toString(fuel), shares[0], shares[1], shares[2], (double) fuel[1] / fuel[0],
                    (double) fuel[2] / fuel[0]);
            for (int i = 0; i < weights.length; i++) {
                double expected = weights[i] / 7.0;
                assertEquals(1.0, shares[i] / expected, 0.05, "share of weight " + weights[i] + ": " + shares[i]);
            }
            assertTrue(Fairness.jainIndex(Fairness.normalized(fuel, due(weights))) >= 0.99);
        }
    }

    @Test
    void oneThreadScheduleIsTheSameOnEveryRun() throws InterruptedException {
        int[] weights = {3, 1, 2};
        long[] first;
        try (Scheduler s = deterministic(SLICE).build()) {
            first = runBusy(s, weights, 60 * SLICE);
        }
        try (Scheduler s = deterministic(SLICE).build()) {
            assertArrayEquals(first, runBusy(s, weights, 60 * SLICE));
        }
    }

    /**
     * With two threads the interleaving depends on the host, so only what holds whatever the
     * timing is checked: never more than two cells hold a slice, every cell keeps getting slices,
     * and every unit of fuel is charged to some cell. (A carrier thread the host OS deschedules
     * holds its slice without running; its cell catches up afterwards, being the furthest behind.)
     */
    @Test
    void twoThreadsRunAtMostTwoCellsAtOnceAndStarveNone() throws InterruptedException {
        List<CellHandle> cells = new ArrayList<>();
        int[] mostRunning = {0};
        SchedulerObserver count = new SchedulerObserver() {
            @Override
            public void sliceEnded(Scheduler s, CellHandle cell, long fuel) {
                int running = 1; // the cell whose slice just ended
                for (CellHandle h : cells) {
                    running += h.state() == CellState.RUNNING ? 1 : 0;
                }
                mostRunning[0] = Math.max(mostRunning[0], running);
            }
        };
        try (Scheduler s = Scheduler.builder().threads(2).sliceFuel(SLICE).paused(true).observer(count).build()) {
            for (int i = 0; i < 4; i++) {
                cells.add(s.spawn(cell(SPIN), CellSpec.named("c" + i)));
            }
            s.pauseAt(RUN);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            long total = 0;
            for (CellHandle h : cells) {
                assertTrue(h.stats().slices() >= 2, h + " got " + h.stats().slices() + " slices");
                total += h.stats().fuelCharged();
            }
            assertEquals(s.clock(), total);
            assertEquals(2, mostRunning[0], "cells holding a slice at once, at the end of a slice");
        }
    }

    @Test
    void shareOfASuspendedCellFlowsToTheBusyOnesAndComesBackOnResume() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle a = s.spawn(cell(SPIN), CellSpec.named("a"));
            CellHandle b = s.spawn(cell(SPIN), CellSpec.named("b"));
            CellHandle c = s.spawn(cell(SPIN), CellSpec.named("c").withWeight(2).withSuspended(true));
            s.pauseAt(120 * SLICE);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            long a1 = a.stats().fuelCharged();
            long b1 = b.stats().fuelCharged();
            assertEquals(0, c.stats().fuelCharged(), "a suspended cell gets nothing");
            assertEquals(CellState.SUSPENDED, c.state());
            assertEquals(s.clock(), a1 + b1, "the busy cells got all of the CPU");
            assertEquals(1.0, (double) a1 / b1, 0.05);

            c.resume();
            s.pauseAt(s.clock() + 240 * SLICE);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            long da = a.stats().fuelCharged() - a1;
            long db = b.stats().fuelCharged() - b1;
            long dc = c.stats().fuelCharged();
            double total = da + db + dc;
            assertEquals(0.25, da / total, 0.0125, "a after c resumed");
            assertEquals(0.25, db / total, 0.0125, "b after c resumed");
            assertEquals(0.50, dc / total, 0.025, "c, of weight 2, got no burst for the time it was suspended");
        }
    }
}
