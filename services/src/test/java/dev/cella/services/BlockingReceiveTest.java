package dev.cella.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.Quota;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.QuotaExceeded;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A receive that waits gives its scheduler slot away: on a scheduler of ONE thread, a consumer
 * spawned first waits in receive while the producer, spawned second, runs and sends. If the
 * waiting consumer held the only slot, the producer could not run and the receive would time
 * out (ETIMEDOUT: the consumer traps).
 */
class BlockingReceiveTest {
    private static final String CONSUMER = """
            import receive "cella_queue" "receive" (i32, i32, i32, i32, i32, i32, i32, i32, i64) -> i32
            memory 1
            data 0 "q"
            export func main "_start"
            func main() {
                reg ns: i32, nsl: i32, zero: i32, buf: i32, cap: i32, lenp: i32, idp: i32, e: i32, wait: i64
                i32.const ns, 0
                i32.const nsl, 1
                i32.const zero, 0
                i32.const buf, 64
                i32.const cap, 64
                i32.const lenp, 16
                i32.const idp, 24
                i64.const wait, 20000
                call receive, (ns, nsl, zero, zero, buf, cap, lenp, idp, wait), (e)
                br_if e, fail
                ret
            fail:
                unreachable
            }
            """;

    private static final String PRODUCER = """
            import send "cella_queue" "send" (i32, i32, i32, i32) -> i32
            memory 1
            data 0 "q"
            export func main "_start"
            func main() {
                reg ns: i32, nsl: i32, e: i32
                i32.const ns, 0
                i32.const nsl, 1
                call send, (ns, nsl, ns, nsl), (e)
                br_if e, fail
                ret
            fail:
                unreachable
            }
            """;

    private static Module module(String src) {
        Module m = Assembler.assemble(src, "guest.casm");
        Verifier.verify(m);
        return m;
    }

    @Test
    void aWaitingConsumerLendsTheOnlyThreadToTheProducer() throws InterruptedException {
        try (Services s = Services.inMemory(); Scheduler sched = Scheduler.builder().threads(1).build()) {
            CellConfig config = s.forCell(List.of(Grant.parse("queue:q:rw")), Limits.NONE).addTo(CellConfig.builder()).build();
            CellHandle consumer = sched.spawn(Cell.create(module(CONSUMER), config), CellSpec.named("consumer"));
            CellHandle producer = sched.spawn(Cell.create(module(PRODUCER), config), CellSpec.named("producer"));
            long t0 = System.nanoTime();
            RunResult c = consumer.await(Duration.ofSeconds(60));
            RunResult p = producer.await(Duration.ofSeconds(60));
            assertEquals(Outcome.EXITED, p.outcome(), String.valueOf(p));
            assertEquals(Outcome.EXITED, c.outcome(), String.valueOf(c));
            assertEquals(1, s.queue("q").depth(""), "the message is leased, not acknowledged");
            assertEquals(true, System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(), "the receive did not wait out its timeout");
        }
    }

    /** A kill ends a receive that waits (20 s here) within a wake-up slice, not at its timeout. */
    @Test
    void aKillStopsAWaitingReceivePromptly() throws Exception {
        try (Services s = Services.inMemory()) {
            CellConfig config = s.forCell(List.of(Grant.parse("queue:q:rw")), Limits.NONE).addTo(CellConfig.builder()).build();
            Cell cell = Cell.create(module(CONSUMER), config);
            CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(cell::run);
            Thread.sleep(200);
            long t0 = System.nanoTime();
            cell.kill();
            RunResult r = run.get();
            assertInstanceOf(CellKilled.class, r.error(), String.valueOf(r));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "the kill waited for the receive's timeout");
        }
    }

    /** So does a scheduler's kill, and the cell's deadline (its timeout quota). */
    @Test
    void aSchedulerKillAndADeadlineStopAWaitingReceive() throws Exception {
        try (Services s = Services.inMemory(); Scheduler sched = Scheduler.builder().threads(1).build()) {
            CellConfig config = s.forCell(List.of(Grant.parse("queue:q:rw")), Limits.NONE).addTo(CellConfig.builder()).build();
            long t0 = System.nanoTime();
            CellHandle killed = sched.spawn(Cell.create(module(CONSUMER), config), CellSpec.named("killed"));
            CellHandle late = sched.spawn(Cell.create(module(CONSUMER), config.toBuilder().timeout(Duration.ofMillis(300)).build()),
                    CellSpec.named("late"));
            Thread.sleep(200);
            killed.kill();
            RunResult k = killed.await(Duration.ofSeconds(60));
            RunResult l = late.await(Duration.ofSeconds(60));
            assertInstanceOf(CellKilled.class, k.error(), String.valueOf(k));
            assertEquals(Outcome.QUOTA_EXCEEDED, l.outcome(), String.valueOf(l));
            assertEquals(Quota.TIME, ((QuotaExceeded) l.error()).quota());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "a receive waited out its timeout");
        }
    }
}
