package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.Opcode;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.ExecutionStateException;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The interpreter's suspend/resume API: stopping at fuel points and flags, resuming exactly. */
class SuspendResumeTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    /**
     * Recursion (fib), an indirect call, memory, a mutable global, f32 and f64 registers and a
     * host call per iteration whose arguments are logged: anything a suspension could lose shows
     * in the log, the result, the memory or the global.
     */
    static final String PROGRAM = """
            import log "env" "log" (i64) -> ()
            memory 1
            type unop (i64) -> i64
            table ops 2 2
            elem ops 0 [twice, plus3]
            global acc: i64 mut = 7
            export func main

            func main(n: i32) -> i64 {
                reg i: i32, one: i32, two: i32, sel: i32, addr: i32, eight: i32, x: i64, y: i64, f: f32, d: f64, bits: i32
                i32.const i, 0
                i32.const one, 1
                i32.const two, 2
                i32.const eight, 8
                i64.const x, 1
                f32.const f, -0.5
            loop:
                i32.br_ge_s i, n, done
                call fib, (i), (y)
                i32.rem_u sel, i, two
                call_indirect unop, ops, sel, (y), (y)
                i64.add x, x, y
                f32.convert_i32_s f, i
                f64.promote_f32 d, f
                f64.sqrt d, d
                i64.reinterpret_f64 y, d
                i64.xor x, x, y
                i32.mul addr, i, eight
                i64.store addr, 0, x
                i64.global_get y, acc
                i64.add y, y, x
                i64.global_set acc, y
                call log, (x)
                i32.add i, i, one
                br loop
            done:
                i64.global_get y, acc
                i32.reinterpret_f32 bits, f
                i64.extend_i32_u x, bits
                i64.add y, y, x
                ret y
            }

            func fib(n: i32) -> i64 {
                reg two: i32, one: i32, m: i32, a: i64, b: i64
                i32.const two, 2
                i32.br_lt_s n, two, small
                i32.const one, 1
                i32.sub m, n, one
                call fib, (m), (a)
                i32.sub m, n, two
                call fib, (m), (b)
                i64.add a, a, b
                ret a
            small:
                i64.extend_i32_s a, n
                ret a
            }

            func twice(v: i64) -> i64 {
                i64.add v, v, v
                ret v
            }

            func plus3(v: i64) -> i64 {
                reg three: i64
                i64.const three, 3
                i64.add v, v, three
                ret v
            }
            """;

    private static final int N = 12;

    /** A guest of {@link #PROGRAM} whose host function appends to {@code log}. */
    private static Guest guest(List<Long> log, InstanceOptions options) {
        return new Guest(PROGRAM, (module, name, type) -> (instance, args) -> {
            log.add(args[0]);
            return 0;
        }, options);
    }

    /** What an uninterrupted run leaves: its results, fuel, memory, global and host log. */
    record Outcome(long[] results, long fuelUsed, byte[] memory, long acc, List<Long> log) {
        void assertSame(Outcome o) {
            assertArrayEquals(results, o.results, "results");
            assertEquals(fuelUsed, o.fuelUsed, "fuel used");
            assertArrayEquals(memory, o.memory, "memory");
            assertEquals(acc, o.acc, "global");
            assertEquals(log, o.log, "host calls");
        }
    }

    private static Outcome outcome(Guest g, long[] results, List<Long> log) {
        return new Outcome(results, g.instance.fuelUsed(), g.instance.memory().snapshot(), g.instance.globals()[0],
                List.copyOf(log));
    }

    private static Outcome uninterrupted() {
        List<Long> log = new ArrayList<>();
        Guest g = guest(log, InstanceOptions.defaults());
        return outcome(g, g.call("main", N), log);
    }

    @Test
    void suspendingAtAnyFuelPointAndResumingGivesTheUninterruptedOutcome() {
        Outcome expected = uninterrupted();
        qt().withExamples(EXAMPLES).forAll(integers().between(0, (int) expected.fuelUsed + 10)).checkAssert(point -> {
            List<Long> log = new ArrayList<>();
            Guest g = guest(log, InstanceOptions.defaults());
            Invocation first = g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(point), N);
            if (point >= expected.fuelUsed) {
                assertFalse(first.isSuspended(), "the run ends before fuel point " + point);
                outcome(g, first.results(), log).assertSame(expected);
                return;
            }
            assertTrue(first.isSuspended(), "suspended before fuel point " + point);
            ExecutionState state = first.state();
            assertTrue(state.fuelUsed() <= point, "stopped at " + state.fuelUsed() + ", past " + point);
            assertEquals(g.instance.fuelUsed(), state.fuelUsed());
            assertEquals(g.instance.fuelRemaining(), state.fuelRemaining());
            Invocation rest = g.engine.resume(g.instance, state, null);
            assertFalse(rest.isSuspended());
            outcome(g, rest.results(), log).assertSame(expected);
        });
    }

    @Test
    void stopsExactlyWhereABudgetOfTheFuelPointWouldTrap() {
        long total = uninterrupted().fuelUsed;
        qt().withExamples(EXAMPLES).forAll(integers().between(0, (int) total - 1)).checkAssert(point -> {
            Guest budget = guest(new ArrayList<>(), InstanceOptions.defaults().withFuel(point));
            Trap trap = assertThrows(Trap.class, () -> budget.call("main", N));
            assertEquals(TrapKind.FUEL_EXHAUSTED, trap.kind());
            Guest g = guest(new ArrayList<>(), InstanceOptions.defaults());
            ExecutionState s = g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(point), N).state();
            assertEquals(trap.function(), s.active().function(), "function");
            assertEquals(trap.pc(), s.active().pc(), "pc");
            assertEquals(budget.instance.fuelUsed(), s.fuelUsed(), "fuel used");
        });
    }

    @Test
    void resumesInAFreshInstanceGivenCopiesOfMemoryGlobalsAndFuel() {
        Outcome expected = uninterrupted();
        qt().withExamples(EXAMPLES).forAll(integers().between(0, (int) expected.fuelUsed - 1)).checkAssert(point -> {
            List<Long> log = new ArrayList<>();
            Guest g = guest(log, InstanceOptions.defaults());
            ExecutionState s = g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(point), N).state();
            Guest fresh = guest(log, InstanceOptions.defaults());
            byte[] memory = g.instance.memory().snapshot();
            fresh.instance.memory().write(0, memory, 0, memory.length);
            fresh.instance.globals()[0] = g.instance.globals()[0];
            fresh.instance.setFuel(s.fuelUsed());
            fresh.instance.consumeFuelTo(0);
            fresh.instance.setFuel(s.fuelRemaining());
            // A new Interpreter too: nothing of the first engine's or instance's objects is needed.
            Invocation rest = new Interpreter(fresh.module).resume(fresh.instance, s, null);
            outcome(fresh, rest.results(), log).assertSame(expected);
        });
    }

    @Test
    void chainedSuspensionsEveryFewUnitsGiveTheUninterruptedOutcome() {
        Outcome expected = uninterrupted();
        List<Long> log = new ArrayList<>();
        Guest g = guest(log, InstanceOptions.defaults());
        Invocation inv = g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(STEP), N);
        int stops = 0;
        int deepest = 0;
        while (inv.isSuspended()) {
            stops++;
            deepest = Math.max(deepest, inv.state().depth());
            inv = g.engine.resume(g.instance, inv.state(), SuspendRequest.atFuelUsed(g.instance.fuelUsed() + STEP));
        }
        outcome(g, inv.results(), log).assertSame(expected);
        assertTrue(stops >= expected.fuelUsed / STEP - 1, "stopped only " + stops + " times");
        assertTrue(deepest >= N, "never caught deep in fib: deepest " + deepest);
    }

    @Test
    void callersWaitAtTheirCallsAndTheActiveFrameAtABlockLeader() {
        Guest g = guest(new ArrayList<>(), InstanceOptions.defaults());
        ExecutionState s = suspendedDeep(g, 4); // main -> fib -> fib -> fib at least
        int fib = 2; // imports first: log 0, main 1, fib 2
        assertEquals(g.function("main"), s.entry().function());
        assertEquals(g.pcOf(1, Opcode.CALL, 0), s.frames().get(0).pc(), "main waits at its call to fib");
        int firstCall = g.pcOf(fib, Opcode.CALL, 0);
        int secondCall = g.pcOf(fib, Opcode.CALL, 1);
        for (int k = 1; k < s.depth() - 1; k++) {
            ExecutionState.Frame f = s.frames().get(k);
            assertEquals(fib, f.function());
            assertTrue(f.pc() == firstCall || f.pc() == secondCall, "fib frame " + k + " at pc " + f.pc());
        }
        assertEquals(fib, s.active().function());
    }

    @Test
    void aPointAlreadyPassedStopsAtTheFirstBlockWithTheArgumentsInPlace() {
        Guest g = guest(new ArrayList<>(), InstanceOptions.defaults());
        ExecutionState s = g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(0), N).state();
        assertEquals(1, s.depth());
        assertEquals(0, s.active().pc());
        assertEquals(N, s.active().register(0));
        assertEquals(0, s.fuelUsed());
    }

    @Test
    void aFlagRaisedByAHostFunctionStopsTheRunRightAfterTheCall() {
        Outcome expected = uninterrupted();
        SuspendRequest request = SuspendRequest.onDemand();
        List<Long> log = new ArrayList<>();
        long[] raisedAt = new long[1];
        Guest g = new Guest(PROGRAM, (module, name, type) -> (instance, args) -> {
            log.add(args[0]);
            if (log.size() == 3) {
                raisedAt[0] = instance.fuelUsed();
                request.request();
            }
            return 0;
        }, InstanceOptions.defaults());
        Invocation first = g.engine.invoke(g.instance, g.function("main"), request, N);
        assertTrue(first.isSuspended());
        assertEquals(raisedAt[0], first.state().fuelUsed(), "no block charged after the call");
        assertEquals(3, log.size());
        assertEquals(g.pcOf("main", Opcode.CALL, 1) + callSize(g), first.state().active().pc(),
                "stopped at the instruction after call log");
        Invocation rest = g.engine.resume(g.instance, first.state(), null);
        outcome(g, rest.results(), log).assertSame(expected);
    }

    /** The byte size of main's call to log (its second CALL; the indirect call is another opcode). */
    private static int callSize(Guest g) {
        var reader = new dev.cella.isa.code.CodeReader(g.module.function(g.function("main")).code(), 0);
        int pc = g.pcOf("main", Opcode.CALL, 1);
        while (true) {
            var insn = reader.next();
            if (insn.pc() == pc) {
                return insn.size();
            }
        }
    }

    static final String SPIN = """
            func spin(n: i32) -> i32 {
                reg i: i32, one: i32, s: i32
                i32.const one, 1
            loop:
                i32.br_ge_u i, n, done
                i32.add s, s, i
                i32.add i, i, one
                br loop
            done:
                ret s
            }
            export func spin
            """;

    @Test
    void aFlagRaisedByTheInterruptHookStopsTheRunWhereTheHookRan() {
        Guest plain = new Guest(SPIN);
        long expected = plain.call1("spin", 100_000);
        Guest g = new Guest(SPIN);
        SuspendRequest request = SuspendRequest.onDemand();
        int[] polls = new int[1];
        long[] raisedAt = new long[1];
        g.instance.interruptHook(instance -> {
            if (++polls[0] == 2) {
                raisedAt[0] = instance.fuelUsed();
                request.request();
            }
        });
        Invocation first = g.engine.invoke(g.instance, g.function("spin"), request, 100_000);
        assertTrue(first.isSuspended());
        assertEquals(raisedAt[0], first.state().fuelUsed());
        assertTrue(raisedAt[0] > Machine.WINDOW, "the hook ran first after a full window: " + raisedAt[0]);
        assertEquals(expected, g.engine.resume(g.instance, first.state(), null).results()[0]);
        assertEquals(plain.instance.fuelUsed(), g.instance.fuelUsed());
    }

    @Test
    void fuelRunningOutBeforeThePointTrapsAsWithoutARequest() {
        Guest g = guest(new ArrayList<>(), InstanceOptions.defaults().withFuel(500));
        Trap t = assertThrows(Trap.class,
                () -> g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(800), N));
        assertEquals(TrapKind.FUEL_EXHAUSTED, t.kind());
        assertTrue(g.instance.fuelUsed() <= 500);
    }

    @Test
    void withoutARequestInvokeAndTheSuspendableInvokeAgree() {
        Outcome expected = uninterrupted();
        List<Long> log = new ArrayList<>();
        Guest g = guest(log, InstanceOptions.defaults());
        Invocation inv = g.engine.invoke(g.instance, g.function("main"), SuspendRequest.onDemand(), N);
        outcome(g, inv.results(), log).assertSame(expected);
    }

    // ---- states that do not fit are rejected before anything runs ----

    /**
     * Steps the program {@link #STEP} units at a time until it is suspended at least {@code depth}
     * frames deep. (A step must exceed every block's cost: a fuel point closer than the next
     * block's cost stops the run again before that block, without progress.)
     */
    private static ExecutionState suspendedDeep(Guest g, int depth) {
        Invocation inv = g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(STEP), N);
        while (inv.isSuspended() && inv.state().depth() < depth) {
            inv = g.engine.resume(g.instance, inv.state(), SuspendRequest.atFuelUsed(g.instance.fuelUsed() + STEP));
        }
        assertTrue(inv.isSuspended(), "the program never got " + depth + " frames deep");
        return inv.state();
    }

    private static final int STEP = 23;

    private static ExecutionState withFrame(ExecutionState s, int k, UnaryOperator<ExecutionState.Frame> change) {
        List<ExecutionState.Frame> frames = new ArrayList<>(s.frames());
        frames.set(k, change.apply(frames.get(k)));
        return new ExecutionState(frames, s.fuelUsed(), s.fuelRemaining());
    }

    private static void assertRejected(Guest g, ExecutionState bad, String expectedText) {
        long used = g.instance.fuelUsed();
        ExecutionStateException e = assertThrows(ExecutionStateException.class,
                () -> g.engine.resume(g.instance, bad, null));
        assertTrue(e.getMessage().contains(expectedText), e.getMessage());
        assertEquals(used, g.instance.fuelUsed(), "nothing ran");
    }

    @Test
    void rejectsStatesThatDoNotFitTheModule() {
        Guest g = guest(new ArrayList<>(), InstanceOptions.defaults());
        ExecutionState s = suspendedDeep(g, 3);
        int top = s.depth() - 1;
        assertRejected(g, withFrame(s, top, f -> new ExecutionState.Frame(99, f.pc(), f.registers())), "has 5 functions");
        assertRejected(g, withFrame(s, top, f -> new ExecutionState.Frame(0, f.pc(), f.registers())), "is an import");
        assertRejected(g, withFrame(s, top, f -> new ExecutionState.Frame(f.function(), f.pc(), new long[1])),
                "1 registers, but the function has");
        assertRejected(g, withFrame(s, top, f -> {
            long[] r = f.registers();
            r[0] = 0x1_0000_0000L; // fib's n is an i32: not sign-extended
            return new ExecutionState.Frame(f.function(), f.pc(), r);
        }), "not in register form");
        assertRejected(g, withFrame(s, top, f -> new ExecutionState.Frame(f.function(), f.pc() + 1, f.registers())),
                "does not start a basic block");
        assertRejected(g, withFrame(s, 0, f -> new ExecutionState.Frame(f.function(), 0, f.registers())),
                "not a call instruction");
        assertRejected(g, new ExecutionState(s.frames(), s.fuelUsed() + 1, s.fuelRemaining()), "restore the instance's fuel");
    }

    @Test
    void rejectsAStateDeeperThanTheInstanceAllows() {
        Guest g = guest(new ArrayList<>(), InstanceOptions.defaults());
        ExecutionState s = suspendedDeep(g, 3);
        Guest shallow = guest(new ArrayList<>(), InstanceOptions.defaults().withMaxCallDepth(2));
        shallow.instance.setFuel(s.fuelUsed());
        shallow.instance.consumeFuelTo(0);
        shallow.instance.setFuel(s.fuelRemaining());
        assertRejected(shallow, s, "over the instance's maximum call depth of 2");
    }

    @Test
    void rejectsACallerWaitingOnACallToAnotherFunction() {
        Guest g = guest(new ArrayList<>(), InstanceOptions.defaults());
        ExecutionState s = suspendedDeep(g, 3);
        // Frame 1 is main waiting on "call fib"; claim the frame above runs twice instead.
        List<ExecutionState.Frame> frames = new ArrayList<>(s.frames().subList(0, 2));
        ExecutionState.Frame second = frames.get(1);
        frames.set(1, new ExecutionState.Frame(3, 0, new long[] {second.register(0)}));
        assertRejected(g, new ExecutionState(frames, s.fuelUsed(), s.fuelRemaining()),
                "on a call to function 2, but the frame above it runs function 3");
    }
}
