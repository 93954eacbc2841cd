package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.CellaException;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JIT's API: compiled code's form, bytecode dumps, statistics, interrupt polling, engine choice. */
class JitEngineTest {
    private static final String PROGRAM = """
            memory 1
            func spin(n: i64) -> i64 {
                reg i: i64, one: i64, at: i32, v: i32
                i64.const one, 1
            top:
                i32.load v, at, 0
                i32.add v, v, at
                i32.store at, 4, v
                i64.add i, i, one
                i64.br_lt_u i, n, top
                ret i
            }
            func unused() {
                ret
            }
            export func spin
            """;

    private static final class Stop extends CellaException {
        Stop() {
            super("stopped by the hook");
        }
    }

    private static Module module() {
        Module m = Assembler.assemble(PROGRAM, "api.casm");
        Verifier.verify(m);
        return m;
    }

    @Test
    void compiledFunctionsAreHiddenClassesNamedAfterTheirFunction() throws Exception {
        JitEngine jit = new JitEngine(module(), true);
        var info = MethodHandles.lookup().revealDirect(jit.handle(0));
        assertTrue(info.getDeclaringClass().isHidden());
        assertEquals("f0", info.getName());
        assertEquals(long.class, info.getMethodType().returnType());
    }

    @Test
    void dumpBytecodePrintsTheGeneratedMethodWithItsMemoryAndFuelCode() {
        String dump = new JitEngine(module(), false, JitEngine.Options.DEFAULT.withClientShapes(false)).dumpBytecode(0);
        assertTrue(dump.contains("static f0(Ldev/cella/jit/JitContext;JIJ)J"), dump);
        assertTrue(dump.contains("INVOKESTATIC dev/cella/jit/MemoryAccess.loadI32 ([BI)I"), dump);
        assertTrue(dump.contains("TRYCATCHBLOCK") && dump.contains("java/lang/IndexOutOfBoundsException"), dump);
        assertTrue(dump.matches("(?s).*IINC \\d+ -5\n.*"), "the loop's block is charged with one int decrement:\n" + dump);
        assertTrue(dump.contains("INVOKESTATIC dev/cella/jit/JitRuntime.leave"), dump);
        assertTrue(!dump.contains("JitRuntime.refuel"), "the direct method refuels outside its loops:\n" + dump);
        assertTrue(dump.contains("LADD"), dump);
        assertThrows(IllegalArgumentException.class, () -> new JitEngine(module()).dumpBytecode(7));
    }

    @Test
    void codeForC1AccessesMemoryInBytesAndChecksBoundsWithoutExceptionHandlers() {
        String dump = new JitEngine(module(), false, JitEngine.Options.DEFAULT.withClientShapes(true)).dumpBytecode(0);
        assertTrue(dump.contains("INVOKESTATIC dev/cella/jit/MemoryAccess.loadI32Bytes ([BI)I"), dump);
        assertTrue(!dump.contains("java/lang/IndexOutOfBoundsException"), "no bounds handler:\n" + dump);
        assertTrue(!dump.contains("checkIndex") && !dump.contains("VarHandle"), dump);
        assertTrue(dump.contains("GETSTATIC dev/cella/vm/TrapSignal.OUT_OF_BOUNDS"), "a jump to the trap stub:\n" + dump);
    }

    @Test
    void theEntryMethodAtALoopHeaderKnowsTheConstantRegistersAndLeavesThroughItsCode() {
        String dump = new JitEngine(module()).dumpEntryBytecode(0, 1, true);
        assertTrue(dump.contains("static e(Ldev/cella/jit/JitContext;[JJ)I"), dump);
        assertTrue(dump.contains("LCONST_1"), "the register one is materialized, not loaded:\n" + dump);
        assertTrue(dump.contains("IRETURN"), dump);
        assertThrows(IllegalArgumentException.class, () -> new JitEngine(module()).dumpEntryBytecode(0, 9, true));
    }

    @Test
    void theUnmeteredVariantChargesOnlyItsEntryAndLoopHeaderTheBlocksTheyLeadTo() {
        String metered = new JitEngine(module()).dumpBytecode(0, true);
        String unmetered = new JitEngine(module()).dumpBytecode(0, false);
        // Metered: the entry block (1 instruction), the loop (5) and the return (1).
        assertEquals(List.of("-1", "-5", "-1"), increments(metered), metered);
        // Unmetered: the entry (1 block before the loop header) and the header (its block and the return's).
        assertEquals(List.of("-1", "-2"), increments(unmetered), unmetered);
    }

    private static List<String> increments(String dump) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("IINC \\d+ (-\\d+)\n").matcher(dump);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void statsTellWhichFunctionsRanCompiled() {
        Module m = module();
        JitEngine jit = new JitEngine(m);
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        jit.invoke(instance, 0, 10L);
        assertEquals(FunctionStat.Tier.COMPILED, jit.functionStats().get(0).tier());
        assertEquals(FunctionStat.Tier.NOT_RUN, jit.functionStats().get(1).tier());
        assertEquals("f0 spin: compiled", jit.statsText());
    }

    @Test
    void theInterruptHookIsPolledAtLeastOncePer65536UnitsOfFuelInACompiledLoop() {
        Module m = module();
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        int[] polls = {0};
        instance.interruptHook(i -> polls[0]++);
        new JitEngine(m).invoke(instance, 0, 1_000_000L);
        assertTrue(polls[0] >= instance.fuelUsed() / JitRuntime.POLL_INTERVAL,
                polls[0] + " polls for " + instance.fuelUsed() + " units");
    }

    @Test
    void anExceptionFromTheInterruptHookStopsCompiledCodeWithExactFuel() {
        Module m = module();
        long[] used = new long[2];
        CellaException[] thrown = new CellaException[2];
        var engines = new dev.cella.vm.Engine[] {new JitEngine(m), new Interpreter(m)};
        for (int e = 0; e < 2; e++) {
            Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
            int[] polls = {0};
            instance.interruptHook(i -> {
                if (++polls[0] == 5) {
                    throw new Stop();
                }
            });
            int k = e;
            thrown[k] = assertThrows(Stop.class, () -> engines[k].invoke(instance, 0, Long.MAX_VALUE));
            used[k] = instance.fuelUsed();
        }
        assertInstanceOf(Stop.class, thrown[0]);
        assertTrue(used[0] > 4 * 60_000, "the guest ran between polls");
        assertEquals(used[1], used[0], "both engines stop after charging the same fuel");
    }

    @Test
    void anEngineRejectsAnInstanceOfAnotherModuleAndWrongArguments() {
        Module m = module();
        JitEngine jit = new JitEngine(m);
        Instance other = new Instance(module(), ImportResolver.NONE, InstanceOptions.defaults());
        assertThrows(IllegalArgumentException.class, () -> jit.invoke(other, 0, 1L));
        Instance mine = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        assertThrows(IllegalArgumentException.class, () -> jit.invoke(mine, 0));
        assertThrows(IllegalArgumentException.class, () -> jit.invoke(mine, 9, 1L));
        assertArrayEquals(new long[] {3}, jit.invoke(mine, 0, 3L));
    }
}
