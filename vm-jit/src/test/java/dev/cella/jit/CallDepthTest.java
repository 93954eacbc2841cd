package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cella.isa.module.Module;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * Deep guest recursion on the JIT: the call-depth limit traps at the same call as in the
 * interpreter however deep it is configured, frames large and small, and no JVM stack overflow
 * ever escapes (the guest's frames continue on stack segments, see {@link StackSegments}).
 */
class CallDepthTest {
    /** Recursion to depth n, then back up summing; {@code wide} has 300 live registers per frame. */
    private static String source(boolean wide) {
        StringBuilder regs = new StringBuilder("reg one: i32, m: i32, r: i32");
        StringBuilder touch = new StringBuilder();
        if (wide) {
            for (int i = 0; i < 300; i++) {
                regs.append(", x").append(i).append(": i64");
                touch.append("    i64.extend_i32_s x").append(i).append(", n\n");
            }
        }
        return """
                func down(n: i32) -> i32 {
                    %s
                %s    i32.const one, 1
                    i32.br_lt_s n, one, bottom
                    i32.sub m, n, one
                    call down, (m), (r)
                    i32.add r, r, one
                    ret r
                bottom:
                    ret n
                }
                export func down "main"
                """.formatted(regs, touch);
    }

    private static void agree(boolean wide, int depth, int maxDepth) {
        Differential.Program p = new Differential.Program(source(wide), new long[] {depth}, Long.MAX_VALUE, maxDepth, 1);
        Differential.assertAgree(p, Interpreter::new, JitEngine::new);
    }

    @Test
    void recursionToTheDefaultLimitTrapsAtTheSameCallAsTheInterpreter() {
        agree(false, 9_999, 10_000);
        agree(false, 10_000, 10_000);
        agree(false, 20_000, 10_000);
    }

    @Test
    void recursionFarPastTheDefaultLimitRunsOnStackSegmentsWithoutOverflow() {
        agree(false, 300_000, 1_000_000);
        agree(false, 300_000, 250_000);
    }

    @Test
    void recursionWithLargeFramesRunsOnStackSegmentsWithoutOverflow() {
        agree(true, 40_000, 50_000);
        agree(true, 40_000, 30_000);
    }

    @Test
    void theCallDepthTrapNamesTheCallingFunctionAndTheCallsPc() {
        Differential.Program p = new Differential.Program(source(false), new long[] {50}, Long.MAX_VALUE, 10, 1);
        Module m = p.module();
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults().withMaxCallDepth(10));
        Trap t = assertThrows(Trap.class, () -> new JitEngine(m).invoke(instance, 0, 50));
        assertEquals(TrapKind.CALL_STACK_EXHAUSTED, t.kind());
        assertEquals(0, t.function());
        int callPc = -1;
        var reader = new dev.cella.isa.code.CodeReader(m.function(0).code(), 0);
        while (reader.hasNext()) {
            var in = reader.next();
            if (in.opcode() == dev.cella.isa.Opcode.CALL) {
                callPc = in.pc();
            }
        }
        assertEquals(callPc, t.pc(), "the pc of the call instruction");
    }
}
