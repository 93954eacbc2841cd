package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The code budget (issue 13, finding 3: compiled code was charged to nobody): generated classes
 * are charged to a JVM-wide {@link CodeBudget}; once it is spent, functions run in the
 * interpreter and frames continue there instead of in new entry methods, with the same results
 * and fuel as the interpreter's, and the budget holds (no OutOfMemoryError, no internal error).
 */
class CodeBudgetTest {
    private static final int FUNCTIONS = 40;

    /**
     * main(n) calls each of FUNCTIONS large functions with n and sums what they return; each
     * runs a loop of n rounds of 60 arithmetic instructions (a few KB of bytecode each).
     */
    static String manyLargeFunctions() {
        StringBuilder sb = new StringBuilder("export func main \"main\"\nfunc main(n: i32) -> (i32) {\n");
        sb.append("    reg sum: i32, r: i32\n");
        for (int f = 0; f < FUNCTIONS; f++) {
            sb.append("    call g").append(f).append(", (n), (r)\n    i32.add sum, sum, r\n");
        }
        sb.append("    ret sum\n}\n");
        for (int f = 0; f < FUNCTIONS; f++) {
            sb.append("func g").append(f).append("(n: i32) -> (i32) {\n");
            sb.append("    reg a: i32, b: i32, c: i32, one: i32\n");
            sb.append("    i32.const one, 1\n    i32.const a, ").append(f + 3).append('\n');
            sb.append("    br_if n, again\n    ret n\nagain:\n");
            for (int i = 0; i < 60; i++) {
                String op = switch (i % 4) {
                    case 0 -> "i32.add";
                    case 1 -> "i32.mul";
                    case 2 -> "i32.xor";
                    default -> "i32.sub";
                };
                sb.append("    ").append(op).append(" b, a, n\n    i32.const c, ").append(i * 7 + f)
                        .append("\n    i32.add a, b, c\n");
            }
            sb.append("    i32.sub n, n, one\n    br_if n, again\n    ret a\n}\n");
        }
        return sb.toString();
    }

    private static final Module MODULE =
            new Differential.Program(manyLargeFunctions(), new long[0], 0, 1, 1).module();

    private static long[] run(Engine engine, int n, long fuel, long[] fuelUsed) {
        Instance instance = new Instance(MODULE, ImportResolver.NONE, InstanceOptions.defaults().withFuel(fuel));
        long[] r = engine.invoke(instance, 0, n);
        fuelUsed[0] = instance.fuelUsed();
        return r;
    }

    private static void agreesWithTheInterpreter(JitEngine jit, int n) {
        long[] expectedFuel = new long[1];
        long[] actualFuel = new long[1];
        long expected = run(new Interpreter(MODULE), n, Long.MAX_VALUE, expectedFuel)[0];
        assertEquals(expected, run(jit, n, Long.MAX_VALUE, actualFuel)[0]);
        assertEquals(expectedFuel[0], actualFuel[0], "fuel used");
    }

    @Test
    void functionsPastASpentBudgetRunInTheInterpreterWithTheSameResultsAndFuel() {
        JitEngine all = new JitEngine(MODULE, true, JitEngine.Options.DEFAULT, new CodeBudget(Long.MAX_VALUE));
        long whole = all.codeCharged();
        CodeBudget budget = new CodeBudget(whole / 4);
        JitEngine jit = new JitEngine(MODULE, false, JitEngine.Options.DEFAULT, budget);
        agreesWithTheInterpreter(jit, 3);
        List<FunctionStat> stats = jit.functionStats();
        long fellBack = stats.stream().filter(s -> s.tier() == FunctionStat.Tier.FELL_BACK).count();
        assertTrue(fellBack >= FUNCTIONS / 2, "most functions run interpreted: " + fellBack);
        assertTrue(fellBack < FUNCTIONS, "some were compiled: " + fellBack);
        // Only the adapters that hand a call over may pass it, one small class per function.
        assertTrue(budget.used() <= budget.limit() + (long) CodeBudget.FACTOR * 2_000 * FUNCTIONS,
                budget.used() + " charged of " + budget.limit());
        assertEquals(jit.codeCharged(), budget.used());
    }

    @Test
    void framesWhoseEntryMethodTheBudgetCannotPayForContinueInTheInterpreter() {
        // Compile everything, then allow nothing more: the long loops' fuel windows run out, and
        // each frame goes on in the interpreter instead of in an entry method.
        CodeBudget probe = new CodeBudget(Long.MAX_VALUE);
        JitEngine sized = new JitEngine(MODULE, true, JitEngine.Options.DEFAULT, probe);
        CodeBudget tight = new CodeBudget(sized.codeCharged());
        JitEngine jit = new JitEngine(MODULE, true, JitEngine.Options.DEFAULT, tight);
        assertEquals(0, jit.functionStats().stream().filter(s -> s.tier() == FunctionStat.Tier.FELL_BACK).count());
        agreesWithTheInterpreter(jit, 2_000);
        int entries = 0;
        for (int f = 1; f <= FUNCTIONS; f++) {
            entries += jit.compiledEntries(true, f);
        }
        assertEquals(0, entries, "no entry method was made");
        assertEquals(tight.limit(), tight.used());
        // With room, the same run makes entry methods (so the test above did need them).
        JitEngine roomy = new JitEngine(MODULE, true, JitEngine.Options.DEFAULT, new CodeBudget(Long.MAX_VALUE));
        agreesWithTheInterpreter(roomy, 2_000);
        int made = 0;
        for (int f = 1; f <= FUNCTIONS; f++) {
            made += roomy.compiledEntries(true, f);
        }
        assertTrue(made > 0, "entry methods with room");
    }

    @Test
    void aChargeIsGivenBackWhenItsEngineIsCollected() throws InterruptedException {
        CodeBudget budget = new CodeBudget(Long.MAX_VALUE);
        new JitEngine(MODULE, true, JitEngine.Options.DEFAULT, budget);
        assertTrue(budget.used() > 0);
        for (int i = 0; i < 200 && budget.used() > 0; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, budget.used(), "the collected engine's classes are no longer charged");
    }
}
