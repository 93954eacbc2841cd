package dev.cella.jit.redteam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.jit.JitEngine;
import dev.cella.jit.TieredEngine;
import dev.cella.vm.Engine;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Red team, issue 13 finding 6 and issue 14 item 4: a function the verifier accepts but the JIT
 * cannot compile (here a br_table of 100,000 targets, whose tableswitch alone passes the JVM's
 * 64 KiB method limit) ended the run with "Method too large" (exit 70) on {@code jit}, and on
 * {@code auto} once it got hot. It now runs in the interpreter, called from compiled code like
 * any function, with the same results and fuel, and the engine's statistics say so.
 */
class HugeFunctionsFallBackTest {
    /** main(x) calls big(x) 100 times (so auto compiles main and links big) and sums the results. */
    private static String program(int targets) {
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < targets; i++) {
            t.append(i == 0 ? "" : ", ").append("L").append(i % 3);
        }
        return """
                export func main "main"
                func main(x: i32) -> (i32) {
                    reg sum: i32, r: i32, n: i32, one: i32
                    i32.const n, 100
                    i32.const one, 1
                again:
                    call big, (x), (r)
                    i32.add sum, sum, r
                    i32.add x, x, one
                    i32.sub n, n, one
                    br_if n, again
                    ret sum
                }
                func big(x: i32) -> (i32) {
                    reg r: i32
                    br_table x, [%s], L3
                L0:
                    i32.const r, 10
                    ret r
                L1:
                    i32.const r, 20
                    ret r
                L2:
                    i32.const r, 30
                    ret r
                L3:
                    i32.const r, 40
                    ret r
                }
                """.formatted(t);
    }

    @Test
    void aFunctionWithFiftyThousandLocalsRunsOnEveryEngine() {
        StringBuilder regs = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            regs.append(i == 0 ? "" : ", ").append("v").append(i).append(i % 2 == 0 ? ": i64" : ": f64");
        }
        for (int i = 2; i < 50_000; i += 2) {
            body.append("    i64.add v").append(i).append(", v").append(i - 2).append(", v0\n");
        }
        String src = """
                export func main "main"
                func main(x: i32) -> (i32) {
                    reg %s
                    i64.extend_i32_s v0, x
                %s    i32.wrap_i64 x, v49998
                    ret x
                }
                """.formatted(regs, body);
        Module m = Assembler.assemble(src, "many-locals.casm");
        Verifier.verify(m);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long[] fuel = new long[1];
            long[] expected = run(new Interpreter(m), m, fuel);
            assertEquals((int) (25_000L * 99_950), expected[0]);
            long interpFuel = fuel[0];
            for (Engine e : new Engine[] {new JitEngine(m), new TieredEngine(m)}) {
                assertArrayEquals(expected, run(e, m, fuel));
                assertEquals(interpFuel, fuel[0], "fuel");
            }
        });
    }

    private static long[] run(Engine engine, Module m, long[] fuelUsed) {
        Instance inst = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults().withFuel(10_000_000));
        long[] r = engine.invoke(inst, inst.exportedFunction("main"), 99_950);
        fuelUsed[0] = inst.fuelUsed();
        return r;
    }

    @Test
    void aBrTableOfOneHundredThousandTargetsRunsOnEveryEngine() {
        Module m = Assembler.assemble(program(100_000), "big-br-table.casm");
        Verifier.verify(m);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long[] fuel = new long[1];
            long[] expected = run(new Interpreter(m), m, fuel);
            long interpFuel = fuel[0];
            // x = 99,950 .. 100,049: 50 in the table (30, 10, 20 by x % 3, from 99,950 % 3 = 2),
            // 50 past it (40 each).
            assertEquals(16 * 60 + 30 + 10 + 50 * 40, expected[0]);
            JitEngine jit = new JitEngine(m);
            assertArrayEquals(expected, run(jit, m, fuel));
            assertEquals(interpFuel, fuel[0], "fuel on jit");
            FunctionStat big = jit.functionStats().get(1);
            assertEquals(FunctionStat.Tier.FELL_BACK, big.tier());
            assertEquals(FunctionStat.Tier.COMPILED, jit.functionStats().get(0).tier());
            TieredEngine auto = new TieredEngine(m);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected, run(auto, m, fuel));
                assertEquals(interpFuel, fuel[0], "fuel on auto");
            }
        });
    }
}
