package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * Functions beyond the JVM's other limits: more parameters than a JVM method may take (255
 * slots; such functions take their arguments packed in a {@code long[]}), and more registers than
 * a JVM method may have locals (65,535 slots; such functions are compiled by regions, each
 * holding only the registers it uses). They run exactly as in the interpreter, called directly,
 * through call_indirect and as the entry function.
 */
class WideFunctionTest {
    private static final int PARAMS = 140;

    private static String manyParameters() {
        StringBuilder sb = new StringBuilder("type wide (");
        StringBuilder params = new StringBuilder();
        StringBuilder args = new StringBuilder();
        for (int i = 0; i < PARAMS; i++) {
            sb.append(i == 0 ? "" : ", ").append(i % 2 == 0 ? "i64" : "f64");
            params.append(i == 0 ? "" : ", ").append("p").append(i).append(": ").append(i % 2 == 0 ? "i64" : "f64");
            args.append(i == 0 ? "" : ", ").append(i % 2 == 0 ? "a" : "b");
        }
        sb.append(") -> (i64, f64)\n");
        sb.append("table tab 1\nelem tab 0 [sum]\n");
        sb.append("func sum(").append(params).append(") -> (i64, f64) {\n    reg s: i64, t: f64\n");
        for (int i = 0; i < PARAMS; i++) {
            sb.append(i % 2 == 0 ? "    i64.add s, s, p" + i + "\n" : "    f64.add t, t, p" + i + "\n");
        }
        sb.append("    ret s, t\n}\n");
        sb.append("func main(x: i64) -> (i64, f64, i64, f64) {\n    reg a: i64, b: f64, s: i64, t: f64, u: i64, v: f64,"
                + " zero: i32\n");
        sb.append("    i64.mov a, x\n    f64.convert_i64_s b, x\n");
        sb.append("    call sum, (").append(args).append("), (s, t)\n");
        sb.append("    call_indirect wide, tab, zero, (").append(args).append("), (u, v)\n");
        sb.append("    ret s, t, u, v\n}\nexport func main\nexport func sum\n");
        return sb.toString();
    }

    @Test
    void aFunctionWithMoreParametersThanAJvmMethodTakesRunsExactly() {
        Differential.Program p = new Differential.Program(manyParameters(), new long[] {-7}, Long.MAX_VALUE, 100, 2);
        assertTrue(new JitEngine(p.module()).signature(0).packed, "the test must exceed the JVM's parameter limit");
        Differential.assertAgree(p, Interpreter::new, JitEngine::new,
                m -> new JitEngine(m, false, JitEngine.Options.splitEverything()));
    }

    @Test
    void aFunctionWithMoreRegistersThanAJvmMethodHasLocalsRunsExactly() {
        int registers = 40_000;
        StringBuilder sb = new StringBuilder("func main(x: i64) -> i64 {\n    reg ");
        for (int i = 0; i < registers; i++) {
            sb.append(i == 0 ? "" : ", ").append("r_").append(i).append(": i64");
        }
        sb.append('\n');
        for (int i = 1; i < registers; i += 997) {
            sb.append("    i64.add r_").append(i).append(", r_").append(Math.max(1, i - 997)).append(", x\n");
            sb.append("    i64.mul x, x, r_").append(i).append('\n');
        }
        sb.append("    ret x\n}\nexport func main\n");
        Differential.Program p = new Differential.Program(sb.toString(), new long[] {3}, Long.MAX_VALUE, 100, 1);
        JitEngine jit = new JitEngine(p.module(), true);
        assertTrue(jit.codeSizes(0).length >= 1 && jit.functionStats().get(0).regions() > 0,
                "80,000 local slots cannot be one JVM method");
        Differential.assertAgree(p, Interpreter::new, JitEngine::new);
    }
}
