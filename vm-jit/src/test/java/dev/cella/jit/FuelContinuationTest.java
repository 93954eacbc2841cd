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
 * A direct method whose fuel window runs out leaves its loop and the function continues in entry
 * methods ({@link JitRuntime#resume}). These runs are long enough for many windows, so the
 * continuation runs at every leader of nested loops (with calls, memory and floats in them), and
 * budgets swept over a range make fuel run out at each of those leaders inside entry methods.
 * Results, traps, fuel used, interrupt polls, memory and globals must match the interpreter's.
 */
class FuelContinuationTest {
    private static final String NESTED = """
            memory 1
            global g: i64 mut = 0
            func leaf(x: i32) -> i32 {
                reg one: i32
                i32.const one, 1
                i32.add x, x, one
                ret x
            }
            func main(n: i32) -> i32 {
                reg i: i32, j: i32, k: i32, one: i32, four: i32, acc: i32, t: i32, f: f64, h: f64, w: i64
                i32.const one, 1
                i32.const four, 4
                f64.const h, 1.5
            outer:
                i32.const j, 0
            middle:
                i32.const k, 0
            inner:
                i32.add acc, acc, k
                i32.and t, k, four
                br_if t, skip
                call leaf, (acc), (acc)
            skip:
                f64.convert_i32_s f, k
                f64.mul f, f, h
                f64.store t, 8, f
                i32.add k, k, one
                i32.br_lt_s k, n, inner
                i32.store j, 64, acc
                i64.extend_i32_u w, acc
                i64.global_set g, w
                i32.add j, j, one
                i32.br_lt_s j, n, middle
                i32.add i, i, one
                i32.br_lt_s i, n, outer
                ret acc
            }
            export func main "main"
            """;

    private static final String RECURSIVE = """
            func fib(n: i32) -> i32 {
                reg two: i32, a: i32, b: i32, one: i32
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
            export func fib "main"
            """;

    /** Chains of blocks entered from one block only (whose checks that block covers), and calls. */
    private static final String BRANCHY = """
            func leaf(x: i32) -> i32 {
                reg one: i32
                i32.const one, 1
                i32.add x, x, one
                ret x
            }
            func main(n: i32) -> i32 {
                reg a: i32, b: i32, one: i32, three: i32, t: i32
                i32.const one, 1
                i32.const three, 3
                i32.and t, n, one
                br_if t, odd
                i32.add a, a, three
                i32.mul a, a, three
                i32.and t, n, three
                br_table t, [b0, b1, b2], b3
            b0:
                i32.add a, a, one
                br joined
            b1:
                call leaf, (a), (a)
                i32.add a, a, one
                br joined
            b2:
                i32.sub a, a, one
                i32.add a, a, n
                i32.add a, a, n
                br_unless a, joined
                i32.add a, a, one
                i32.add a, a, one
                i32.add a, a, one
                br joined
            b3:
                ret a
            odd:
                i32.sub a, a, three
                call leaf, (a), (a)
                i32.add b, a, n
                br_if b, joined
                i32.add a, a, one
            joined:
                i32.add a, a, n
                ret a
            }
            export func main "main"
            """;

    private static void agree(String source, long arg, long fuel) {
        Differential.Program p = new Differential.Program(source, new long[] {arg}, fuel, 10_000, 2);
        Differential.assertAgree(p, Interpreter::new, JitEngine::new);
    }

    @Test
    void aLongRunOfNestedLoopsContinuesInEntryMethodsExactly() {
        agree(NESTED, 60, Long.MAX_VALUE);
        Module m = new Differential.Program(NESTED, new long[0], 0, 1, 1).module();
        JitEngine jit = new JitEngine(m);
        jit.invoke(new Instance(m, Differential.hosts(), InstanceOptions.defaults()), 1, 60L);
        assertTrue(jit.compiledEntries(true, 1) >= 3, "the run continued at the leaders of all three loops");
    }

    @Test
    void fuelRunningOutAtEveryLeaderOfTheLoopsInsideEntryMethodsTrapsExactly() {
        for (long fuel = 3 * JitRuntime.POLL_INTERVAL; fuel < 3 * JitRuntime.POLL_INTERVAL + 40; fuel++) {
            agree(NESTED, 60, fuel);
        }
        for (long fuel = 1_000_000; fuel < 1_000_000 + 5_000; fuel += 997) {
            agree(NESTED, 60, fuel);
        }
    }

    @Test
    void fuelRunningOutAtEveryBlockOfBranchyCodeTrapsExactlyWhereTheInterpreterDoes() {
        for (long n = 0; n < 8; n++) {
            for (long fuel = 0; fuel <= 30; fuel++) {
                agree(BRANCHY, n, fuel);
            }
        }
    }

    @Test
    void recursionThatRunsOutOfItsWindowInsideCallsContinuesExactly() {
        agree(RECURSIVE, 24, Long.MAX_VALUE);
        for (long fuel = 2 * JitRuntime.POLL_INTERVAL; fuel < 2 * JitRuntime.POLL_INTERVAL + 12; fuel++) {
            agree(RECURSIVE, 24, fuel);
        }
    }

    @Test
    void theInterruptHookStopsAGuestRunningInAnEntryMethodAfterTheSameFuelAsTheInterpreter() {
        Module m = new Differential.Program(NESTED, new long[0], 0, 1, 1).module();
        long[] used = new long[2];
        var engines = new dev.cella.vm.Engine[] {new JitEngine(m), new Interpreter(m)};
        for (int e = 0; e < 2; e++) {
            Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
            int[] polls = {0};
            instance.interruptHook(i -> {
                if (++polls[0] == 7) {
                    throw new dev.cella.vm.GuestExit(3);
                }
            });
            dev.cella.vm.Engine engine = engines[e];
            try {
                engine.invoke(instance, 1, 60L);
            } catch (dev.cella.vm.GuestExit expected) {
                used[e] = instance.fuelUsed();
            }
        }
        assertTrue(used[0] > 6 * 60_000, "the guest ran between polls: " + used[0]);
        assertEquals(used[1], used[0], "both engines stop after the same fuel");
    }
}
