package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.conformance.ConformanceSuite;
import dev.cella.vm.interp.Interpreter;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The auto engine: interpreter first, compiled when hot, identical behaviour either way. */
class TieredEngineTest {
    private static final String PROGRAM = """
            memory 1
            ; main's loop runs once per call of main; main itself is called once
            func main(n: i32) -> i64 {
                reg i: i32, one: i32, acc: i64, t: i64, mask: i32, at: i32
                i32.const one, 1
                i32.const mask, 0xFFF8
            loop:
                i64.extend_i32_u t, i
                i64.mul t, t, t
                i64.add acc, acc, t
                i32.and at, i, mask
                i64.store at, 0, acc
                i32.add i, i, one
                i32.br_lt_u i, n, loop
                ret acc
            }
            ; straight-line code: cheap to interpret until it is hot
            func mix(a: i32, b: i32) -> i32 {
                reg c: i32
                i32.mul c, a, b
                i32.xor c, c, a
                call twice, (c), (c)
                ret c
            }
            func twice(a: i32) -> i32 {
                i32.add a, a, a
                ret a
            }
            export func main
            export func mix
            """;

    private static Module module() {
        Module m = Assembler.assemble(PROGRAM, "tiered.casm");
        Verifier.verify(m);
        return m;
    }

    @TestFactory
    Stream<DynamicNode> conformanceScriptsPassOnTheTieredEngine() {
        return ConformanceSuite.tests(TieredEngine::new);
    }

    @Test
    void aLongLoopInAMainCalledOnceRunsCompiled() {
        Module m = module();
        TieredEngine auto = new TieredEngine(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        long[] compiled = auto.invoke(a, 0, 3_000_000);
        assertTrue(auto.runsCompiled(0));
        FunctionStat main = auto.functionStats().get(0);
        assertEquals(FunctionStat.Tier.COMPILED, main.tier());
        assertEquals(0, main.interpretedCalls(), "main's loop must not have started in the interpreter");
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        long[] interpreted = new Interpreter(m).invoke(b, 0, 3_000_000);
        assertArrayEquals(interpreted, compiled);
        assertEquals(b.fuelUsed(), a.fuelUsed());
    }

    @Test
    void aStraightLineFunctionIsInterpretedUntilHotThenCompiled() {
        Module m = module();
        TieredEngine auto = new TieredEngine(m);
        Interpreter interp = new Interpreter(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        for (int call = 0; call < TieredEngine.HOT_CALLS + 10; call++) {
            boolean compiledBefore = auto.runsCompiled(1);
            assertEquals(call >= TieredEngine.HOT_CALLS, compiledBefore, "call " + call);
            assertArrayEquals(interp.invoke(b, 1, call, 7 - call), auto.invoke(a, 1, call, 7 - call));
            assertEquals(b.fuelUsed(), a.fuelUsed());
        }
        FunctionStat mix = auto.functionStats().get(1);
        assertEquals(FunctionStat.Tier.COMPILED, mix.tier());
        assertEquals(TieredEngine.HOT_CALLS, mix.interpretedCalls());
        assertTrue(auto.jit().isCompiled(2), "the hot function's callee is compiled when first called");
    }

    @Test
    void functionsThatCanLoopOrRecurseAreNotBounded() {
        Module m = Assembler.assemble("""
                type t () -> ()
                table tab 1
                func straight() {
                    call leaf, (), ()
                    ret
                }
                func leaf() {
                    ret
                }
                func self() {
                    call self, (), ()
                    ret
                }
                func indirect() {
                    reg i: i32
                    call_indirect t, tab, i, (), ()
                    ret
                }
                func back() {
                    reg i: i32
                top:
                    br_if i, top
                    ret
                }
                func callsBack() {
                    call back, (), ()
                    ret
                }
                """, "bounded.casm");
        Verifier.verify(m);
        boolean[] bounded = TieredEngine.boundedFunctions(m);
        assertTrue(bounded[0]);
        assertTrue(bounded[1]);
        assertFalse(bounded[2]);
        assertFalse(bounded[3]);
        assertFalse(bounded[4]);
        assertFalse(bounded[5]);
    }

    @Test
    void randomProgramsBehaveIdenticallyOnTheInterpreterAndTheTieredEngine() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200)).forAll(new ProgramGen())
                .checkAssert(p -> Differential.assertAgree(p, Interpreter::new, TieredEngine::new));
    }
}
