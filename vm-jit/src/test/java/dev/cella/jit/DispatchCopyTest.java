package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Copies of dispatch blocks in the regions of code for C2 ({@link RegionPlan#copiedBlocks}): an
 * interpreter loop (a fetch and a {@code br_table} that every arm branches back to), cut into
 * regions, has its switch copied into the arms' regions, and runs exactly as in the interpreter:
 * results, fuel, traps raised inside a copy, fuel running out at every kind of point, and
 * suspension and resumption there.
 */
class DispatchCopyTest {
    private static final int ARMS = 10;

    /**
     * main(n, trap): fills 600 bytes of "bytecode" (opcodes 0-9, then 10 = halt), then runs it n
     * times; each arm mixes the accumulator and branches back to the fetch. With trap set, arm 9
     * moves the program counter past the memory, so the next fetch (in a copy) traps.
     */
    static String source() {
        Random rnd = new Random(20261207);
        StringBuilder sb = new StringBuilder();
        sb.append("memory 1\n");
        loopHead(sb, "", List.of(), 600, 7, ARMS);
        for (int a = 0; a < ARMS; a++) {
            sb.append("A").append(a).append(":\n");
            mix(sb, rnd, 40);
            if (a == ARMS - 1) {
                line(sb, "br_unless trap, FETCH");
                line(sb, "i32.add pc, pc, far");
            }
            line(sb, "br FETCH");
        }
        loopTail(sb);
        return sb.toString();
    }

    /**
     * The head of an interpreter loop {@code main(n: i64, trap: i32) -> i64} with registers
     * {@code moreRegs} besides its own and {@code moreInit} run first: fills {@code len} bytes of
     * "bytecode" with opcodes {@code (i * mul + 1) % arms}, then {@code arms} (halt), and ends in
     * the fetch and its {@code br_table} over arms {@code A0}... and {@code HALT}.
     */
    static void loopHead(StringBuilder sb, String moreRegs, List<String> moreInit, int len, int mul, int arms) {
        sb.append("func main(n: i64, trap: i32) -> i64 {\n");
        sb.append("    reg acc: i64, t: i64, pc: i32, op: i32, one: i32, zero: i32, len: i32, i: i32, x: i32,"
                + " rounds: i32, ops: i32, far: i32" + moreRegs + "\n");
        line(sb, "i32.const one, 1");
        line(sb, "i32.const zero, 0");
        line(sb, "i32.const ops, " + arms);
        line(sb, "i32.const len, " + len);
        line(sb, "i32.const far, 70000");
        moreInit.forEach(l -> line(sb, l));
        line(sb, "i32.wrap_i64 rounds, n");
        line(sb, "i32.const i, 0");
        sb.append("FILL:\n");
        line(sb, "i32.const x, " + mul);
        line(sb, "i32.mul x, x, i");
        line(sb, "i32.add x, x, one");
        line(sb, "i32.rem_u x, x, ops");
        line(sb, "i32.store8 i, 0, x");
        line(sb, "i32.add i, i, one");
        line(sb, "i32.br_lt_u i, len, FILL");
        line(sb, "i32.store8 len, 0, ops");
        line(sb, "i32.const pc, 0");
        line(sb, "i64.extend_i32_s acc, rounds");
        sb.append("FETCH:\n");
        line(sb, "i32.load8_u op, pc, 0");
        line(sb, "i32.add pc, pc, one");
        StringBuilder targets = new StringBuilder();
        for (int a = 0; a < arms; a++) {
            targets.append(a == 0 ? "" : ", ").append("A").append(a);
        }
        line(sb, "br_table op, [" + targets + "], HALT");
    }

    /** {@code count} pairs of a random i64 constant and an add, xor, mul or rotl into the accumulator. */
    static void mix(StringBuilder sb, Random rnd, int count) {
        for (int k = 0; k < count; k++) {
            line(sb, "i64.const t, " + rnd.nextLong());
            line(sb, switch (k % 4) {
                case 0 -> "i64.add acc, acc, t";
                case 1 -> "i64.xor acc, acc, t";
                case 2 -> "i64.mul acc, acc, t";
                default -> "i64.rotl acc, acc, t";
            });
        }
    }

    /** HALT: the next round from the first opcode, or the accumulator returned. */
    static void loopTail(StringBuilder sb) {
        sb.append("HALT:\n");
        line(sb, "i32.const pc, 0");
        line(sb, "i32.sub rounds, rounds, one");
        line(sb, "i32.br_gt_s rounds, zero, FETCH");
        line(sb, "ret acc");
        sb.append("}\nexport func main \"main\"\n");
    }

    /** Appends one indented line of assembly (also for {@link LoopCutTest} and {@link HotRegionTest}). */
    static void line(StringBuilder sb, String s) {
        sb.append("    ").append(s).append('\n');
    }

    private static final String SOURCE = source();
    private static final Module MODULE = new Differential.Program(SOURCE, new long[] {1, 0}, 1_000_000, 100, 1).module();

    private static final JitEngine.Options SERVER_REGIONS = new JitEngine.Options(true, false);
    private static final Function<Module, SuspendableEngine> INTERP = Interpreter::new;
    private static final Function<Module, SuspendableEngine> COPIES = m -> new JitEngine(m, false, SERVER_REGIONS);
    private static final Function<Module, SuspendableEngine> CLIENT =
            m -> new JitEngine(m, false, SERVER_REGIONS.withClientShapes(true));

    @Test
    void theSwitchOfAnInterpreterLoopIsCopiedIntoTheRegionsOfItsArms() {
        JitEngine jit = new JitEngine(MODULE, false, SERVER_REGIONS);
        FunctionCode code = jit.code(0);
        var dispatch = RegionPlan.dispatchBlocks(code);
        assertEquals(1, dispatch.cardinality(), "the fetch and switch is the one dispatch block");
        int[] sizes = new int[code.insns.length];
        java.util.Arrays.fill(sizes, 40);
        int[] starts = RegionPlan.partition(code, sizes, FunctionCompiler.REGION_BUDGET, dispatch);
        RegionPlan plan = new RegionPlan(code, starts, true);
        assertTrue(plan.regionCount() >= 3, "the loop must span several regions, has " + plan.regionCount());
        int fetch = dispatch.nextSetBit(0);
        int copied = 0;
        for (int k = 0; k < plan.regionCount(); k++) {
            copied += plan.copiedBlocks(k).length;
            assertTrue(plan.from(k) <= fetch || plan.from(k) >= fetch + 3, "region " + k + " starts inside the switch");
        }
        assertTrue(copied >= 2, "arms in other regions than the switch get copies, " + copied + " found");
        assertEquals(0, new RegionPlan(code, starts, false).copiedBlocks(1).length, "code for C1 copies nothing");
    }

    @Test
    void anInterpreterLoopWithCopiedSwitchesRunsExactlyAsInTheInterpreter() {
        for (long[] args : new long[][] {{3, 0}, {2, 1}}) {
            Differential.Program program = new Differential.Program(SOURCE, args, 10_000_000, 100, 1);
            Differential.assertAgree(program, MODULE, Interpreter::new, m -> new JitEngine(m, false, SERVER_REGIONS),
                    m -> new JitEngine(m, false, SERVER_REGIONS.withClientShapes(true)));
        }
    }

    @Test
    void fuelRunsOutAtTheSamePointsInsideAndAroundTheCopies() {
        Random rnd = new Random(7);
        for (int i = 0; i < 40; i++) {
            long fuel = 1 + rnd.nextInt(60_000);
            Differential.Program program = new Differential.Program(SOURCE, new long[] {2, i % 2}, fuel, 100, 1);
            Differential.assertAgree(program, MODULE, Interpreter::new, m -> new JitEngine(m, false, SERVER_REGIONS));
        }
    }

    @Test
    void suspendedInACopyTheRunResumesToTheSameEnd() {
        Differential.Program program = new Differential.Program(SOURCE, new long[] {2, 0}, 1_000_000, 100, 1);
        SuspendPropertyTest.assertResumesAlike(program, 3_000, 40_000, 1_733, 977, COPIES, INTERP, CLIENT);
    }
}
