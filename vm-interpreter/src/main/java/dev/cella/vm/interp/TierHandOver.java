package dev.cella.vm.interp;

import dev.cella.vm.ExecutionState;
import dev.cella.vm.GuestException;
import dev.cella.vm.Invocation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The interpreter's side of tiering: where the dispatch loop left a {@link Machine} for the other
 * tier ({@link Machine#handOver}: a call the tier wants, or the running frame for on-stack
 * replacement; see "Tiering" in {@link Machine}), runs that call or frame there and puts the
 * machine back in a state the loop can go on from, or ends the invocation. Only a metered machine
 * has a tier ({@link Interpreter}), so the fuel handed over is always real fuel.
 */
final class TierHandOver {
    private TierHandOver() {}

    /**
     * Runs the call or frame the loop left for in the other tier ({@link Machine#tier}), with the fuel
     * handed over and taken back so that the run is charged and polled exactly as if it had been
     * interpreted. Then either the invocation ended (returned: the entry frame was handed over;
     * or suspended inside the other tier, whose frames go on top of the interpreted ones below),
     * or the loop goes on at {@link Machine#nextPc} of {@link Machine#nextCode} with its frame at
     * {@link Machine#nextFp}: after the call, or in the caller of the frame that returned.
     *
     * @return how the invocation ended, or null if the loop goes on
     */
    static Invocation run(Machine m) {
        int kind = m.handOver;
        m.handOver = Machine.NO_HAND_OVER;
        if (kind == Machine.LANDED) {
            return null;
        }
        DecodedFunction f = m.functions[m.func];
        int pc = m.handOverPc;
        int fp = m.handOverFp;
        long[] window = new long[1];
        m.storeFuel(); // the machine is metered: only a metered one has a tier
        Invocation inv;
        try {
            inv = runOther(m, kind, f, pc, fp, window);
        } catch (GuestException e) {
            // The other tier's frames are gone; the exception unwinds the interpreted ones.
            int call = kind == Machine.HAND_OVER_CALL ? (f.code[pc] == Op.FUEL ? pc + 2 : pc) : -1;
            if (call >= 0 && (f.code[call] == Op.CALL_CATCH || f.code[call] == Op.CALL_INDIRECT_CATCH)) {
                m.land(e, f, call, fp);
            } else {
                m.catchBelow(e, m.depth);
            }
            return null;
        }
        if (inv.isSuspended()) {
            return suspendedAbove(m, kind == Machine.HAND_OVER_FRAME ? m.depth - 1 : m.depth, pc, fp, inv.state());
        }
        long[] results = inv.results();
        if (kind == Machine.HAND_OVER_CALL) {
            int at = m.handOverArgs + 1 + f.code[m.handOverArgs];
            writeResults(m, results, f.code, at, fp);
            m.nextCode = f.code;
            m.nextPc = at + 1 + f.code[at];
            m.nextFp = fp;
            return null;
        }
        if (m.depth == 1) {
            return Invocation.finished(results);
        }
        int b = 3 * m.depth - 3;
        DecodedFunction caller = m.functions[m.frames[b]];
        int at = m.frames[b + 1];
        int callerFp = m.frames[b + 2];
        writeResults(m, results, caller.code, at, callerFp);
        m.depth--;
        m.func = caller.index;
        m.nextCode = caller.code;
        m.nextPc = at + 1 + caller.code[at];
        m.nextFp = callerFp;
        return null;
    }

    /** Runs the handed-over frame or call in the other tier; the machine's fuel is current afterwards, however it ends. */
    private static Invocation runOther(Machine m, int kind, DecodedFunction f, int pc, int fp, long[] window) {
        Invocation inv;
        try {
            if (kind == Machine.HAND_OVER_FRAME) {
                // As refuel would: a new credit of at least the block's cost, the block not charged yet.
                window[0] = Math.min(m.reserve + m.credit, Math.max(Machine.WINDOW, f.code[pc + 1]));
                long[] registers = Arrays.copyOfRange(m.regs, fp, fp + f.frameSize);
                inv = m.tier.resume(m.instance, m.func, f.bytePc(pc), registers, m.depthBelow + m.depth,
                        m.registersBelow + fp, window, m.request);
            } else {
                int n = f.code[m.handOverArgs];
                long[] args = new long[n];
                for (int i = 0; i < n; i++) {
                    args[i] = m.regs[fp + f.code[m.handOverArgs + 1 + i]];
                }
                window[0] = m.credit;
                inv = m.tier.call(m.instance, m.handOverCallee.index, args, m.depthBelow + m.depth + 1,
                        m.registersBelow + fp + f.frameSize, window, m.request);
            }
        } finally {
            m.takeBackFuel(window[0]);
        }
        return inv;
    }

    /** Writes {@code results} to the result list at decoded position {@code at} ({@code n dst...}) of the frame at {@code fp}. */
    private static void writeResults(Machine m, long[] results, int[] code, int at, int fp) {
        for (int i = 0; i < code[at]; i++) {
            m.regs[fp + code[at + 1 + i]] = results[i];
        }
    }

    /**
     * The invocation's state when the other tier suspended: the {@code keep} interpreted frames
     * below (the active one, if kept, waits on the call at decoded position {@code pc}), then the
     * other tier's frames.
     */
    private static Invocation suspendedAbove(Machine m, int keep, int pc, int fp, ExecutionState above) {
        List<ExecutionState.Frame> out = new ArrayList<>();
        for (int k = 1; k <= keep; k++) {
            if (k == m.depth) {
                out.add(m.frame(m.func, pc, fp));
            } else {
                int b = 3 * k;
                out.add(m.frame(m.frames[b], m.frames[b + 1], m.frames[b + 2]));
            }
        }
        out.addAll(above.frames());
        m.suspended = out;
        return Invocation.suspended(new ExecutionState(out, m.instance.fuelUsed(), m.instance.fuelRemaining()));
    }
}
