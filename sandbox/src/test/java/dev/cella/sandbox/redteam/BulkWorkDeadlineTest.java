package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.Quota;
import dev.cella.sandbox.QuotaExceeded;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.BulkWork;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Red team, issue 13 finding 2: a guest that loops over memory.fill of its whole memory (64 MiB
 * here) did about a thousand fills between two deadline checks, so a cell ran long past its
 * timeout (and, in a batch, starved the others). Now the fills are charged and polled as they go:
 * the deadline holds within a few milliseconds on every engine, metered or not, and a small fuel
 * budget runs out at once.
 */
class BulkWorkDeadlineTest {
    private static final String FILL_LOOP = """
            memory 1024 1024
            export func main "_start"
            func main() {
                reg zero: i32, x: i32, n: i32
                i32.const zero, 0
                i32.const x, 1
                i32.const n, 67108864
            again:
                memory.fill zero, x, n
                br again
            }
            """;

    private static RunResult run(CellConfig.Builder config) {
        Module m = Assembler.assemble(FILL_LOOP, "fill-loop.casm");
        Verifier.verify(m);
        CellConfig c = config.args(List.of("fill")).stdout(new ByteArrayOutputStream())
                .stderr(new ByteArrayOutputStream()).build();
        try (Cell cell = Cell.create(m, c)) {
            return cell.run();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aFillLoopEndsAtItsDeadline(EngineKind engine) {
        for (boolean metered : new boolean[] {true, false}) {
            long begun = System.nanoTime();
            RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run(
                    CellConfig.builder().engine(engine).metered(metered).timeout(Duration.ofMillis(300))));
            long tookMs = (System.nanoTime() - begun) / 1_000_000;
            assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome(), () -> r.toString());
            assertEquals(Quota.TIME, ((QuotaExceeded) r.error()).quota());
            // Generous for a loaded CI machine: before the fix this took tens of seconds.
            assertTrue(tookMs < 3_000, engine + (metered ? "" : " unmetered") + " took " + tookMs + " ms");
        }
    }

    /** random_get of n bytes, as a long host call: charged per byte like bulk instructions. */
    private static long fuelOfRandomGet(EngineKind engine, int n) {
        Module m = Assembler.assemble("""
                import random_get "wasi_snapshot_preview1" "random_get" (i32, i32) -> i32
                memory 32
                export func main "_start"
                func main() {
                    reg buf: i32, len: i32, errno: i32
                    i32.const buf, 0
                    i32.const len, %d
                    call random_get, (buf, len), (errno)
                    ret
                }
                """.formatted(n), "random.casm");
        Verifier.verify(m);
        CellConfig c = CellConfig.builder().engine(engine).args(List.of("random"))
                .stdout(new ByteArrayOutputStream()).stderr(new ByteArrayOutputStream()).build();
        try (Cell cell = Cell.create(m, c)) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome(), () -> r.toString());
            return r.accounting().fuelUsed();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aLargeHostTransferIsChargedPerByte(EngineKind engine) {
        assertEquals(BulkWork.units(1 << 20), fuelOfRandomGet(engine, 1 << 20) - fuelOfRandomGet(engine, 0));
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aFillLoopRunsOutOfASmallFuelBudgetAtOnce(EngineKind engine) {
        RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> run(CellConfig.builder().engine(engine).fuel(100_000).timeout(Duration.ofSeconds(60))));
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome(), () -> r.toString());
        assertEquals(Quota.FUEL, ((QuotaExceeded) r.error()).quota());
        assertTrue(r.accounting().fuelUsed() <= 100_000);
    }
}
