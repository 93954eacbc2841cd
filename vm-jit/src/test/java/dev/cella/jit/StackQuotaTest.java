package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.StateValidator;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The stack's limit (issue 13, finding 3: the register stack and frame records were outside the
 * memory quota): a guest frame takes its function's registers plus {@link
 * StateValidator#FRAME_UNITS} units of 8 bytes, and a call whose frame would pass the instance's
 * stack traps with call stack exhausted at the same call, with the same fuel, on every engine:
 * the interpreter, the JIT (whole functions and regions) and the tiered engine handing calls
 * and frames over mid-recursion.
 */
class StackQuotaTest {
    private static final List<Function<Module, Engine>> OTHERS = List.of(JitEngine::new,
            m -> new JitEngine(m, false, JitEngine.Options.splitEverything()), TieredEngine::new,
            m -> new TieredEngine(m, 1, 1));

    /**
     * down(n) records n in the global {@code last}, then recurses to down(n - 1) until n is 0;
     * each frame holds {@code wide} more i64 registers, all live across the call.
     */
    static String source(int wide) {
        StringBuilder regs = new StringBuilder("reg one: i32, m: i32, r: i32");
        StringBuilder touch = new StringBuilder();
        StringBuilder use = new StringBuilder();
        for (int i = 0; i < wide; i++) {
            regs.append(", x").append(i).append(": i64");
            touch.append("    i64.extend_i32_s x").append(i).append(", n\n");
            use.append("    i64.add x0, x0, x").append(i).append('\n');
        }
        return """
                global last: i32 mut = -1
                func down(n: i32) -> i32 {
                    %s
                    i32.global_set last, n
                %s    i32.const one, 1
                    i32.br_lt_s n, one, bottom
                    i32.sub m, n, one
                    call down, (m), (r)
                %s    i32.add r, r, one
                    ret r
                bottom:
                    ret n
                }
                export func down "main"
                """.formatted(regs, touch, use);
    }

    private static void agree(int wide, int n, long stackBytes, long fuel, int maxDepth) {
        Differential.Program p = new Differential.Program(source(wide), new long[] {n}, fuel, maxDepth, 2, stackBytes);
        Module m = p.module();
        for (Function<Module, Engine> other : OTHERS) {
            Differential.assertAgree(p, m, Interpreter::new, other);
        }
    }

    @Test
    void deepRecursionUnderASmallStackTrapsAtTheSameCallWithTheSameFuelOnEveryEngine() {
        qt().withExamples(Math.max(20, Integer.getInteger("cella.property.examples", 200) / 4)).withShrinkCycles(100)
                .forAll(integers().between(0, 300), integers().between(1, 6_000), integers().between(1, 40_000),
                        integers().between(0, 3))
                .checkAssert((wide, n, stackUnits, limits) -> agree(wide, n, 8L * stackUnits,
                        limits == 1 ? 5_000 + 97L * n : Long.MAX_VALUE, limits == 2 ? 1 + n / 2 : 10_000));
    }

    /** The deepest frame a stack of {@code units} holds for down, by the rule alone. */
    private static int deepest(Module m, int units) {
        return units / StateValidator.stackUnits(m.function(0).registers().size());
    }

    @Test
    void theTrapComesAtTheDepthTheFrameModelSaysOnEveryEngine() {
        for (int wide : new int[] {0, 10, 300}) {
            Module m = new Differential.Program(source(wide), new long[0], 0, 1, 1).module();
            for (int units : new int[] {1_000, 65_536, 131_072}) {
                int frames = deepest(m, units);
                for (Function<Module, Engine> engines : List.<Function<Module, Engine>>of(Interpreter::new,
                        JitEngine::new, mod -> new TieredEngine(mod, 1, 1))) {
                    Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()
                            .withMaxCallDepth(1_000_000).withMaxStackBytes(8L * units));
                    Trap t = assertThrows(Trap.class, () -> engines.apply(m).invoke(instance, 0, 1_000_000));
                    assertEquals(TrapKind.CALL_STACK_EXHAUSTED, t.kind());
                    // Frame k (from 1) recorded 1_000_000 - k + 1; the last one that ran is the deepest.
                    assertEquals(frames, 1_000_000 - (int) instance.globals()[0] + 1, "frames of " + wide + " wide, "
                            + units + " units");
                    assertEquals(StateValidator.stackUnits(m.function(0).registers().size()) * (frames + 1L),
                            instance.takeStackRefused(), "the refused call's stack");
                    // And just enough stack for the whole recursion runs it.
                    Instance roomy = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()
                            .withMaxCallDepth(1_000_000).withMaxStackBytes(8L * units));
                    assertEquals(frames - 1, engines.apply(m).invoke(roomy, 0, frames - 1)[0]);
                }
            }
        }
    }

    @Test
    void anEntryFunctionWhoseFrameDoesNotFitTrapsBeforeItRuns() {
        Module m = new Differential.Program(source(40), new long[0], 0, 1, 1).module();
        int units = StateValidator.stackUnits(m.function(0).registers().size());
        for (Function<Module, Engine> engines : List.<Function<Module, Engine>>of(Interpreter::new,
                JitEngine::new, TieredEngine::new)) {
            Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()
                    .withFuel(1_000).withMaxStackBytes(8L * (units - 1)));
            Trap t = assertThrows(Trap.class, () -> engines.apply(m).invoke(instance, 0, 5));
            assertEquals(TrapKind.CALL_STACK_EXHAUSTED, t.kind());
            assertEquals(0, t.pc());
            assertEquals(0, instance.fuelUsed(), "nothing ran");
            assertEquals(-1, instance.globals()[0]);
        }
    }
}
