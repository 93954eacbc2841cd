package dev.cella.sandbox.sched;

import static dev.cella.sandbox.sched.SchedGuests.LONG;
import static dev.cella.sandbox.sched.SchedGuests.SPIN;
import static dev.cella.sandbox.sched.SchedGuests.cell;
import static dev.cella.sandbox.sched.SchedGuests.deterministic;
import static dev.cella.sandbox.sched.SchedGuests.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An endless loop cannot starve finite guests: their completion, measured on the scheduler's
 * clock (fuel run by all cells), is delayed by no more than the endless guest's fair share.
 */
class StarvationTest {
    private static final long SLICE = 2 * 65_536;
    private static final int[] STEPS = {1_000_000, 1_500_000, 2_000_000};

    /**
     * The scheduler's clock when each finite guest finished, with or without an endless guest
     * among them, followed by the fuel each finite guest used.
     */
    private static long[][] completions(boolean withEndless, int endlessWeight) throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle endless = withEndless
                    ? s.spawn(cell(SPIN), CellSpec.named("endless").withWeight(endlessWeight)) : null;
            List<CellHandle> finite = new ArrayList<>();
            for (int i = 0; i < STEPS.length; i++) {
                finite.add(s.spawn(cell(work(STEPS[i])), CellSpec.named("w" + i)));
            }
            s.resume();
            long[] at = new long[STEPS.length];
            long[] fuel = new long[STEPS.length];
            for (int i = 0; i < at.length; i++) {
                RunResult r = finite.get(i).await(LONG);
                assertNotNull(r, "finite guest " + i + " never finished");
                assertEquals(Outcome.EXITED, r.outcome());
                at[i] = finite.get(i).stats().finishedAtClock();
                fuel[i] = finite.get(i).stats().fuelUsed();
            }
            if (endless != null) {
                assertEquals(CellState.RUNNING, endless.state(), "the endless guest goes on alone");
                endless.kill();
                assertEquals(Outcome.ERROR, endless.await(LONG).outcome());
            }
            return new long[][] {at, fuel};
        }
    }

    @Test
    void endlessLoopDelaysOthersByNoMoreThanItsShare() throws InterruptedException {
        long[][] alone = completions(false, 1);
        long[][] shared = completions(true, 1);
        for (int i = 0; i < STEPS.length; i++) {
            // The finite guests run the same schedule among themselves either way, so the delay
            // of guest i is the fuel the endless guest got before i finished; being of equal
            // weight and busy all along, it is due exactly as much as guest i itself used.
            long due = alone[1][i];
            long delay = shared[0][i] - alone[0][i];
            System.out.printf("finite guest %d (%,d fuel): done at %,d alone, %,d beside an endless loop%n", i, due,
                    alone[0][i], shared[0][i]);
            assertEquals(alone[1][i], shared[1][i], "the guest itself used the same fuel");
            assertTrue(delay <= due + 2 * SLICE, "guest " + i + " was delayed by " + delay + ", its share is " + due);
            assertTrue(delay >= due - 2 * SLICE, "the endless guest got its share: " + delay + " of " + due);
        }
    }

    @Test
    void heavierEndlessLoopTakesProportionallyMoreButStillLetsOthersFinish() throws InterruptedException {
        long[][] alone = completions(false, 1);
        long[][] shared = completions(true, 3);
        for (int i = 0; i < STEPS.length; i++) {
            long due = 3 * alone[1][i];
            long delay = shared[0][i] - alone[0][i];
            assertTrue(delay <= due + 4 * SLICE, "guest " + i + " was delayed by " + delay + ", its share is " + due);
            assertTrue(delay >= due - 4 * SLICE, "the endless guest got its share: " + delay + " of " + due);
        }
    }

    /** Fills its 16 MiB memory again and again: one instruction, 16 MiB of work (issue 13, finding 2). */
    private static final dev.cella.isa.module.Module FILLER = SchedGuests.assemble("""
            memory 256
            export func main "_start"
            func main() {
                reg zero: i32, x: i32, n: i32
                i32.const n, 16777216
            loop:
                memory.fill zero, x, n
                br loop
            }
            """, "filler.casm");

    @Test
    void aGuestLoopingOverLargeFillsIsPreemptedToo() throws InterruptedException {
        // Before fills were charged per byte, a slice of 131,072 units held about 40,000 fills
        // of 16 MiB (minutes) on the one thread, and the worker waited all that time.
        try (Scheduler s = deterministic(SLICE).build()) {
            CellHandle filler = s.spawn(cell(FILLER), CellSpec.named("filler"));
            CellHandle worker = s.spawn(cell(work(200_000)), CellSpec.named("worker"));
            s.resume();
            RunResult r = worker.await(java.time.Duration.ofSeconds(30));
            assertNotNull(r, "the worker never finished beside the filler");
            assertEquals(Outcome.EXITED, r.outcome());
            assertTrue(filler.stats().slices() >= 2, "the filler was preempted and rescheduled");
            filler.kill();
            assertEquals(Outcome.ERROR, filler.await(LONG).outcome());
        }
    }

    @Test
    void guestCallingTheHostAllTheTimeIsPreemptedToo() throws InterruptedException {
        try (Scheduler s = deterministic(SLICE).build()) {
            // The fuel quota ends the caller even if it is never preempted, so that a failure
            // here shows in the order of completion instead of hanging the build.
            Cell caller = cell(SchedGuests.HOST_CALLER, CellConfig.builder().fuel(5_000_000).build());
            CellHandle c = s.spawn(caller, CellSpec.named("caller"));
            CellHandle worker = s.spawn(cell(work(200_000)), CellSpec.named("worker"));
            s.resume();
            assertEquals(Outcome.EXITED, worker.await(LONG).outcome());
            assertEquals(Outcome.QUOTA_EXCEEDED, c.await(LONG).outcome());
            long workerDone = worker.stats().finishedAtClock();
            assertTrue(workerDone < 2 * 400_000 + 4 * SLICE, "the worker finished at " + workerDone
                    + ": the caller, which calls the host every 4 units of fuel, was not preempted ("
                    + c.stats().slices() + " slices); engines must poll the interrupt hook at least every"
                    + " 65,536 units of fuel even across host calls");
            assertTrue(c.stats().slices() >= 2, "the caller was preempted and rescheduled");
        }
    }
}
