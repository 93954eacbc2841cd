package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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

/**
 * Red team, issue 13 finding 6: compiling a huge function (here 50,000 registers and 25,000
 * instructions, hundreds of JIT regions) took far longer than the cell's timeout, and the
 * deadline was not looked at until the guest ran, so a straight-line guest finished "in time".
 * Compilation now lets the cell's hook check the deadline before each function and region.
 */
class CompilationDeadlineTest {
    @Test
    void compilingAHugeFunctionCountsAgainstTheDeadline() {
        StringBuilder regs = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            regs.append(i == 0 ? "" : ", ").append("v").append(i).append(i % 2 == 0 ? ": i64" : ": f64");
        }
        for (int i = 2; i < 50_000; i += 2) {
            body.append("    i64.add v").append(i).append(", v").append(i - 2).append(", v0\n");
        }
        Module m = Assembler.assemble("""
                export func main "_start"
                func main() {
                    reg %s
                %s    ret
                }
                """.formatted(regs, body), "huge.casm");
        Verifier.verify(m);
        CellConfig c = CellConfig.builder().engine(EngineKind.JIT).timeout(Duration.ofMillis(20))
                .args(List.of("huge")).stdout(new ByteArrayOutputStream()).stderr(new ByteArrayOutputStream()).build();
        RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Cell cell = Cell.create(m, c)) {
                return cell.run();
            }
        });
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome(), () -> r.toString());
        assertEquals(Quota.TIME, ((QuotaExceeded) r.error()).quota());
    }
}
