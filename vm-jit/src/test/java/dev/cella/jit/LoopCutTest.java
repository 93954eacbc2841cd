package dev.cella.jit;

import static dev.cella.jit.DispatchCopyTest.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.interp.Interpreter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Regions cut by loops in code for C2 ({@link RegionPlan#partitionByLoops}): a loop that the
 * budget alone would cut in two is kept in one region, a stretched region that would pass
 * HotSpot's limit is cut again ({@code FunctionCompiler.checkedStretch}), and the code runs
 * exactly as in the interpreter: results, fuel running out anywhere, suspension and resumption.
 */
class LoopCutTest {
    /**
     * main(n): a straight-line prologue, then a loop of {@code body} blocks run n times, each
     * adding the counter into a register and skipping the next block's first add when a bit of
     * the counter is clear (so every block is a branch target: an entry of its region), then the
     * sum of the {@code regs} registers.
     */
    static String source(int prologue, int body, int regs) {
        StringBuilder sb = new StringBuilder();
        sb.append("func main(n: i32) -> i64 {\n");
        sb.append("    reg acc: i64, t: i64, i: i32, one: i32, bit: i32");
        for (int r = 0; r < regs; r++) {
            sb.append(", x").append(r).append(": i32");
        }
        sb.append('\n');
        line(sb, "i32.const one, 1");
        line(sb, "i32.const i, 0");
        for (int k = 0; k < prologue; k++) {
            line(sb, "i32.const x" + (k % regs) + ", " + (k * 7919));
        }
        sb.append("LOOP:\n");
        for (int b = 0; b < body; b++) {
            line(sb, "i32.shr_u bit, i, x" + (b % regs));
            line(sb, "i32.and bit, bit, one");
            line(sb, "br_unless bit, S" + b);
            line(sb, "i32.add x" + (b % regs) + ", x" + (b % regs) + ", i");
            sb.append("S").append(b).append(":\n");
            for (int j = 1; j <= 3; j++) {
                int r = (b * 3 + j) % regs;
                line(sb, "i32.xor x" + r + ", x" + r + ", x" + (b % regs));
            }
        }
        line(sb, "i32.add i, i, one");
        line(sb, "i32.br_lt_u i, n, LOOP");
        line(sb, "i64.const acc, 0");
        for (int r = 0; r < regs; r++) {
            line(sb, "i64.extend_i32_u t, x" + r);
            line(sb, "i64.add acc, acc, t");
        }
        line(sb, "ret acc");
        sb.append("}\nexport func main \"main\"\n");
        return sb.toString();
    }

    private static final String SOURCE = source(100, 8, 24);
    private static final Module MODULE = new Differential.Program(SOURCE, new long[] {5}, 1_000_000, 100, 1).module();
    private static final JitEngine.Options SERVER_REGIONS = new JitEngine.Options(true, false);
    private static final Function<Module, SuspendableEngine> INTERP = Interpreter::new;
    private static final Function<Module, SuspendableEngine> LOOPS = m -> new JitEngine(m, false, SERVER_REGIONS);
    private static final Function<Module, SuspendableEngine> CLIENT =
            m -> new JitEngine(m, false, SERVER_REGIONS.withClientShapes(true));

    /** The loop of main: its header's and its backward branch's instruction indices. */
    private static int[] loop(FunctionCode code) {
        for (int b = 0; b < code.insns.length; b++) {
            if (code.insns[b].opcode().isBranch()) {
                for (int pc : FunctionCode.targets(code.insns[b])) {
                    if (code.indexOfPc(pc) <= b) {
                        return new int[] {code.indexOfPc(pc), b};
                    }
                }
            }
        }
        throw new AssertionError("no loop");
    }

    private static boolean cutsInside(int[] starts, int[] loop) {
        return Arrays.stream(starts).anyMatch(c -> loop[0] < c && c <= loop[1]);
    }

    @Test
    void theBudgetWouldCutTheLoopButTheLoopsKeepItWhole() {
        FunctionCode code = new JitEngine(MODULE, false, SERVER_REGIONS).code(0);
        int[] sizes = new int[code.insns.length];
        Arrays.fill(sizes, 40);
        int[] loop = loop(code);
        int[] byBudget = RegionPlan.partition(code, sizes, FunctionCompiler.REGION_BUDGET);
        assertTrue(cutsInside(byBudget, loop), "the budget alone cuts inside the loop: " + Arrays.toString(byBudget));
        int[] byLoops = RegionPlan.partitionByLoops(code, sizes, FunctionCompiler.REGION_BUDGET,
                FunctionCompiler.REGION_STRETCH);
        assertFalse(cutsInside(byLoops, loop), "cut by loops: " + Arrays.toString(byLoops) + ", loop " + loop[0]
                + ".." + loop[1]);
        assertEquals(0, byLoops[0]);
        assertEquals(code.insns.length, byLoops[byLoops.length - 1]);
    }

    @Test
    void withoutLoopsTheCutsAreTheBudgets() {
        FunctionCode code = new JitEngine(MODULE, false, SERVER_REGIONS).code(0);
        int[] sizes = new int[code.insns.length];
        Arrays.fill(sizes, 40);
        int end = loop(code)[0];
        int[] byBudget = RegionPlan.partition(code, sizes, FunctionCompiler.REGION_BUDGET, new java.util.BitSet(), 0, end);
        assertTrue(byBudget.length > 2, "the prologue alone needs several regions");
        // The prologue has no loop, so a plan of it alone would be the budget's: compare the
        // cuts before the loop of the whole function's plan with those of the plain partition.
        int[] byLoops = RegionPlan.partitionByLoops(code, sizes, FunctionCompiler.REGION_BUDGET,
                FunctionCompiler.REGION_STRETCH);
        assertEquals(byBudget[1], byLoops[1], "the first cut, far from the loop, is the budget's");
    }

    @Test
    void aStretchedRegionThatWouldPassTheLimitIsCutAgain() {
        // A loop of 30 blocks, each an entry, that reach 64 registers: its estimate fits the
        // stretch, its measured size (every entry loading every register) would not.
        String source = source(10, 30, 64);
        Module big = new Differential.Program(source, new long[] {3}, 1_000_000, 100, 1).module();
        JitEngine jit = new JitEngine(big, false, SERVER_REGIONS);
        FunctionCompiler fc = new FunctionCompiler(jit, jit.code(0), true);
        RegionPlan plan = fc.compile(true).plan();
        int largest = 0;
        for (int k = 0; k < plan.regionCount(); k++) {
            largest = Math.max(largest, fc.compileRegion(plan, k).codeSizes()[0]);
        }
        assertTrue(largest <= FunctionCompiler.METHOD_LIMIT, "largest region " + largest + " bytes");
        Differential.assertAgree(new Differential.Program(source, new long[] {3}, 1_000_000, 100, 1), big,
                Interpreter::new, m -> new JitEngine(m, false, SERVER_REGIONS));
    }

    @Test
    void aLoopKeptWholeRunsExactlyAsInTheInterpreter() {
        Random rnd = new Random(12);
        for (int i = 0; i < 30; i++) {
            long fuel = i == 0 ? 10_000_000 : 1 + rnd.nextInt(20_000);
            Differential.Program program = new Differential.Program(SOURCE, new long[] {40}, fuel, 100, 1);
            Differential.assertAgree(program, MODULE, Interpreter::new, LOOPS::apply, CLIENT::apply);
        }
    }

    @Test
    void suspendedInsideTheLoopTheRunResumesToTheSameEnd() {
        Differential.Program program = new Differential.Program(SOURCE, new long[] {40}, 1_000_000, 100, 1);
        SuspendPropertyTest.assertResumesAlike(program, 50, 6_000, 731, 377, LOOPS, INTERP, CLIENT);
    }
}
