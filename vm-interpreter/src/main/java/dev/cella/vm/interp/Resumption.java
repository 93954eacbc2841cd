package dev.cella.vm.interp;

import dev.cella.isa.ValType;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.ExecutionStateException;
import dev.cella.vm.Instance;
import dev.cella.vm.SuspendRequest;
import java.util.List;

/**
 * Turns an engine-neutral {@link ExecutionState} back into a {@link Machine} ready to run: checks
 * every frame against the decoded module (so that no state, however made, can break the dispatch
 * loop's invariants), maps byte pcs back to decoded positions, and lays the frames out on the
 * register and frame stacks exactly as calls would have.
 *
 * <p>Byte pc to decoded position: {@link DecodedFunction#bytePc} is non-decreasing in the
 * position, so the lowest position whose byte pc is at least {@code pc} is found by bisection; if
 * its byte pc is exactly {@code pc} it is where the instruction's decoded form starts, with the
 * block's FUEL header first when the instruction leads a block.
 *
 * <p>The metered variant has a header at every block leader, so it is the one that says whether
 * a pc leads a block; the frames are then laid out in the variant that will run (the unmetered
 * one, for an unmetered instance, whose leaders other than check sites have no header).
 */
final class Resumption {
    /** A machine ready to run from decoded position {@code pc} of its active function, frame at {@code fp}. */
    record Start(Machine machine, int pc, int fp) {}

    private Resumption() {}

    /**
     * Checks {@code state} against {@code metered}, the metered variant of the module's
     * functions, and lays it out for {@code functions}, the variant to run (the same array, or the
     * unmetered variant).
     *
     * @throws ExecutionStateException if the state does not fit (see {@link
     *     dev.cella.vm.SuspendableEngine#resume})
     */
    static Start prepare(DecodedFunction[] metered, DecodedFunction[] functions, Instance instance, ExecutionState state,
            SuspendRequest request) {
        if (instance.fuelUsed() != state.fuelUsed()) {
            throw new ExecutionStateException("it was captured at " + state.fuelUsed()
                    + " units of fuel used, but the instance has used " + instance.fuelUsed()
                    + " (restore the instance's fuel first)");
        }
        List<ExecutionState.Frame> frames = state.frames();
        int depth = frames.size();
        long total = 0;
        for (int k = 0; k < depth; k++) {
            total += checkFrame(functions, instance, frames.get(k), k + 1);
        }
        if (total > Machine.MAX_REGISTERS) {
            throw new ExecutionStateException("its frames hold " + total + " registers, over the interpreter's limit of "
                    + Machine.MAX_REGISTERS);
        }
        Machine m = new Machine(functions, instance, (int) Math.max(256, Math.min(Machine.MAX_REGISTERS, 2 * total)),
                depth + 16, request);
        if (depth > m.maxDepth()) {
            throw new ExecutionStateException("its depth of " + depth + " frames is over the instance's maximum call depth of "
                    + m.maxDepth());
        }
        int fp = 0;
        for (int k = 0; k < depth; k++) {
            ExecutionState.Frame f = frames.get(k);
            DecodedFunction df = functions[f.function()];
            for (int i = 0; i < df.frameSize; i++) {
                m.regs[fp + i] = f.register(i);
            }
            if (k < depth - 1) {
                int b = 3 * (k + 1);
                m.frames[b] = f.function();
                m.frames[b + 1] = resultList(df, f.pc(), functions[frames.get(k + 1).function()], k + 1);
                m.frames[b + 2] = fp;
                fp += df.frameSize;
            }
        }
        ExecutionState.Frame active = state.active();
        header(metered[active.function()], active.pc(), depth);
        int pc = atOrAfter(functions[active.function()], active.pc());
        m.depth = depth;
        m.func = active.function();
        return new Start(m, pc, fp);
    }

    /** Checks a frame's function and registers; returns its register count. */
    private static int checkFrame(DecodedFunction[] functions, Instance instance, ExecutionState.Frame f, int depth) {
        int index = f.function();
        if (index >= functions.length) {
            throw new ExecutionStateException(where(depth, f) + ": the module has " + functions.length + " functions");
        }
        DecodedFunction df = functions[index];
        if (df.isImport()) {
            throw new ExecutionStateException(where(depth, f) + ": function " + index + " is an import, not guest code");
        }
        if (f.registerCount() != df.frameSize) {
            throw new ExecutionStateException(where(depth, f) + ": " + f.registerCount() + " registers, but the function has "
                    + df.frameSize);
        }
        List<ValType> types = instance.module().function(index).registers();
        for (int i = 0; i < df.frameSize; i++) {
            long v = f.register(i);
            if (Machine.normalize(types.get(i), v) != v) {
                throw new ExecutionStateException(where(depth, f) + ": register " + i + " of type " + types.get(i)
                        + " holds 0x" + Long.toHexString(v) + ", which is not in register form");
            }
        }
        return df.frameSize;
    }

    /**
     * The decoded position of the FUEL header of the block led by byte pc {@code pc}, in a metered
     * variant (every leader has one).
     */
    private static int header(DecodedFunction f, int pc, int depth) {
        int p = firstPosition(f, pc);
        if (p < 0 || f.code[p] != Op.FUEL) {
            throw new ExecutionStateException("frame " + depth + " (function " + f.index + ") resumes at pc " + pc
                    + ", which does not start a basic block");
        }
        return p;
    }

    /**
     * The decoded position of the result list of the call at byte pc {@code pc}, which must call
     * {@code callee} (directly, or indirectly with the callee's type).
     */
    private static int resultList(DecodedFunction f, int pc, DecodedFunction callee, int depth) {
        int p = firstPosition(f, pc);
        if (p >= 0 && f.code[p] == Op.FUEL) {
            p += 2; // the call leads its block; a nop leading it would have no decoded form
            if (p >= f.code.length || f.bytePc(p) != pc) {
                p = -1;
            }
        }
        int op = p < 0 ? -1 : f.code[p];
        String where = "frame " + depth + " (function " + f.index + ") waits at pc " + pc;
        if (op == Op.CALL) {
            if (f.code[p + 1] != callee.index) {
                throw new ExecutionStateException(where + " on a call to function " + f.code[p + 1]
                        + ", but the frame above it runs function " + callee.index);
            }
            return p + 3 + f.code[p + 2];
        }
        if (op == Op.CALL_INDIRECT) {
            if (f.code[p + 1] != callee.typeIndex) {
                throw new ExecutionStateException(where + " on an indirect call of type " + f.code[p + 1]
                        + ", but the frame above it runs function " + callee.index + " of type " + callee.typeIndex);
            }
            return p + 5 + f.code[p + 4];
        }
        throw new ExecutionStateException(where + ", which is not a call instruction");
    }

    /**
     * Where a branch to the block leader at byte pc {@code pc} lands in {@code f}: the lowest
     * decoded position whose byte pc is at least {@code pc}, which is the block's FUEL header if
     * it has one, else its first instruction (a nop leading it has no decoded form).
     */
    private static int atOrAfter(DecodedFunction f, int pc) {
        int lo = 0;
        int hi = f.code.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (f.bytePc(mid) < pc) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The decoded position where the instruction at byte pc {@code pc} starts, or -1 if none does. */
    private static int firstPosition(DecodedFunction f, int pc) {
        int lo = atOrAfter(f, pc);
        return lo < f.code.length && f.bytePc(lo) == pc ? lo : -1;
    }

    private static String where(int depth, ExecutionState.Frame f) {
        return "frame " + depth + " (function " + f.function() + ", pc " + f.pc() + ")";
    }
}
