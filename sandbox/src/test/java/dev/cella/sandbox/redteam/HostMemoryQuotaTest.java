package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Red team, issue 13 finding 3 ("host memory outside the quota"): a tiny module whose tables
 * take gigabytes passed verify and then exhausted the JVM's heap whatever the memory quota, and
 * growing memory a page at a time ran far past its deadline. Tables and globals now count with
 * the memory against the quota, checked before anything is allocated, and a growth is charged
 * and polled as it copies.
 */
class HostMemoryQuotaTest {
    private static Module module(String src) {
        Module m = Assembler.assemble(src, "redteam.casm");
        Verifier.verify(m);
        return m;
    }

    private static CellConfig.Builder quiet(CellConfig.Builder b) {
        return b.args(List.of("guest")).stdout(new ByteArrayOutputStream()).stderr(new ByteArrayOutputStream());
    }

    @Test
    void threeHundredTablesOfTenMillionEntriesAreRefusedBeforeAnythingIsAllocated() {
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            src.append("table t").append(i).append(" 10000000\n");
        }
        src.append("memory 1\nexport func main \"_start\"\nfunc main() {\n    ret\n}\n");
        Module m = module(src.toString());
        CellConfig c = quiet(CellConfig.builder().memoryLimit(1 << 20)).build();
        QuotaExceeded q = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(QuotaExceeded.class, () -> Cell.create(m, c).close()));
        assertEquals(Quota.MEMORY, q.quota());
        assertEquals(300L * 10_000_000 * 8 + 65_536, q.usage(), q.getMessage());
    }

    @Test
    void aTableLeavesLessRoomForMemoryToGrowInto() {
        // An 8,000,000-byte table (8 bytes an element) under a 16 MiB quota, a sixteenth of which is
        // reserved for the stack: memory may grow to 117 pages, not 240.
        Module m = module("""
                table tab 1000000
                memory 1
                export func main "_start"
                func main() {
                    reg one: i32, old: i32, minus: i32
                    i32.const one, 1
                    i32.const minus, -1
                again:
                    memory.grow old, one
                    i32.ne old, old, minus
                    br_if old, again
                    ret
                }
                """);
        long cap = (16 << 20) - (1 << 20);
        try (Cell cell = Cell.create(m, quiet(CellConfig.builder().memoryLimit(16 << 20)).build())) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome(), () -> r.toString());
            assertEquals(117 * 65_536, cell.instance().memory().size());
            long footprint = cell.instance().memory().size() + 8_000_000L;
            assertTrue(footprint <= cap && footprint > cap - 65_536, "footprint " + footprint);
            // The array the host holds, capacity and all, is within the cap too.
            assertTrue(cell.instance().memory().hostBytes() <= cap, "host bytes " + cell.instance().memory().hostBytes());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void growingAPageAtATimeEndsAtItsDeadline(EngineKind engine) {
        Module m = module("""
                memory 1
                export func main "_start"
                func main() {
                    reg one: i32, old: i32
                    i32.const one, 1
                again:
                    memory.grow old, one
                    br again
                }
                """);
        long begun = System.nanoTime();
        RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (Cell cell = Cell.create(m, quiet(CellConfig.builder().engine(engine).memoryLimit(128L << 20)
                    .timeout(Duration.ofMillis(300))).build())) {
                return cell.run();
            }
        });
        long tookMs = (System.nanoTime() - begun) / 1_000_000;
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome(), () -> r.toString());
        assertEquals(Quota.TIME, ((QuotaExceeded) r.error()).quota());
        assertTrue(tookMs < 3_000, engine + " took " + tookMs + " ms");
    }
}
