package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.ExecutionStateException;
import dev.cella.vm.HostFunction;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Suspending compiled code: flags, deep stacks, unmetered runs and states that do not fit. */
class JitSuspendTest {
    /** Recursion whose depth is the argument, a loop of host calls at the bottom, f64 arithmetic. */
    private static final String PROGRAM = """
            import tick "env" "tick" (i32) -> ()
            export func main

            func main(n: i32) -> i64 {
                reg r: i64
                call down, (n), (r)
                ret r
            }

            func down(n: i32) -> i64 {
                reg zero: i32, one: i32, m: i32, r: i64, i: i32, limit: i32, x: f64, y: f64, bits: i64
                i32.const zero, 0
                i32.br_eq n, zero, bottom
                i32.const one, 1
                i32.sub m, n, one
                call down, (m), (r)
                i64.extend_i32_s bits, n
                i64.add r, r, bits
                ret r
            bottom:
                i32.const limit, 300
                f64.const x, 1.5
            loop:
                i32.br_ge_s i, limit, done
                call tick, (i)
                f64.mul y, x, x
                f64.sub x, y, x
                i32.const one, 1
                i32.add i, i, one
                br loop
            done:
                i64.reinterpret_f64 bits, x
                ret bits
            }
            """;

    private static Module module() {
        Module m = Assembler.assemble(PROGRAM, "suspend.casm");
        Verifier.verify(m);
        return m;
    }

    /** An instance whose tick host function raises {@code raise}'s flag at tick {@code at} (never if -1). */
    private static Instance instance(Module m, SuspendRequest raise, int at, InstanceOptions options) {
        HostFunction tick = (instance, args) -> {
            if (raise != null && args[0] == at) {
                raise.request();
            }
            return 0;
        };
        return new Instance(m, (module, name, type) -> tick, options);
    }

    private static long[] uninterrupted(Module m, int depth) {
        Instance i = instance(m, null, -1, InstanceOptions.defaults());
        return new Interpreter(m).invoke(i, i.exportedFunction("main"), depth);
    }

    @Test
    void aFlagRaisedByAHostCallStopsCompiledCodeRightAfterItWhereTheInterpreterStops() {
        Module m = module();
        List<ExecutionState> states = new ArrayList<>();
        for (SuspendableEngine engine : List.of(new Interpreter(m), new JitEngine(m))) {
            SuspendRequest request = SuspendRequest.onDemand();
            Instance i = instance(m, request, 100, InstanceOptions.defaults());
            Invocation inv = engine.invoke(i, i.exportedFunction("main"), request, 40);
            assertTrue(inv.isSuspended(), engine + " stops");
            states.add(inv.state());
        }
        assertEquals(states.get(0), states.get(1));
        assertEquals(42, states.get(1).depth(), "main and down from 40 to 0");
    }

    @Test
    void aDeepCompiledStackSuspendsAcrossStackSegmentsAndResumesCompiled() {
        Module m = module();
        int depth = 20_000; // far past the first stack segment
        InstanceOptions options = InstanceOptions.defaults().withMaxCallDepth(30_000);
        SuspendRequest request = SuspendRequest.onDemand();
        Instance i = instance(m, request, 7, options);
        JitEngine jit = new JitEngine(m);
        Invocation inv = jit.invoke(i, i.exportedFunction("main"), request, depth);
        assertTrue(inv.isSuspended());
        assertEquals(depth + 2, inv.state().depth());
        Invocation end = jit.resume(i, inv.state(), null);
        Instance plain = instance(m, null, -1, options);
        long[] expected = new Interpreter(m).invoke(plain, plain.exportedFunction("main"), depth);
        assertArrayEquals(expected, end.results());
        assertEquals(plain.fuelUsed(), i.fuelUsed());
    }

    @Test
    void aStateSuspendedByTheInterpreterResumesOnTheJitAtEveryStep() {
        Module m = module();
        long[] expected = uninterrupted(m, 12);
        Instance i = instance(m, null, -1, InstanceOptions.defaults());
        JitEngine jit = new JitEngine(m);
        Interpreter interp = new Interpreter(m);
        Invocation inv = interp.invoke(i, i.exportedFunction("main"), SuspendRequest.atFuelUsed(0), 12);
        int steps = 0;
        while (inv.isSuspended()) {
            SuspendRequest next = SuspendRequest.atFuelUsed(i.fuelUsed() + 97);
            inv = (steps++ % 2 == 0 ? jit : interp).resume(i, inv.state(), next);
        }
        assertArrayEquals(expected, inv.results());
        assertTrue(steps > 20, "the run took many steps: " + steps);
    }

    @Test
    void anUnmeteredCompiledRunStopsOnItsFlagAndResumesWithoutCharging() {
        Module m = module();
        InstanceOptions options = InstanceOptions.defaults().withMetered(false);
        SuspendRequest request = SuspendRequest.onDemand();
        Instance i = instance(m, request, 50, options);
        JitEngine jit = new JitEngine(m);
        Invocation inv = jit.invoke(i, i.exportedFunction("main"), request, 5);
        assertTrue(inv.isSuspended());
        assertEquals(0, i.fuelUsed());
        Invocation end = jit.resume(i, inv.state(), null);
        assertArrayEquals(uninterrupted(m, 5), end.results());
        assertEquals(0, i.fuelUsed());
    }

    @Test
    void aStateThatDoesNotFitTheModuleIsRejectedBeforeAnythingRuns() {
        Module m = module();
        Instance i = instance(m, null, -1, InstanceOptions.defaults());
        int down = 2;
        ExecutionState atNonLeader = new ExecutionState(List.of(new ExecutionState.Frame(down, 1, new long[10])), 0,
                i.fuelRemaining());
        ExecutionStateException e = assertThrows(ExecutionStateException.class,
                () -> new JitEngine(m).resume(i, atNonLeader, null));
        assertTrue(e.getMessage().contains("pc 1"), e.getMessage());
        ExecutionState wrongRegisters = new ExecutionState(List.of(new ExecutionState.Frame(down, 0, new long[3])), 0,
                i.fuelRemaining());
        assertThrows(ExecutionStateException.class, () -> new JitEngine(m).resume(i, wrongRegisters, null));
        assertEquals(0, i.fuelUsed(), "nothing ran");
    }
}
