package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.vm.Instance;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Re-planned interpreter loops ({@link HotRegions}): a loop whose fetch and switch every arm
 * branches back to, compiled by regions for C2, is profiled, re-planned with a hot region after a
 * few crossings while it runs, and goes on in the new plan exactly as the interpreter runs it:
 * results, fuel, traps, fuel running out, and suspensions taken before, across and after the
 * switch. The arms have inner branches, a call (so a leader that is no branch target), float
 * stores and a rarely taken path, so the hot region holds blocks of every kind.
 */
class HotRegionTest {
    private static final int ARMS = 8;

    /**
     * main(n, trap): fills 400 bytes of "bytecode" (opcodes 0-7, then 8 = halt), then runs it n
     * times. Arm 1 branches inside itself, arm 2 calls a function, arm 3 stores a double, arm 5
     * takes a rare path; with trap set, arm 7 moves the program counter past the memory, so the
     * next fetch traps.
     */
    static String source() {
        Random rnd = new Random(20261208);
        StringBuilder sb = new StringBuilder();
        sb.append("memory 1\n");
        sb.append("func leaf(x: i64) -> i64 {\n    reg k: i64\n    i64.const k, 977\n    i64.mul x, x, k\n    ret x\n}\n");
        DispatchCopyTest.loopHead(sb, ", b: i32, f: f64, h: f64, k: i32", List.of("f64.const h, 1.25"), 400, 5, ARMS);
        for (int a = 0; a < ARMS; a++) {
            sb.append("A").append(a).append(":\n");
            DispatchCopyTest.mix(sb, rnd, 30);
            switch (a) {
                case 1 -> {
                    line(sb, "i32.wrap_i64 b, acc");
                    line(sb, "i32.and b, b, one");
                    line(sb, "br_if b, A1ODD");
                    line(sb, "i64.const t, 3");
                    line(sb, "i64.add acc, acc, t");
                    line(sb, "br FETCH");
                    sb.append("A1ODD:\n");
                    line(sb, "i64.const t, 5");
                    line(sb, "i64.sub acc, acc, t");
                }
                case 2 -> {
                    line(sb, "call leaf, (acc), (acc)");
                    line(sb, "i64.const t, 11");
                    line(sb, "i64.add acc, acc, t");
                }
                case 3 -> {
                    line(sb, "f64.convert_i64_s f, acc");
                    line(sb, "f64.mul f, f, h");
                    line(sb, "f64.store pc, 1024, f");
                    line(sb, "i64.reinterpret_f64 t, f");
                    line(sb, "i64.xor acc, acc, t");
                }
                case 5 -> {
                    line(sb, "i32.wrap_i64 b, acc");
                    line(sb, "i32.const k, 1023");
                    line(sb, "i32.and b, b, k");
                    line(sb, "br_if b, FETCH");
                    line(sb, "i64.const t, 99");
                    line(sb, "i64.mul acc, acc, t");
                }
                case ARMS - 1 -> {
                    line(sb, "br_unless trap, FETCH");
                    line(sb, "i32.add pc, pc, far");
                }
                default -> { }
            }
            line(sb, "br FETCH");
        }
        DispatchCopyTest.loopTail(sb);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String s) {
        DispatchCopyTest.line(sb, s);
    }

    private static final String SOURCE = source();
    private static final Module MODULE = new Differential.Program(SOURCE, new long[] {1, 0}, 1_000_000, 100, 1).module();
    private static final int MAIN = 1;

    /** Code for C2 by regions, re-planned after 40 crossings. */
    private static final JitEngine.Options REPLAN = new JitEngine.Options(true, false).withReplanAfter(40);
    private static final Function<Module, SuspendableEngine> INTERP = Interpreter::new;
    private static final Function<Module, SuspendableEngine> HOT = m -> new JitEngine(m, false, REPLAN);
    private static final Function<Module, SuspendableEngine> NEVER =
            m -> new JitEngine(m, false, REPLAN.withReplanAfter(0));

