package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * A function compiled by regions gets the method of each region only when a run first enters it
 * ({@link FunctionCompiler#compileRegion}): regions no run reaches are never generated, and the
 * code behaves exactly like the interpreter whichever regions exist when.
 */
class LazyRegionTest {
    /** {@code main(n)}: two long arms, the second taken only if {@code n} is not zero. */
    private static final String SOURCE = source();
    private static final Module MODULE = new Differential.Program(SOURCE, new long[0], 0, 1, 1).module();

    private static String source() {
        StringBuilder sb = new StringBuilder();
        sb.append("func main(n: i32) -> i32 {\n    reg a: i32, b: i32\n");
        sb.append("    i32.const a, 1\n    br_if n, COLD\n");
        for (String arm : new String[] {"HOT", "COLD"}) {
            sb.append(arm).append(":\n");
            for (int i = 0; i < 600; i++) {
                sb.append("    i32.const b, ").append(i * 7919 + (arm.equals("HOT") ? 1 : 3)).append('\n');
                sb.append("    i32.mul a, a, b\n");
                sb.append("    i32.add a, a, n\n");
            }
            sb.append("    ret a\n");
        }
        sb.append("}\nexport func main \"main\"\n");
        return sb.toString();
    }

    private static long[] run(dev.cella.vm.Engine engine, int n) {
        Instance instance = new Instance(MODULE, ImportResolver.NONE, InstanceOptions.defaults().withFuel(1_000_000));
        long r = engine.invoke(instance, 0, n)[0];
        return new long[] {r, instance.fuelUsed()};
    }

    @Test
    void regionsNoRunEntersAreNeverGenerated() {
        JitEngine jit = new JitEngine(MODULE);
        Interpreter interpreter = new Interpreter(MODULE);
        assertEquals(java.util.Arrays.toString(run(interpreter, 0)), java.util.Arrays.toString(run(jit, 0)));
        int regions = jit.functionStats().get(0).regions();
        assertTrue(regions >= 4, "the function should need several regions, not " + regions);
        int hot = jit.compiledRegions(true, 0);
        assertTrue(hot > 0 && hot < regions, hot + " of " + regions + " regions generated after the first arm");

        assertEquals(java.util.Arrays.toString(run(interpreter, 5)), java.util.Arrays.toString(run(jit, 5)));
        int both = jit.compiledRegions(true, 0);
        assertTrue(both > hot && both <= regions, both + " of " + regions + " regions generated after both arms");
        int[] sizes = jit.codeSizes(0);
        for (int k = 0; k < sizes.length; k++) {
            assertTrue(sizes[k] > 0 && sizes[k] <= FunctionCompiler.METHOD_LIMIT, "region " + k + ": " + sizes[k]);
        }
    }
}
