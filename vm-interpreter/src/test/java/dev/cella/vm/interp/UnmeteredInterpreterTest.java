package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.CellaException;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unmetered instances ({@link InstanceOptions#withMetered}) on the interpreter: the results,
 * traps, memory, globals and host calls of metered runs, no fuel charged or needed, and the
 * interrupt hook still polled at loop back-edges and calls, at least once per 65,536 executed
 * blocks, so that it can stop the guest. Suspension is in {@link UnmeteredSuspendTest}.
 */
class UnmeteredInterpreterTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);
    /** Generous: only a loop that never polls the hook, never a slow run, should ever reach it. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    /**
     * Loops (nested, one entered by falling through, a do-while), forward branches and joins
     * (one at a nop), a br_table, guest and host calls in a loop, recursion, and traps: divide by
     * zero at n = 13, out of bounds for n outside 0..15, call stack exhausted for deep recursion.
     */
    static final String MIXED = """
            memory 1
            import tick "env" "tick" (i32) -> i32
            global calls: i32 mut = 0
            export func mixed
            export func deep
            export func spin
            export func ticks
            export func fib
            export func stores

            func mixed(n: i32) -> i32 {
                reg i: i32, j: i32, acc: i32, one: i32, three: i32, t: i32, k: i32
                i32.const one, 1
                i32.const three, 3
            outer:
                i32.const j, 0
                i32.rem_u k, i, three
                br_table k, [c0, c1], c2
            c0:
                i32.add acc, acc, i
                br joined
            c1:
                call tick, (acc), (acc)
                br joined
            c2:
                call leaf, (i), (t)
                i32.xor acc, acc, t
            joined:
                nop
            inner:
                i32.add acc, acc, j
                i32.add j, j, one
                i32.br_lt_s j, i, inner
                i32.add i, i, one
                i32.br_lt_s i, n, outer
                i32.const t, 13
                i32.sub t, n, t
                i32.div_s acc, acc, t
                i32.const t, 4096
                i32.mul t, n, t
                i32.store t, 0, acc
                ret acc
            }

            func leaf(x: i32) -> i32 {
                i32.mul x, x, x
                ret x
            }

            func deep(n: i32) -> i32 {
                reg one: i32, m: i32
                i32.const one, 1
                br_unless n, bottom
                i32.sub m, n, one
                call deep, (m), (m)
                i32.add m, m, n
                ret m
            bottom:
                ret n
            }

            func spin() {
            top:
                br top
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

            func fib(n: i32) -> i32 {
                reg a: i32, b: i32, two: i32, c: i32
                i32.global_get c, calls
                i32.const a, 1
                i32.add c, c, a
                i32.global_set calls, c
                i32.const two, 2
                i32.br_lt_s n, two, small
                i32.const a, 1
                i32.sub a, n, a
                call fib, (a), (a)
                i32.sub b, n, two
                call fib, (b), (b)
                i32.add a, a, b
                ret a
            small:
                ret n
            }

            func stores(n: i32) -> i32 {
                reg i: i32, one: i32, zero: i32
                i32.const one, 1
            top:
                i32.store zero, 0, i
                i32.add i, i, one
                i32.br_lt_u i, n, top
                ret i
            }
            """;

    static final class Stop extends CellaException {
        Stop() {
            super("stopped by the hook");
        }
    }

    /** A guest of {@code source} whose host functions (tick: x + 1, log) append their first argument to {@code log}. */
    static Guest guest(String source, boolean metered, long fuel, List<Long> log) {
        ImportResolver imports = (module, name, type) -> (instance, args) -> {
            log.add(args[0]);
            return args[0] + 1;
        };
        return new Guest(source, imports, InstanceOptions.defaults().withFuel(fuel).withMetered(metered)
                .withMaxCallDepth(1_000));
    }

    /** What a call did: its results or its trap, and the state it left. */
    record Outcome(long[] results, TrapKind trap, int trapFunction, int trapPc, byte[] memory, long[] globals,
            List<Long> log) {
        void assertSame(Outcome o, String what) {
            assertArrayEquals(results, o.results, what + ": results");
            assertEquals(trap, o.trap, what + ": trap");
            assertEquals(trapFunction, o.trapFunction, what + ": trap function");
            assertEquals(trapPc, o.trapPc, what + ": trap pc");
            assertArrayEquals(memory, o.memory, what + ": memory");
            assertArrayEquals(globals, o.globals, what + ": globals");
            assertEquals(log, o.log, what + ": host calls");
        }
    }

    static Outcome run(Guest g, List<Long> log, String export, long... args) {
        long[] results = null;
        Trap trap = null;
        try {
            results = g.call(export, args);
        } catch (Trap t) {
            trap = t;
        }
        byte[] memory = g.instance.memory() == null ? new byte[0] : g.instance.memory().snapshot();
        return new Outcome(results, trap == null ? null : trap.kind(), trap == null ? -1 : trap.function(),
                trap == null ? -1 : trap.pc(), memory, g.instance.globals().clone(), List.copyOf(log));
    }

    @Test
    void unmeteredRunsReturnAndTrapAsMeteredRunsDoWithoutChargingFuel() {
        String[] exports = {"mixed", "deep", "fib", "ticks"};
        qt().withExamples(EXAMPLES).forAll(integers().between(0, exports.length - 1), integers().between(-3, 20))
                .checkAssert((e, n) -> {
                    String export = exports[e];
                    long arg = switch (export) {
                        case "deep" -> n * 60L;
                        case "ticks" -> Math.max(0, n) * 1000L; // a negative n would loop 2^32 times
                        default -> n;
                    };
                    List<Long> meteredLog = new ArrayList<>();
                    Guest metered = guest(MIXED, true, Long.MAX_VALUE, meteredLog);
                    Outcome expected = run(metered, meteredLog, export, arg);
                    List<Long> log = new ArrayList<>();
                    Guest unmetered = guest(MIXED, false, Long.MAX_VALUE, log);
                    run(unmetered, log, export, arg).assertSame(expected, export + "(" + arg + ")");
                    assertTrue(metered.instance.fuelUsed() > 0, "the metered run charged fuel");
                    assertEquals(0, unmetered.instance.fuelUsed(), "fuel used");
                    assertEquals(Long.MAX_VALUE, unmetered.instance.fuelRemaining(), "fuel left");
                });
    }

    @Test
    void theSuspendTestProgramRunsTheSameUnmetered() {
        for (int n = 0; n <= 14; n++) {
            List<Long> meteredLog = new ArrayList<>();
            Outcome expected = run(guest(SuspendResumeTest.PROGRAM, true, Long.MAX_VALUE, meteredLog), meteredLog, "main",
                    n);
            List<Long> log = new ArrayList<>();
            Guest g = guest(SuspendResumeTest.PROGRAM, false, Long.MAX_VALUE, log);
            run(g, log, "main", n).assertSame(expected, "main(" + n + ")");
            assertEquals(0, g.instance.fuelUsed());
        }
    }

    @Test
    void trapsOtherThanFuelNameTheSameFunctionAndPcUnmetered() {
        for (long i : new long[] {-1, 1, 2, 4}) {
            Guest metered = new Guest(InterpreterTrapTest.INDIRECT);
            Guest unmetered = new Guest(InterpreterTrapTest.INDIRECT, InstanceOptions.defaults().withMetered(false));
            Trap expected = assertThrows(Trap.class, () -> metered.call("dispatch", i, 5));
            Trap actual = assertThrows(Trap.class, () -> unmetered.call("dispatch", i, 5));
            assertEquals(expected.getMessage(), actual.getMessage());
        }
        Trap depth = assertThrows(Trap.class,
                () -> guest(MIXED, false, Long.MAX_VALUE, new ArrayList<>()).call("deep", 5_000));
        assertEquals(TrapKind.CALL_STACK_EXHAUSTED, depth.kind());
    }

    @Test
    void aBudgetThatAMeteredRunExhaustsNeverRunsOutUnmetered() {
        Trap trap = assertThrows(Trap.class, () -> guest(MIXED, true, 10, new ArrayList<>()).call("fib", 25));
        assertEquals(TrapKind.FUEL_EXHAUSTED, trap.kind());
        for (long fuel : new long[] {0, 10}) {
            Guest g = guest(MIXED, false, fuel, new ArrayList<>());
            assertEquals(75_025, g.call1("fib", 25));
            assertEquals(1_000_000, g.call1("stores", 1_000_000));
            assertEquals(0, g.instance.fuelUsed());
            assertEquals(fuel, g.instance.fuelRemaining());
        }
    }

    @Test
    void meteredAndUnmeteredInstancesShareOneInterpreterAndKeepTheirOwnAccounting() {
        Guest reference = guest(MIXED, true, Long.MAX_VALUE, new ArrayList<>());
        reference.call("mixed", 12);
        Guest metered = guest(MIXED, true, Long.MAX_VALUE, new ArrayList<>());
        Instance unmetered = new Instance(metered.module, (m, n, t) -> (i, a) -> 0,
                InstanceOptions.defaults().withMetered(false));
        int mixed = metered.function("mixed");
        for (int round = 0; round < 3; round++) {
            metered.engine.invoke(unmetered, mixed, 12);
            metered.engine.invoke(metered.instance, mixed, 12);
        }
        assertEquals(3 * reference.instance.fuelUsed(), metered.instance.fuelUsed());
        assertEquals(0, unmetered.fuelUsed());
    }

    @Test
    void unmeteredCodeHasHeadersOnlyAtCheckSitesChargingTheLongestRunToTheNext() {
        Guest g = new Guest("""
                func f(n: i32) -> i32 {
                    reg i: i32, one: i32, t: i32
                    i32.const one, 1
                top:
                    i32.and t, i, one
                    br_unless t, skip
                    i32.add i, i, one
                skip:
                    i32.add i, i, one
                    i32.br_lt_u i, n, top
                    ret i
                }
                export func f
                """);
        // Blocks: B0 entry, B1 top (a check site: branched back to), B2, B3 skip, B4 ret. From B1
        // the longest run before B1 again or a return is B1 B2 B3 B4: 4 blocks. B0 reaches a check
        // site at once: 1. Only B0 and B1 have headers; br_unless lands on skip's instruction.
        assertArrayEquals(new int[] {
            Op.FUEL, 1, Op.I32_CONST, 2, 1,
            Op.FUEL, 4, Op.I32_AND, 3, 1, 2, Op.BR_UNLESS, 3, 18,
            Op.I32_ADD, 1, 1, 2,
            Op.I32_ADD, 1, 1, 2, Op.I32_BR_LT_U, 1, 0, 5,
            Op.RET, 1, 1}, Decoder.decode(g.module, 0, false).code);
        assertArrayEquals(new int[] {
            Op.FUEL, 1, Op.I32_CONST, 2, 1,
            Op.FUEL, 2, Op.I32_AND, 3, 1, 2, Op.BR_UNLESS, 3, 20,
            Op.FUEL, 1, Op.I32_ADD, 1, 1, 2,
            Op.FUEL, 2, Op.I32_ADD, 1, 1, 2, Op.I32_BR_LT_U, 1, 0, 5,
            Op.FUEL, 1, Op.RET, 1, 1}, Decoder.decode(g.module, 0, true).code);
        int i = 0;
        do {
            i += (i & 1) == 0 ? 1 : 2;
        } while (i < 50);
        assertEquals(i, g.call1("f", 50));
    }

    @Test
    void aLoopPollsTheHookAtLeastOncePer65536BlocksAndNotPerBlock() {
        // stores(n) runs one block per iteration and writes its counter to memory, where the hook reads it.
        Guest g = guest(MIXED, false, Long.MAX_VALUE, new ArrayList<>());
        List<Integer> seen = new ArrayList<>();
        g.instance.interruptHook(instance -> seen.add(instance.memory().readI32(0)));
        assertEquals(3_000_000, g.call1("stores", 3_000_000));
        assertGaps(seen, 3_000_000, "iterations of one block");
    }

    @Test
    void aLoopOfHostCallsPollsTheHookToo() {
        // ticks(n) runs two blocks per iteration (the call, then the increment and branch back).
        List<Long> log = new ArrayList<>();
        Guest g = guest(MIXED, false, Long.MAX_VALUE, log);
        List<Integer> seen = new ArrayList<>();
        g.instance.interruptHook(instance -> seen.add(2 * log.size()));
        g.call("ticks", 1_000_000);
        assertGaps(seen, 2_000_000, "blocks of host-call iterations");
    }

    @Test
    void recursionWithoutLoopsPollsTheHookAtCalls() {
        // fib has no backward branch: only its calls (pc 0) are check sites. Each call runs a block at least.
        Guest g = guest(MIXED, false, Long.MAX_VALUE, new ArrayList<>());
        List<Integer> seen = new ArrayList<>();
        g.instance.interruptHook(instance -> seen.add((int) instance.globals()[0]));
        assertEquals(317_811, g.call1("fib", 28));
        assertGaps(seen, (int) g.instance.globals()[0], "calls");
    }

    /**
     * The hook saw {@code seen} (a count of blocks, or of units each at least one block, growing
     * from 0) at its polls, over a run of {@code total}: no gap between polls, nor from the start
     * to the first or from the last to the end, passes 65,536, and polls are not much more frequent
     * than that (the poll costs over-count, by a small factor in these loops: at most 4 blocks
     * charged per iteration or call, and fib's calls run 2 to 4 blocks each).
     */
    private static void assertGaps(List<Integer> seen, int total, String what) {
        assertTrue(seen.size() >= total / 65_536, seen.size() + " polls for " + total + " " + what);
        assertTrue(seen.size() <= 8 * (total / 65_536) + 1, seen.size() + " polls for " + total + " " + what);
        int previous = 0;
        for (int s : seen) {
            assertTrue(s - previous <= 65_536, what + " between polls: " + previous + " to " + s);
            previous = s;
        }
        assertTrue(total - previous <= 65_536, what + " after the last poll: " + previous + " to " + total);
    }

    @Test
    void aThrowingHookStopsAnEndlessUnmeteredLoop() {
        Guest g = guest(MIXED, false, 5, new ArrayList<>());
        int[] polls = {0};
        g.instance.interruptHook(instance -> {
            if (++polls[0] == 3) {
                throw new Stop();
            }
        });
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(Stop.class, () -> g.call("spin")));
        assertEquals(3, polls[0]);
        assertEquals(0, g.instance.fuelUsed());
        assertEquals(5, g.instance.fuelRemaining());
    }

    @Test
    void aThrowingHookStopsAnEndlessLoopOfHostCalls() {
        long[] calls = {0};
        Guest g = new Guest(MIXED, (module, name, type) -> (instance, args) -> ++calls[0],
                InstanceOptions.defaults().withMetered(false));
        int[] polls = {0};
        g.instance.interruptHook(instance -> {
            if (++polls[0] == 4) {
                throw new Stop();
            }
        });
        // 2^32 - 1 iterations: endless in a test.
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(Stop.class, () -> g.call("ticks", -1)));
        assertEquals(4, polls[0]);
        // Two blocks per iteration, charged 3 at the loop head: a poll every 21,845 iterations.
        assertTrue(calls[0] > 3 * 65_536 / 2 / 4 && calls[0] <= 4 * 65_536 / 2, calls[0] + " host calls");
    }

    @Test
    void aThrowingHookStopsARecursionInTheMiddle() {
        Guest g = guest(MIXED, false, Long.MAX_VALUE, new ArrayList<>());
        int[] polls = {0};
        g.instance.interruptHook(instance -> {
            if (++polls[0] == 2) {
                throw new Stop();
            }
        });
        assertThrows(Stop.class, () -> g.call("fib", 30));
        long calls = g.instance.globals()[0];
        // fib(30) makes 2,692,537 calls; stopped at the second poll, after at most 2 * 65,536.
        assertTrue(calls > 65_536 / 8 && calls <= 2 * 65_536, calls + " calls before the second poll");
    }
}