    @Test
    void aBusyInterpreterLoopIsReplannedWithItsHotArmsInOneRegion() {
        JitEngine jit = new JitEngine(MODULE, false, REPLAN);
        Instance instance = new Instance(MODULE, Differential.hosts(), new Differential.Program(SOURCE,
                new long[] {2, 0}, 10_000_000, 100, 1).options());
        jit.invoke(instance, instance.exportedFunction("main"), 2, 0);
        RegionPlan plan = jit.hotRegions().plan(true, MAIN);
        assertNotNull(plan, "the loop was re-planned");
        int hot = plan.hotRegion();
        assertTrue(hot > 0, "the new plan has a hot region");
        FunctionCode code = jit.code(MAIN);
        int fetch = RegionPlan.dispatchBlocks(code).nextSetBit(0);
        assertEquals(fetch, plan.from(hot), "the hot region's home is the fetch and switch");
        int armsCopied = 0;
        for (int a = 0; a < ARMS; a++) {
            int arm = code.indexOfPc(FunctionCode.targets(code.insns[plan.to(hot) - 1])[a]);
            armsCopied += plan.copies(hot, arm) ? 1 : 0;
        }
        assertTrue(armsCopied >= 3, "the busiest arms are copied into the hot region: " + armsCopied);
        // Every region other than the hot one leaves for the hot region's copy of a copied arm.
        int arm0 = code.indexOfPc(FunctionCode.targets(code.insns[plan.to(hot) - 1])[0]);
        if (plan.copies(hot, arm0) && plan.regionOf(arm0) != 0) {
            assertEquals(hot, plan.exitCode(0, arm0) >>> 16);
            assertEquals(plan.regionOf(arm0), plan.exitCode(arm0) >>> 16);
        }
        assertNull(new JitEngine(MODULE, false, REPLAN.withReplanAfter(0)).hotRegions().plan(true, MAIN));
    }

    @Test
    void theProfiledClassIsOneTheClassCacheAccepts() {
        JitEngine jit = new JitEngine(MODULE, false, REPLAN);
        FunctionCompiler.Output out = new FunctionCompiler(jit, jit.code(MAIN), true).compile(true);
        assertTrue(out.plan().profiled(), "an interpreter loop on jit, code for C2, is profiled");
        assertNull(ClassCheck.refusal(out.bytes(), FunctionCompiler.className(MAIN)));
        JitEngine client = new JitEngine(MODULE, false, REPLAN.withClientShapes(true));
        assertTrue(!new FunctionCompiler(client, client.code(MAIN), true).compile(true).plan().profiled(),
                "code for C1 is never profiled");
    }

    @Test
    void aReplannedLoopRunsExactlyAsInTheInterpreter() {
        for (long[] args : new long[][] {{4, 0}, {2, 1}}) {
            Differential.Program program = new Differential.Program(SOURCE, args, 10_000_000, 100, 1);
            Differential.assertAgree(program, MODULE, Interpreter::new, m -> new JitEngine(m, false, REPLAN),
                    m -> new JitEngine(m, false, REPLAN.withReplanAfter(1)));
        }
    }

    @Test
    void fuelRunsOutAtTheSamePointsBeforeAndAfterTheReplan() {
        Random rnd = new Random(11);
        for (int i = 0; i < 40; i++) {
            long fuel = 1 + rnd.nextInt(60_000);
            Differential.Program program = new Differential.Program(SOURCE, new long[] {2, i % 2}, fuel, 100, 1);
            Differential.assertAgree(program, MODULE, Interpreter::new, m -> new JitEngine(m, false, REPLAN));
        }
    }

    @Test
    void suspendedAcrossTheReplanTheRunResumesToTheSameEnd() {
        Differential.Program program = new Differential.Program(SOURCE, new long[] {2, 0}, 1_000_000, 100, 1);
        Module m = program.module();
        for (long point = 1_000; point < 30_000; point += 1_913) {
            long[] points = {point, point + 2_311, point + 7_001};
            SuspendPropertyTest.Steps reference = SuspendPropertyTest.steps(program, m,
                    List.of(INTERP, INTERP, INTERP), points);
            for (List<Function<Module, SuspendableEngine>> order : List.of(List.of(HOT, HOT, HOT),
                    List.of(HOT, INTERP, HOT), List.of(NEVER, HOT, NEVER), List.of(INTERP, HOT, HOT))) {
                assertEquals(reference, SuspendPropertyTest.steps(program, m, order, points), "fuel point " + point);
            }
        }
    }

    @Test
    void aFrameSuspendedInTheHotPlanResumesToTheSameEnd() {
        // One engine re-plans during the first step and is suspended in the hot plan; the state
        // (a pc and registers, whichever plan it was taken in) resumes in the interpreter and
        // then in the same engine, and again in a fresh one.
        Differential.Program program = new Differential.Program(SOURCE, new long[] {3, 0}, 1_000_000, 100, 1);
        Module m = program.module();
        for (long first = 20_000; first < 60_000; first += 4_999) {
            long[] points = {first, first + 3_001, first + 9_973};
            SuspendPropertyTest.Steps reference = SuspendPropertyTest.steps(program, m,
                    List.of(INTERP, INTERP, INTERP), points);
            JitEngine shared = new JitEngine(m, false, REPLAN);
            Function<Module, SuspendableEngine> same = x -> shared;
            assertEquals(reference, SuspendPropertyTest.steps(program, m, List.of(same, INTERP, same, HOT), points));
            assertNotNull(shared.hotRegions().plan(true, MAIN), "the first step ran past the re-plan");
        }
    }
}
