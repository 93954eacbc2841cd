package dev.cella.sandbox.sched;

import static dev.cella.sandbox.sched.SchedGuests.LONG;
import static dev.cella.sandbox.sched.SchedGuests.assemble;
import static dev.cella.sandbox.sched.SchedGuests.cell;
import static dev.cella.sandbox.sched.SchedGuests.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A guest blocked in a host call (a host-clock sleep) holds no thread slot. */
class BlockingTest {
    /** Sleeps {@code seconds} on the monotonic host clock with poll_oneoff, then exits with its errno. */
    private static Module sleeper(int seconds) {
        return assemble("""
                import poll_oneoff "wasi_snapshot_preview1" "poll_oneoff" (i32, i32, i32, i32) -> i32
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                memory 1
                export func main "_start"
                func main() {
                    reg in: i32, out: i32, one: i32, nev: i32, errno: i32, t: i64
                    i32.const in, 0
                    i32.const out, 64
                    i32.const one, 1
                    i32.const nev, 128
                    i32.store in, 16, one          ; clock id 1: monotonic (tag 0 at 8: clock)
                    i64.const t, %d000000000
                    i64.store in, 24, t            ; relative timeout in nanoseconds
                    call poll_oneoff, (in, out, one, nev), (errno)
                    call proc_exit, (errno)
                    unreachable
                }
                """.formatted(seconds), "sleeper.casm");
    }

    private static CellConfig hostClock() {
        return CellConfig.builder().allowClock(true).build();
    }

    @Test
    void aSleepingCellGivesItsOnlyThreadToTheOthers() throws InterruptedException {
        try (Scheduler s = Scheduler.builder().threads(1).sliceFuel(65_536).build()) {
            CellHandle sleeper = s.spawn(cell(sleeper(30), hostClock()), CellSpec.named("sleeper"));
            // Spawned second: with one thread it can only run while the sleeper is blocked.
            CellHandle worker = s.spawn(cell(work(2_000_000)), CellSpec.named("worker"));
            RunResult done = worker.await(LONG);
            assertNotNull(done, "the worker finished while the sleeper slept");
            assertEquals(Outcome.EXITED, done.outcome(), done::toString);
            assertNull(sleeper.result(), "the sleeper is still sleeping");
            assertEquals(CellState.BLOCKED, sleeper.state());
            sleeper.kill();
            RunResult killed = sleeper.await(LONG);
            assertNotNull(killed, "a kill ends a blocked cell");
            assertInstanceOf(CellKilled.class, killed.error(), killed::toString);
        }
    }

    @Test
    void aShortSleepEndsAndTheCellFinishesNormally() throws InterruptedException {
        try (Scheduler s = Scheduler.builder().threads(1).sliceFuel(65_536).build()) {
            CellHandle sleeper = s.spawn(cell(sleeper(0), hostClock()), CellSpec.named("nap"));
            CellHandle worker = s.spawn(cell(work(100_000)), CellSpec.named("worker"));
            RunResult a = sleeper.await(LONG);
            RunResult b = worker.await(LONG);
            assertNotNull(a);
            assertNotNull(b);
            assertEquals(0, a.exitStatus(), a::toString);
            assertEquals(Outcome.EXITED, b.outcome());
            assertTrue(s.awaitIdle(Duration.ofSeconds(60)));
        }
    }
}
