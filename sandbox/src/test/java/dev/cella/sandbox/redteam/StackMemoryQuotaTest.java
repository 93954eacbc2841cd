package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import dev.cella.vm.StateValidator;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team, issue 13 finding 3 ("host memory outside the quota"), the stack: a guest whose
 * frames hold 300 registers recursing a million deep under {@code --memory 1M} made the
 * interpreter hold 128 MiB of registers (and the JIT as many JVM frames) before the call-depth
 * limit stopped it. Frames now take their registers and frame record from the stack the memory
 * quota leaves (docs/sandbox.md, "The stack"): the run ends with the memory quota after about
 * 1 MiB of frames, at the same call with the same fuel on every engine.
 */
class StackMemoryQuotaTest {
    private static final int WIDE = 300;

    /** main recurses into down(n); down holds WIDE i64 registers live across its call. */
    private static Module module() {
        StringBuilder regs = new StringBuilder("reg one: i32, m: i32, r: i32");
        StringBuilder touch = new StringBuilder();
        StringBuilder use = new StringBuilder();
        for (int i = 0; i < WIDE; i++) {
            regs.append(", x").append(i).append(": i64");
            touch.append("    i64.extend_i32_s x").append(i).append(", n\n");
            use.append("    i64.add x0, x0, x").append(i).append('\n');
        }
        String src = """
                memory 1
                export func main "_start"
                func main() {
                    reg n: i32, r: i32
                    i32.const n, 1000000
                    call down, (n), (r)
                    ret
                }
                func down(n: i32) -> i32 {
                    %s
                %s    i32.const one, 1
                    i32.br_lt_s n, one, bottom
                    i32.sub m, n, one
                    call down, (m), (r)
                %s    i32.add r, r, one
                    ret r
                bottom:
                    ret n
                }
                """.formatted(regs, touch, use);
        Module m = Assembler.assemble(src, "redteam.casm");
        Verifier.verify(m);
        return m;
    }

    @Test
    void deepRecursionOfLargeFramesEndsAtTheMemoryQuotaAtTheSameCallOnEveryEngine() {
        Module m = module();
        long limit = 1 << 20;
        List<String> seen = new ArrayList<>();
        for (EngineKind engine : EngineKind.values()) {
            CellConfig c = CellConfig.builder().args(List.of("guest")).engine(engine).memoryLimit(limit)
                    .maxCallDepth(CellConfig.MAX_CALL_DEPTH).fuel(100_000_000L)
                    .stdout(new ByteArrayOutputStream()).stderr(new ByteArrayOutputStream()).build();
            RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                try (Cell cell = Cell.create(m, c)) {
                    return cell.run();
                }
            });
            assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome(), () -> engine + ": " + r);
            QuotaExceeded q = assertInstanceOf(QuotaExceeded.class, r.error());
            assertEquals(Quota.MEMORY, q.quota(), q.getMessage());
            assertEquals(limit, q.limit());
            assertTrue(q.usage() > limit && q.usage() <= limit + 8L * StateValidator.stackUnits(WIDE + 4),
                    "the refused frame is the first past the quota: " + q.getMessage());
            Trap t = assertInstanceOf(Trap.class, q.getCause());
            assertEquals(TrapKind.CALL_STACK_EXHAUSTED, t.kind());
            seen.add(q.usage() + " bytes, trap in " + t.function() + " at " + t.pc() + ", fuel "
                    + r.accounting().fuelUsed());
        }
        assertEquals(1, seen.stream().distinct().count(), "every engine stops at the same call: " + seen);
    }

    @Test
    void aModuleThatFillsItsQuotaStillHasTheLeastStack() {
        // Initial memory of one page = the quota: the stack is the 64 KiB floor, about 26 frames of down.
        Module m = module();
        CellConfig c = CellConfig.builder().args(List.of("guest")).memoryLimit(65_536)
                .stdout(new ByteArrayOutputStream()).stderr(new ByteArrayOutputStream()).build();
        try (Cell cell = Cell.create(m, c)) {
            QuotaExceeded q = assertInstanceOf(QuotaExceeded.class, cell.run().error());
            assertEquals(Quota.MEMORY, q.quota());
            assertEquals(65_536, q.limit());
            long stack = q.usage() - 65_536;
            assertTrue(stack > 65_536 && stack <= 65_536 + 8L * StateValidator.stackUnits(WIDE + 4), q.getMessage());
        }
    }
}
