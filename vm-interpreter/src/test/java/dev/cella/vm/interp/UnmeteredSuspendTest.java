package dev.cella.vm.interp;

import static dev.cella.vm.interp.UnmeteredInterpreterTest.MIXED;
import static dev.cella.vm.interp.UnmeteredInterpreterTest.guest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.Opcode;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Suspending unmetered runs: a request's flag stops them at a check site (a loop head or a
 * function's entry), from where they resume exactly, on an unmetered or a metered instance; a
 * fuel point, which an unmetered run never reaches, is rejected.
 */
class UnmeteredSuspendTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);
    private static final int N = 12;

    /** Copies {@code from}'s memory and globals into {@code to}. */
    private static void copyState(Guest from, Guest to) {
        byte[] m = from.instance.memory().snapshot();
        to.instance.memory().write(0, m, 0, m.length);
        System.arraycopy(from.instance.globals(), 0, to.instance.globals(), 0, from.instance.globals().length);
    }

    @Test
    void aFuelPointIsRejectedBeforeAnythingRuns() {
        List<Long> log = new ArrayList<>();
        Guest g = guest(SuspendResumeTest.PROGRAM, false, Long.MAX_VALUE, log);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.engine.invoke(g.instance, g.function("main"), SuspendRequest.atFuelUsed(100), N));
        assertTrue(e.getMessage().contains("unmetered"), e.getMessage());
        assertTrue(log.isEmpty(), "nothing ran");
        SuspendRequest flag = SuspendRequest.onDemand();
        flag.request();
        Invocation first = g.engine.invoke(g.instance, g.function("main"), flag, N);
        assertTrue(first.isSuspended(), "a flag request works");
        int calls = log.size();
        assertThrows(IllegalArgumentException.class,
                () -> g.engine.resume(g.instance, first.state(), SuspendRequest.atFuelUsed(100)));
        assertEquals(calls, log.size(), "nothing ran");
    }

    @Test
    void aFlagRaisedByTheHookStopsTheRunAtTheLoopHeadWhereTheHookRan() {
        Guest plain = new Guest(SuspendResumeTest.SPIN);
        long expected = plain.call1("spin", 300_000);
        Guest g = guest(SuspendResumeTest.SPIN, false, Long.MAX_VALUE, new ArrayList<>());
        SuspendRequest request = SuspendRequest.onDemand();
        int[] polls = {0};
        g.instance.interruptHook(instance -> {
            if (++polls[0] == 2) {
                request.request();
            }
        });
        Invocation first = g.engine.invoke(g.instance, g.function("spin"), request, 300_000);
        assertTrue(first.isSuspended());
        assertEquals(2, polls[0]);
        assertEquals(0, first.state().fuelUsed());
        assertEquals(1, first.state().depth());
        assertEquals(g.pcOf("spin", Opcode.I32_BR_GE_U, 0), first.state().active().pc(), "the loop head");
        assertEquals(expected, g.engine.resume(g.instance, first.state(), null).results()[0]);
        assertEquals(0, g.instance.fuelUsed());
    }

    @Test
    void aFlagRaisedByAHostFunctionStopsTheRunAtTheNextCheckSite() {
        List<Long> meteredLog = new ArrayList<>();
        Guest metered = guest(SuspendResumeTest.PROGRAM, true, Long.MAX_VALUE, meteredLog);
        UnmeteredInterpreterTest.Outcome expected = UnmeteredInterpreterTest.run(metered, meteredLog, "main", N);
        SuspendRequest request = SuspendRequest.onDemand();
        List<Long> log = new ArrayList<>();
        Guest g = new Guest(SuspendResumeTest.PROGRAM, (module, name, type) -> (instance, args) -> {
            log.add(args[0]);
            if (log.size() == 3) {
                request.request();
            }
            return 0;
        }, InstanceOptions.defaults().withMetered(false));
        Invocation first = g.engine.invoke(g.instance, g.function("main"), request, N);
        assertTrue(first.isSuspended());
        assertEquals(3, log.size(), "stopped before the next iteration's host call");
        ExecutionState s = first.state();
        assertEquals(1, s.depth());
        // After the call: i += 1, br loop; the loop head (its first instruction) is the check site.
        assertEquals(g.pcOf("main", Opcode.I32_BR_GE_S, 0), s.active().pc());
        Invocation rest = g.engine.resume(g.instance, s, null);
        assertFalse(rest.isSuspended());
        assertArrayEquals(expected.results(), rest.results());
        assertEquals(expected.log(), log);
        assertArrayEquals(expected.memory(), g.instance.memory().snapshot());
        assertEquals(0, g.instance.fuelUsed());
    }

    @Test
    void chainedFlagSuspensionsDeepInRecursionGiveTheUninterruptedOutcome() {
        Guest plain = guest(MIXED, true, Long.MAX_VALUE, new ArrayList<>());
        long expected = plain.call1("fib", 25);
        Guest g = guest(MIXED, false, Long.MAX_VALUE, new ArrayList<>());
        SuspendRequest[] current = {SuspendRequest.onDemand()};
        g.instance.interruptHook(instance -> current[0].request());
        Invocation inv = g.engine.invoke(g.instance, g.function("fib"), current[0], 25);
        int stops = 0;
        int deepest = 0;
        int fib = g.function("fib");
        while (inv.isSuspended()) {
            stops++;
            ExecutionState s = inv.state();
            deepest = Math.max(deepest, s.depth());
            assertEquals(fib, s.active().function());
            assertEquals(0, s.active().pc(), "stopped at a call's entry, fib's only check site");
            current[0] = SuspendRequest.onDemand();
            inv = g.engine.resume(g.instance, s, current[0]);
        }
        assertEquals(expected, inv.results()[0]);
        assertEquals(plain.instance.globals()[0], g.instance.globals()[0], "calls made");
        // fib(25) makes 242,785 calls, polled every 16,384 (each charges fib's poll cost of 4 blocks).
        assertTrue(stops >= 242_785 / 65_536, "stopped only " + stops + " times");
        assertTrue(deepest >= 10, "never caught deep in fib: deepest " + deepest);
        assertEquals(0, g.instance.fuelUsed());
    }

    @Test
    void aStateSuspendedInAMeteredRunResumesUnmeteredAtAnyBlockLeader() {
        List<Long> referenceLog = new ArrayList<>();
        Guest reference = guest(SuspendResumeTest.PROGRAM, true, Long.MAX_VALUE, referenceLog);
        UnmeteredInterpreterTest.Outcome expected = UnmeteredInterpreterTest.run(reference, referenceLog, "main", N);
        long total = reference.instance.fuelUsed();
        qt().withExamples(EXAMPLES).forAll(integers().between(0, (int) total - 1)).checkAssert(point -> {
            List<Long> log = new ArrayList<>();
            Guest metered = guest(SuspendResumeTest.PROGRAM, true, Long.MAX_VALUE, log);
            ExecutionState s = metered.engine.invoke(metered.instance, metered.function("main"),
                    SuspendRequest.atFuelUsed(point), N).state();
            Guest unmetered = guest(SuspendResumeTest.PROGRAM, false, Long.MAX_VALUE, log);
            copyState(metered, unmetered);
            unmetered.instance.setFuel(s.fuelUsed());
            unmetered.instance.consumeFuelTo(0);
            unmetered.instance.setFuel(s.fuelRemaining());
            Invocation rest = new Interpreter(unmetered.module).resume(unmetered.instance, s, null);
            assertFalse(rest.isSuspended());
            assertArrayEquals(expected.results(), rest.results());
            assertArrayEquals(expected.memory(), unmetered.instance.memory().snapshot());
            assertArrayEquals(expected.globals(), unmetered.instance.globals());
            assertEquals(expected.log(), log);
            assertEquals(s.fuelUsed(), unmetered.instance.fuelUsed(), "nothing charged after the resume");
        });
    }

    @Test
    void aStateSuspendedUnmeteredResumesOnAMeteredInstance() {
        Guest reference = guest(MIXED, true, Long.MAX_VALUE, new ArrayList<>());
        long expected = reference.call1("fib", 25);
        for (int stopAt = 1; stopAt <= 3; stopAt++) {
            Guest g = guest(MIXED, false, Long.MAX_VALUE, new ArrayList<>());
            SuspendRequest request = SuspendRequest.onDemand();
            int[] polls = {0};
            int at = stopAt;
            g.instance.interruptHook(instance -> {
                if (++polls[0] == at) {
                    request.request();
                }
            });
            Invocation first = g.engine.invoke(g.instance, g.function("fib"), request, 25);
            assertTrue(first.isSuspended(), "suspended at poll " + stopAt);
            ExecutionState s = first.state();
            assertTrue(s.depth() > 1, "callers wait at their calls too");
            Guest metered = guest(MIXED, true, Long.MAX_VALUE, new ArrayList<>());
            copyState(g, metered);
            Invocation rest = metered.engine.resume(metered.instance, s, null);
            assertEquals(expected, rest.results()[0]);
            assertEquals(reference.instance.globals()[0], metered.instance.globals()[0], "calls made in all");
            assertTrue(metered.instance.fuelUsed() > 0, "the metered instance charged the rest");
        }
    }
}
