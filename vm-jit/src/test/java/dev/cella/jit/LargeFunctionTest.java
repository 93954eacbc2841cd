package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.Module;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A guest function far beyond one JVM method (over 100,000 instructions, megabytes of bytecode)
 * is compiled by regions, every region method stays under HotSpot's 8000-byte compilation limit,
 * and the compiled code behaves exactly like the interpreter, including when fuel runs out in the
 * middle of it and when branches jump forward and backward across regions.
 */
class LargeFunctionTest {
    private static final int SEGMENTS = 6500;

    private static final String SOURCE = source();
    private static final Module MODULE = new Differential.Program(SOURCE, new long[0], 0, 1, 1).module();

    /** The big function's source: deterministic, so every run tests the same program. */
    static String source() {
        Random rnd = new Random(20240611);
        StringBuilder sb = new StringBuilder();
        sb.append("memory 1\n");
        sb.append("type unop (i32) -> (i32)\n");
        sb.append("table tab 1\nelem tab 0 [helper]\n");
        sb.append("func helper(x: i32) -> i32 {\n    reg y: i32\n    i32.const y, 40503\n    i32.mul x, x, y\n    ret x\n}\n");
        sb.append("func big(n: i32) -> i64 {\n");
        sb.append("    reg acc: i64, t: i64, a: i32, b: i32, k: i32, addr: i32, one: i32, zero: i32, back: i32,"
                + " f: f64, g: f64, r: i32\n");
        line(sb, "i32.const one, 1");
        line(sb, "i32.const zero, 0");
        line(sb, "i32.const back, 2");
        line(sb, "i64.extend_i32_s acc, n");
        for (int s = 0; s < SEGMENTS; s++) {
            sb.append("L").append(s).append(":\n");
            line(sb, "i32.const a, " + rnd.nextInt());
            line(sb, "i32.add b, a, n");
            line(sb, "i32.mul b, b, a");
            line(sb, "i64.extend_i32_u t, b");
            line(sb, "i64.add acc, acc, t");
            line(sb, "i64.rotl acc, acc, t");
            line(sb, "i32.const addr, " + (s * 8) % 60_000);
            line(sb, "i64.store addr, 0, acc");
            line(sb, "i64.load t, addr, 4");
            line(sb, "i64.xor acc, acc, t");
            line(sb, "f64.convert_i64_s f, acc");
            line(sb, "f64.sqrt g, f");
            line(sb, "f64.add f, f, g");
            line(sb, "i64.reinterpret_f64 t, f");
            line(sb, "i64.add acc, acc, t");
            if (s % 7 == 3) {
                line(sb, "i32.const k, 3");
                sb.append("K").append(s).append(":\n");
                line(sb, "i64.mul acc, acc, t");
                line(sb, "i64.const t, " + rnd.nextLong());
                line(sb, "i32.sub k, k, one");
                line(sb, "i32.br_gt_s k, zero, K" + s);
            }
            if (s % 11 == 5) {
                line(sb, "i32.wrap_i64 r, acc");
                line(sb, "i32.and r, r, one");
                line(sb, "br_if r, " + (s + 200 < SEGMENTS ? "L" + (s + 200) : "END"));
            }
            if (s % 13 == 6) {
                line(sb, "call helper, (b), (b)");
                line(sb, "i64.extend_i32_s t, b");
                line(sb, "i64.add acc, acc, t");
            }
            if (s % 17 == 8) {
                line(sb, "call_indirect unop, tab, zero, (b), (b)");
                line(sb, "i64.extend_i32_s t, b");
                line(sb, "i64.sub acc, acc, t");
            }
        }
        sb.append("END:\n");
        line(sb, "i32.sub back, back, one");
        line(sb, "i32.br_gt_s back, zero, L" + SEGMENTS / 2);
        line(sb, "ret acc");
        sb.append("}\nexport func big \"main\"\n");
        return sb.toString();
    }

    private static void line(StringBuilder sb, String s) {
        sb.append("    ").append(s).append('\n');
    }

    private static int instructionCount(Module m, int function) {
        CodeReader r = new CodeReader(m.function(function).code(), 0);
        int n = 0;
        while (r.hasNext()) {
            r.next();
            n++;
        }
        return n;
    }

    @Test
    void aFunctionOfOverOneHundredThousandInstructionsCompilesIntoRegionsUnderTheMethodLimit() {
        Module m = MODULE;
        int big = 1;
        assertTrue(instructionCount(m, big) >= 100_000, "the test function is smaller than it should be");
        JitEngine jit = new JitEngine(m, true);
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        jit.invoke(instance, big, 7);
        // Sizes as emitted (regions are emitted when first entered; a region not entered has its estimate).
        int[] sizes = jit.codeSizes(big);
        assertTrue(sizes.length > 1, "a function this large must be split into regions");
        assertTrue(jit.compiledRegions(true, big) > 0, "the run entered regions");
        for (int k = 0; k < sizes.length; k++) {
            assertTrue(sizes[k] <= FunctionCompiler.METHOD_LIMIT, "region " + k + " has " + sizes[k] + " bytes");
        }
        assertEquals(FunctionStat.Tier.COMPILED, jit.functionStats().get(big).tier());
        assertEquals(sizes.length, jit.functionStats().get(big).regions());
    }

    @Test
    void aFunctionOfOverOneHundredThousandInstructionsRunsExactlyAsInTheInterpreter() {
        Differential.Program program = new Differential.Program(SOURCE, new long[] {12345}, Long.MAX_VALUE, 10_000, 2);
        Differential.assertAgree(program, MODULE, Interpreter::new, JitEngine::new);
    }

    @Test
    void fuelRunsOutAtTheSamePcInTheMiddleOfALargeFunction() {
        Interpreter interpreter = new Interpreter(MODULE);
        JitEngine jit = new JitEngine(MODULE);
        for (long fuel : new long[] {1, 77_777, 150_001}) {
            Differential.Program program = new Differential.Program(SOURCE, new long[] {-3}, fuel, 10_000, 1);
            Differential.assertAgree(program, MODULE, m -> interpreter, m -> jit);
        }
    }
}
