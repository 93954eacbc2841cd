package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.Instruction;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.GuestException;
import dev.cella.vm.Instance;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs guest frames that did not start in compiled code: a suspended invocation ({@link
 * ExecutionState}, from any engine) resumed in compiled code, and the frames the interpreter
 * hands over to the JIT under {@code auto} (a call, or a running frame: on-stack replacement).
 *
 * <p>A frame is continued from a block leader in the entry methods that {@link
 * JitRuntime#resume} uses when a fuel window runs out. A suspended state's frames run one at a
 * time, innermost first: the active frame from its uncharged leader; then each frame below it,
 * once the frame above has returned, from the leader that follows the call it waits on, with the
 * call's result registers set to the results. That is exactly what the interpreter does when a
 * callee returns (the block after a call is charged when control enters it), so fuel, traps and
 * polls stay unit-for-unit the same. Only one frame of the restored stack is on the JVM stack at a
 * time, so a state of any depth resumes without a stack segment hop; each frame's word says its
 * true depth and the registers below it, so the depth limits apply as in an uninterrupted run.
 *
 * <p>A function too large for entry methods ({@link JitEngine#continuable}) is not continued
 * here: the frames from it down go to a fallback engine (the interpreter) as a state whose active
 * frame is that one, at its leader. A resumed run may suspend again: the frames below the one
 * running then go back into the new state unchanged, under the ones the suspension collected.
 */
final class CompiledResumption {
    private CompiledResumption() {}

    /**
     * Runs {@code state} to its end or its next suspension.
     *
     * <p>Precondition: {@link JitEngine#checkResumable} accepted the state for the instance.
     *
     * @param fallback gives the engine that runs the frames of functions compiled code cannot
     *     continue (asked only if there are some)
     */
    static Invocation resume(JitEngine engine, Instance instance, ExecutionState state, SuspendRequest request,
            Supplier<SuspendableEngine> fallback) {
        List<ExecutionState.Frame> frames = new ArrayList<>(state.frames());
        int depth = frames.size();
        int[] registersBelow = new int[depth + 1];
        for (int k = 0; k < depth; k++) {
            registersBelow[k + 1] = registersBelow[k] + frames.get(k).registerCount();
        }
        JitContext ctx = new JitContext(engine, instance, request);
        long[] results = null;
        // An exception the frame above threw and no frame caught yet: it unwinds the frames
        // below to the first that waits in a catching call, as Machine.catchBelow does.
        GuestException thrown = null;
        int k = depth - 1;
        try {
            for (; k >= 0; k--) {
                ExecutionState.Frame f = frames.get(k);
                FunctionCode code = engine.code(f.function());
                long[] registers = f.registers();
                int leader;
                if (k == depth - 1) {
                    leader = code.leaderAt(f.pc());
                } else {
                    Instruction call = code.insns[code.indexOfPc(f.pc())];
                    if (thrown != null) {
                        if (!catches(call)) {
                            continue;
                        }
                        leader = land(code, call, thrown, registers);
                        thrown = null;
                    } else {
                        int[] to = resultRegisters(call);
                        for (int j = 0; j < to.length; j++) {
                            registers[to[j]] = results[j];
                        }
                        leader = code.leaderIndex[code.indexOfPc(f.pc()) + 1];
                    }
                }
                if (!engine.continuable(ctx.metered, f.function())) {
                    frames.set(k, new ExecutionState.Frame(f.function(), code.leaderPcs[leader], registers));
                    break;
                }
                try {
                    results = runFrame(ctx, f.function(), registers, k + 1, registersBelow[k], leader,
                            Integer.MAX_VALUE);
                } catch (GuestException e) {
                    thrown = e;
                }
            }
            ctx.storeFuel();
            if (thrown != null) {
                throw thrown;
            }
            if (k < 0) {
                return Invocation.finished(results);
            }
        } catch (JitSuspend s) {
            ctx.storeFuel();
            List<ExecutionState.Frame> stopped = new ArrayList<>(frames.subList(0, k));
            stopped.addAll(s.frames());
            return Invocation.suspended(new ExecutionState(stopped, instance.fuelUsed(), instance.fuelRemaining()));
        } catch (RuntimeException | Error e) {
            ctx.storeFuel();
            throw e;
        }
        // Frame k (and those below) belong to a function compiled code cannot continue.
        ExecutionState rest = new ExecutionState(frames.subList(0, k + 1), instance.fuelUsed(), instance.fuelRemaining());
        return fallback.get().resume(instance, rest, request);
    }

    /**
     * Continues a frame the interpreter hands over at byte pc {@code pc}, an uncharged leader
     * (see {@link dev.cella.vm.interp.TierHook#resume}); the function must be {@link
     * JitEngine#continuable} or {@link JitEngine#regionContinuable}.
     *
     * @param segmentLimit the depth limit of the stack segment of compiled frames below the
     *     interpreter that handed over ({@link #segmentLimit}), or {@link Integer#MAX_VALUE}
     */
    static Invocation continueFrame(JitEngine engine, Instance instance, int function, int pc, long[] registers,
            int depth, int registersBelow, long[] window, SuspendRequest request, int segmentLimit) {
        JitContext ctx = handedOver(engine, instance, window, request);
        try {
            int leader = engine.code(function).leaderAt(pc);
            long[] results = runFrame(ctx, function, registers, depth, registersBelow, leader, segmentLimit);
            window[0] = ctx.fuel;
            return Invocation.finished(results);
        } catch (JitSuspend s) {
            return Invocation.suspended(new ExecutionState(suspendedFrames(ctx, s), instance.fuelUsed(),
                    instance.fuelRemaining()));
        } finally {
            ctx.storeFuel();
        }
    }

    /**
     * Runs a call the interpreter hands over (see {@link dev.cella.vm.interp.TierHook#call});
     * {@code segmentLimit} as for {@link #continueFrame}.
     */
    static Invocation call(JitEngine engine, Instance instance, int function, long[] args, int depth,
            int registersBelow, long[] window, SuspendRequest request, int segmentLimit) {
        JitContext ctx = handedOver(engine, instance, window, request);
        int registers = engine.module().function(function).registers().size();
        MethodHandle box = engine.box(ctx.metered, function);
        ctx.depthLimit = segmentLimit(StackSegments.enter(engine, ctx.maxDepth, depth), depth, segmentLimit);
        long frame = ctx.frameAt(depth, registersBelow + registers);
        try {
            long[] results = (long[]) box.invokeExact(ctx, frame, args);
            window[0] = ctx.fuel;
            return Invocation.finished(results);
        } catch (JitSuspend s) {
            return Invocation.suspended(new ExecutionState(suspendedFrames(ctx, s), instance.fuelUsed(),
                    instance.fuelRemaining()));
        } catch (Throwable t) {
            throw JitEngine.failure(t, ctx, function);
        } finally {
            StackSegments.leave();
            ctx.storeFuel();
        }
    }

    /**
     * The depth limit of compiled frames that start at {@code depth} on this thread: a new
     * segment's ({@code fresh}), unless an interpreter runs nested in compiled frames below
     * (under {@code auto}, a callee not yet hot), whose segment the new frames then continue:
     * its limit {@code outer}, or, if interpreted frames went past it, this frame's depth, so the
     * next call hops. Each nested level holds a guest frame or more, so the JVM stack a segment
     * takes stays within its budget ({@link StackSegments}).
     */
    private static int segmentLimit(int fresh, int depth, int outer) {
        return Math.max(depth, Math.min(fresh, outer));
    }

    /** A context whose first window is the interpreter's credit, so polls fall where the interpreter's would. */
    private static JitContext handedOver(JitEngine engine, Instance instance, long[] window, SuspendRequest request) {
        JitContext ctx = new JitContext(engine, instance, request);
        ctx.loadFuel(window[0]);
        return ctx;
    }

    /** The frames of a suspension; writes the fuel back first so the state's figures are current. */
    private static List<ExecutionState.Frame> suspendedFrames(JitContext ctx, JitSuspend s) {
        ctx.storeFuel();
        return s.frames();
    }

    /**
     * Runs defined function {@code function}'s frame at depth {@code depth} from leader {@code
     * leader} (uncharged) to its return, alone on this thread's stack segment: in entry methods,
     * or, for a function compiled by regions, in the region holding the leader entered there and
     * then in the function's dispatcher.
     *
     * @return its results
     */
    private static long[] runFrame(JitContext ctx, int function, long[] registers, int depth, int registersBelow,
            int leader, int segmentLimit) {
        JitEngine engine = ctx.engine;
        ctx.depthLimit = segmentLimit(StackSegments.enter(engine, ctx.maxDepth, depth), depth, segmentLimit);
        long frame = ctx.frameAt(depth, registersBelow + registers.length);
        try {
            if (engine.continuable(ctx.metered, function)) {
                JitRuntime.resume(ctx, function, registers, frame, leader << 1);
            } else {
                MethodHandle entry = engine.regionEntry(ctx.metered, function, leader);
                int code = (int) entry.invokeExact(ctx, registers, 0, frame);
                if (code >= 0) {
                    engine.regionRun(ctx.metered, function).invokeExact(ctx, registers, code, frame);
                }
            }
        } catch (JitSuspend s) {
            throw s;
        } catch (Throwable t) {
            throw JitEngine.failure(t, ctx, function);
        } finally {
            StackSegments.leave();
        }
        return Arrays.copyOf(ctx.results, engine.module().functionType(function).results().size());
    }

    /** The result registers of {@code call}, a call instruction of any form. */
    private static int[] resultRegisters(Instruction call) {
        return switch (call.opcode()) {
            case CALL -> call.list(2);
            case CALL_INDIRECT, CALL_CATCH -> call.list(4);
            case CALL_INDIRECT_CATCH -> call.list(6);
            default -> throw new IllegalArgumentException(call.opcode().mnemonic + " is not a call");
        };
    }

    private static boolean catches(Instruction call) {
        return call.opcode() == Opcode.CALL_CATCH || call.opcode() == Opcode.CALL_INDIRECT_CATCH;
    }

    /**
     * Lands {@code e} in {@code call}, a catching call of a restored frame with registers {@code
     * registers}: its exn list gets the tag and payload, as the compiled handler writes them.
     *
     * @return the leader of the landing pad, where the frame goes on (its block not charged)
     */
    private static int land(FunctionCode code, Instruction call, GuestException e, long[] registers) {
        int[] exn = call.list(1);
        registers[exn[0]] = e.tag();
        for (int j = 1; j < exn.length; j++) {
            registers[exn[j]] = e.payload(j - 1);
        }
        return code.leaderAt(call.intOperand(0));
    }
}
