package dev.cella.vm.interp;

import dev.cella.isa.flow.BlockMap;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.ExecutionStateException;
import dev.cella.vm.Instance;
import dev.cella.vm.StateValidator;
import dev.cella.vm.SuspendRequest;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Turns an engine-neutral {@link ExecutionState} back into a {@link Machine} ready to run: has
 * {@link StateValidator} check it (the check every engine makes), maps byte pcs back to decoded
 * positions, and lays the frames out on the register and frame stacks exactly as calls would have.
 *
 * <p>Byte pc to decoded position: {@link DecodedFunction#bytePc} is non-decreasing in the
 * position, so the lowest position whose byte pc is at least {@code pc} is found by bisection; if
 * its byte pc is exactly {@code pc} it is where the instruction's decoded form starts, with the
 * block's FUEL header first when the instruction leads a block and has one (in the unmetered
 * variant, leaders other than check sites have none).
 */
final class Resumption {
    /** A machine ready to run from decoded position {@code pc} of its active function, frame at {@code fp}. */
    record Start(Machine machine, int pc, int fp) {}

    private Resumption() {}

    /**
     * Checks {@code state} against the module's {@code blocks} (by function index) and lays it
     * out for {@code functions}, the variant to run.
     *
     * @throws ExecutionStateException if the state does not fit (see {@link StateValidator})
     */
    static Start prepare(IntFunction<BlockMap> blocks, DecodedFunction[] functions, Instance instance,
            ExecutionState state, SuspendRequest request) {
        StateValidator.check(instance, state, blocks);
        List<ExecutionState.Frame> frames = state.frames();
        int depth = frames.size();
        long total = 0;
        for (ExecutionState.Frame f : frames) {
            total += f.registerCount();
        }
        Machine m = new Machine(functions, instance, (int) Math.max(256, Math.min(Machine.MAX_REGISTERS, 2 * total)),
                depth + 16, request);
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
                m.frames[b + 1] = resultList(df, f.pc());
                m.frames[b + 2] = fp;
                fp += df.frameSize;
            }
        }
        ExecutionState.Frame active = state.active();
        int pc = atOrAfter(functions[active.function()], active.pc());
        m.depth = depth;
        m.func = active.function();
        return new Start(m, pc, fp);
    }

    /**
     * The decoded position of the result list of the call at byte pc {@code pc} (the validator
     * has checked that one is there).
     */
    private static int resultList(DecodedFunction f, int pc) {
        int p = firstPosition(f, pc);
        if (f.code[p] == Op.FUEL) {
            p += 2; // the call leads its block
        }
        boolean direct = f.code[p] == Op.CALL || f.code[p] == Op.CALL_CATCH;
        if (f.code[p] == Op.CALL_CATCH || f.code[p] == Op.CALL_INDIRECT_CATCH) {
            // Past the landing pad and the exception list: from its last register on, the rest
            // is laid out as a call's (that register in place of the opcode), see Dispatch.
            p += 2 + f.code[p + 2];
        }
        return direct ? p + 3 + f.code[p + 2] : p + 5 + f.code[p + 4];
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
}
