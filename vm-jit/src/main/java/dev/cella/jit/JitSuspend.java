package dev.cella.jit;

import dev.cella.isa.ValType;
import dev.cella.vm.ExecutionState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Unwinds compiled code to hand its frames over at a safe point (see {@link
 * dev.cella.vm.SuspendRequest}): thrown by {@link JitRuntime#refuel} at a block leader whose block
 * is not charged, it passes up through every compiled frame, each of which adds itself, as
 * (function, pc, registers), from an exception handler around its guest calls and fuel refills.
 * The engine catches it at the entry and turns the frames into an engine-neutral {@link
 * ExecutionState}, so the interpreter, or the JIT itself, can continue.
 *
 * <p>This is deoptimization at safe points: compiled code keeps its frame state nowhere but in
 * its JVM locals during the run, and writes it out only on the way out. Only suspensions create
 * one; no stack trace is filled in.
 */
final class JitSuspend extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The frames added so far, innermost (the active frame) first. */
    private final transient List<ExecutionState.Frame> frames = new ArrayList<>();

    JitSuspend() {
        super("a compiled guest invocation is suspending", null, false, false);
    }

    /**
     * A suspension passing up from frames another tier ran ({@code above}, the entry's first, in
     * register form), to which the compiled frames below add themselves.
     */
    static JitSuspend of(List<ExecutionState.Frame> above) {
        JitSuspend s = new JitSuspend();
        for (int k = above.size() - 1; k >= 0; k--) {
            s.frames.add(above.get(k));
        }
        return s;
    }

    /**
     * Adds the frame of {@code function} at byte pc {@code pc} (the uncharged block leader it
     * stopped at if it is the first frame added, else the call it waits on), with its registers
     * as raw bits: converted here to register form, with the NaNs compiled code left
     * uncanonicalized made canonical ({@link RegisterFlow#suspendedRegisters}).
     *
     * @return this, for emitted code to throw
     */
    JitSuspend add(JitEngine engine, int function, int pc, long[] registers) {
        FunctionCode code = engine.code(function);
        List<ValType> types = code.registers();
        long[] r = new long[types.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = JitEngine.normalize(types.get(i), registers[i]);
        }
        engine.flow(function).suspendedRegisters(code.indexOfPc(pc), r);
        frames.add(new ExecutionState.Frame(function, pc, r));
        return this;
    }

    /** The frames added, the entry's first (the order of {@link ExecutionState#frames()}). */
    List<ExecutionState.Frame> frames() {
        List<ExecutionState.Frame> out = new ArrayList<>(frames);
        Collections.reverse(out);
        return out;
    }
}
