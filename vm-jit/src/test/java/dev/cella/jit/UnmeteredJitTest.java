package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.CellaException;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * Unmetered instances ({@link InstanceOptions#withMetered}) on the JIT: the same results and
 * memory as metered runs, no fuel charged or needed, and the interrupt hook still polled at loop
 * back-edges and calls at least once per 65,536 executed blocks, so it can stop the guest.
 */
class UnmeteredJitTest {
    private static final String PROGRAM = """
            memory 1
            import tick "env" "tick" (i32) -> i32
            func fib(n: i32) -> i32 {
                reg two: i32, one: i32, a: i32, b: i32
                i32.const two, 2
                i32.const one, 1
                i32.br_lt_s n, two, small
                i32.sub a, n, one
                call fib, (a), (a)
                i32.sub b, n, two
                call fib, (b), (b)
                i32.add a, a, b
                ret a
            small:
                ret n
            }
            func count(n: i32) -> i32 {
                reg i: i32, one: i32, acc: i32, t: i32
                i32.const one, 1
            top:
                i32.add acc, acc, i
                i32.store8 one, 0, acc
                i32.add i, i, one
                i32.br_lt_u i, n, top
                ret acc
            }
            func ticks(n: i32) -> i32 {
                reg i: i32, one: i32, acc: i32
                i32.const one, 1
            top:
                call tick, (i), (acc)
                i32.add i, i, one
                i32.br_lt_u i, n, top
                ret acc
            }
            export func fib
            export func count
            export func ticks
            """;

    private static final class Stop extends CellaException {
        Stop() {
            super("stopped by the hook");
        }
    }

    private static Module module() {
        Module m = Assembler.assemble(PROGRAM, "unmetered.casm");
        Verifier.verify(m);
        return m;
    }

    private static final ImportResolver TICK = (module, name, type) -> (HostFunction) (instance, a) -> a[0] + 1;

    private static Instance instance(Module m, boolean metered, long fuel) {
        return new Instance(m, TICK, InstanceOptions.defaults().withFuel(fuel).withMetered(metered));
    }

    @Test
    void anUnmeteredRunGivesTheResultsAndMemoryOfAMeteredOneWithoutChargingFuel() {
        Module m = module();
        JitEngine jit = new JitEngine(m);
        String[] exports = {"fib", "count", "ticks"};
        long[] args = {21, 200_000, 200_000};
        for (int k = 0; k < exports.length; k++) {
            String export = exports[k];
            Instance metered = instance(m, true, Long.MAX_VALUE);
            Instance unmetered = instance(m, false, Long.MAX_VALUE);
            int f = metered.exportedFunction(export);
            long[] expected = new Interpreter(m).invoke(metered, f, args[k]);
            long[] actual = jit.invoke(unmetered, f, args[k]);
            assertArrayEquals(expected, actual, export);
            assertArrayEquals(metered.memory().snapshot(), unmetered.memory().snapshot(), export);
            assertTrue(metered.fuelUsed() > 0, export);
            assertEquals(0, unmetered.fuelUsed(), export);
            assertEquals(Long.MAX_VALUE, unmetered.fuelRemaining(), export);
        }
    }

    @Test
    void anUnmeteredRunNeverRunsOutOfFuel() {
        Module m = module();
        Instance unmetered = instance(m, false, 10);
        assertArrayEquals(new long[] {832_040}, new JitEngine(m).invoke(unmetered, unmetered.exportedFunction("fib"), 30L));
        assertEquals(0, unmetered.fuelUsed());
    }

    @Test
    void theHookIsPolledAtLeastOncePer65536BlocksInLoopsRecursionAndLoopsOfHostCalls() {
        Module m = module();
        JitEngine jit = new JitEngine(m);
        // count runs one block per iteration; fib two to three per call; ticks two per iteration.
        long[][] runs = {{2, 5_000_000, 5_000_000}, {1, 27, 2 * 317_811}, {3, 1_000_000, 2_000_000}};
        String[] names = {"a loop", "recursion", "a loop of host calls"};
        for (int r = 0; r < runs.length; r++) {
            Instance unmetered = instance(m, false, Long.MAX_VALUE);
            int[] polls = {0};
            unmetered.interruptHook(i -> polls[0]++);
            jit.invoke(unmetered, (int) runs[r][0], runs[r][1]);
            long blocks = runs[r][2];
            assertTrue(polls[0] >= blocks / JitRuntime.POLL_INTERVAL,
                    names[r] + ": " + polls[0] + " polls for at least " + blocks + " blocks");
        }
    }

    @Test
    void theHookStopsAnUnmeteredGuest() {
        Module m = module();
        Instance unmetered = instance(m, false, Long.MAX_VALUE);
        int[] polls = {0};
        unmetered.interruptHook(i -> {
            if (++polls[0] == 3) {
                throw new Stop();
            }
        });
        assertThrows(Stop.class, () -> new JitEngine(m).invoke(unmetered, unmetered.exportedFunction("count"), -1L));
        assertEquals(3, polls[0]);
        assertEquals(0, unmetered.fuelUsed());
    }

    @Test
    void meteredAndUnmeteredInstancesShareOneEngineAndKeepTheirOwnAccounting() {
        Module m = module();
        JitEngine jit = new JitEngine(m);
        Instance reference = instance(m, true, Long.MAX_VALUE);
        int count = reference.exportedFunction("count");
        new Interpreter(m).invoke(reference, count, 100_000L);
        for (int round = 0; round < 2; round++) {
            Instance metered = instance(m, true, Long.MAX_VALUE);
            Instance unmetered = instance(m, false, Long.MAX_VALUE);
            jit.invoke(unmetered, count, 100_000L);
            jit.invoke(metered, count, 100_000L);
            assertEquals(reference.fuelUsed(), metered.fuelUsed());
            assertEquals(0, unmetered.fuelUsed());
        }
        assertTrue(jit.isCompiled(count));
    }
}
