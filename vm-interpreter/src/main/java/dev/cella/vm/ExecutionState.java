package dev.cella.vm;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where a suspended guest invocation stands, in terms every engine understands: its frames, each
 * as (function index, byte pc, register values), and the fuel at the moment it stopped. Memory,
 * globals and tables are not part of it: they live in the {@link Instance}, which the host keeps
 * (or saves and restores) alongside.
 *
 * <p>Frames are listed from the entry function (index 0, depth 1) to the active one (the last).
 * The active frame's pc is the byte pc of a basic-block leader whose block has <em>not</em> been
 * charged yet: resuming charges it and runs on from there. Every other frame's pc is the byte pc
 * of the call instruction it is waiting on; when the frame above it returns, its results go to
 * that call's result registers and execution continues after the call. Byte pcs (offsets in the
 * function body, as in {@link Trap}) rather than engine positions make a state engine-neutral: one
 * engine may suspend and another resume.
 *
 * <p>Register values are raw bits in register form (see {@link dev.cella.isa.ValType}): an i32
 * sign-extended, an f32 zero-extended. Immutable: arrays are copied in and out.
 *
 * @param frames the active frames, entry first; at least one
 * @param fuelUsed {@link Instance#fuelUsed()} when the invocation stopped
 * @param fuelRemaining {@link Instance#fuelRemaining()} when the invocation stopped
 */
public record ExecutionState(List<Frame> frames, long fuelUsed, long fuelRemaining) {
    /**
     * @throws IllegalArgumentException if there is no frame or a fuel figure is negative
     */
    public ExecutionState {
        frames = List.copyOf(frames);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("an execution state has at least one frame");
        }
        if (fuelUsed < 0 || fuelRemaining < 0) {
            throw new IllegalArgumentException("negative fuel in an execution state: used " + fuelUsed
                    + ", remaining " + fuelRemaining);
        }
    }

    /** The number of active guest frames (the entry function is depth 1). */
    public int depth() {
        return frames.size();
    }

    /** The frame that runs first on resumption. */
    public Frame active() {
        return frames.get(frames.size() - 1);
    }

    /** The frame whose results a resumed invocation returns. */
    public Frame entry() {
        return frames.get(0);
    }

    /**
     * One guest frame.
     *
     * @param function its function's index in the function index space
     * @param pc for the active frame the byte pc of the block leader to resume at, for the others
     *     the byte pc of the call they wait on
     * @param registers all the function's registers, parameters first, as raw bits
     */
    public record Frame(int function, int pc, long[] registers) {
        /**
         * @throws IllegalArgumentException if the function index or pc is negative
         */
        public Frame {
            if (function < 0 || pc < 0) {
                throw new IllegalArgumentException("frame of function " + function + " at pc " + pc);
            }
            registers = registers.clone();
        }

        /** A copy of the register values. */
        @Override
        public long[] registers() {
            return registers.clone();
        }

        /** The number of registers. */
        public int registerCount() {
            return registers.length;
        }

        /** The raw bits of register {@code i}. */
        public long register(int i) {
            return registers[i];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.function == function && f.pc == pc
                    && Arrays.equals(f.registers, registers);
        }

        @Override
        public int hashCode() {
            return Objects.hash(function, pc, Arrays.hashCode(registers));
        }

        @Override
        public String toString() {
            return "Frame[function=" + function + ", pc=" + pc + ", registers=" + Arrays.toString(registers) + "]";
        }
    }
}
