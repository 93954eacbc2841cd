package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import java.util.BitSet;
import java.util.List;

/**
 * Where float results are canonicalized: the first of the {@link RegisterFlow register facts}.
 *
 * <p>The ISA makes every NaN an arithmetic instruction produces the canonical NaN. A NaN's payload is
 * only observable through a <em>bit-sensitive</em> use: a store, a move, a select, a reinterpret,
 * abs/neg/copysign, a global, a call argument or a returned value. The other uses of a float are
 * payload-blind: comparisons and float branches, the trapping and saturating truncations, and
 * arithmetic (whose result is NaN exactly when an input is, and which canonicalizes its own
 * result in turn). Two analyses place the canonicalization where it costs least:
 * <ul>
 *   <li>A forward "must" analysis finds the registers that are <em>safe</em> at each point: every
 *       definition that can reach there is arithmetic (or a conversion from an integer, or a
 *       constant that is not a NaN of another payload). Canonicalizing a safe register's value
 *       gives exactly the value the ISA wants. A store, a return or a global write of a safe
 *       register canonicalizes the value itself ({@link #canonicalAtUse}), once, instead of
 *       every arithmetic instruction that may feed it (a loop's accumulator is canonicalized when
 *       it is stored after the loop, not in every iteration).
 *   <li>A backward liveness analysis of the remaining sensitive uses: an arithmetic result is
 *       canonicalized where it is computed ({@link #canonical}) only if it may reach one of them.
 * </ul>
 * Nothing anyone can see changes, while C2 is spared a compare and branch per operation.
 *
 * <p>A suspension ({@link JitSuspend}) observes every register of every frame, at the frame's
 * <em>suspension point</em>: a block leader (where a refuel may suspend) or a call. There a
 * register that is safe is canonicalized on the way out ({@link #suspendedRegisters}), on the
 * cold path; a float register that is not safe there counts as a sensitive use of it, so the
 * arithmetic that may reach it canonicalizes where it computes. Either way the state handed over
 * holds exactly the interpreter's bits.
 *
 * <p>For a function so large that the bit sets would be huge ({@link RegisterFlow#MAX_BITS}), it
 * gives up safely: every arithmetic result is canonicalized.
 */
final class NanFlow {
    private final FunctionCode code;
    private final BitSet canonical;
    private final BitSet atUse;
    /** For each suspension point (by instruction index), its safe float registers (by float index); else null. */
    private final BitSet[] safeAtPoint;
    private final int[] floatIndex;

    private NanFlow(FunctionCode code, BitSet canonical, BitSet atUse, BitSet[] safeAtPoint) {
        this.code = code;
        this.canonical = canonical;
        this.atUse = atUse;
        this.safeAtPoint = safeAtPoint;
        this.floatIndex = floatIndex(code);
    }

    static NanFlow analyze(FunctionCode code) {
        BitSet[] safeIn = safeStates(code);
        BitSet atUse = canonicalAtUses(code, safeIn);
        BitSet[] safeAtPoint = safeIn == null ? null : safeAtSuspensionPoints(code, safeIn);
        return new NanFlow(code, canonicalDefs(code, atUse, safeAtPoint), atUse, safeAtPoint);
    }

    /** True if instruction {@code i} is a suspension point: a block leader or a call. */
    static boolean suspensionPoint(FunctionCode code, int i) {
        return code.leader[i] || code.insns[i].opcode().isCall();
    }

    /**
     * The registers of a frame suspended at instruction {@code i} (a suspension point) as the
     * interpreter would hold them: {@code registers} (raw bits, modified in place) with every NaN
     * in a safe float register made canonical (see the class comment).
     */
    long[] suspendedRegisters(int i, long[] registers) {
        BitSet safe = safeAtPoint == null ? null : safeAtPoint[i];
        if (safe == null) {
            return registers; // no analysis: every arithmetic result was canonicalized already
        }
        List<ValType> types = code.registers();
        for (int r = 0; r < registers.length; r++) {
            if (floatIndex[r] >= 0 && safe.get(floatIndex[r])) {
                if (types.get(r) == ValType.F32) {
                    if (Float.isNaN(Float.intBitsToFloat((int) registers[r]))) {
                        registers[r] = dev.cella.vm.Numerics.F32_CANONICAL_NAN & 0xFFFFFFFFL;
                    }
                } else if (Double.isNaN(Double.longBitsToDouble(registers[r]))) {
                    registers[r] = dev.cella.vm.Numerics.F64_CANONICAL_NAN;
                }
            }
        }
        return registers;
    }

    /** True if instruction {@code i}, a float arithmetic instruction, must canonicalize its result. */
    boolean canonical(int i) {
        return canonical.get(i);
    }

    /**
     * True if instruction {@code i} (a store, return or global write) must canonicalize the float
     * values it writes out: they are safe (see the class comment) and their producers did not.
     */
    boolean canonicalAtUse(int i) {
        return atUse.get(i);
    }

    /** Float arithmetic whose result is canonicalized by the ISA (and so may skip it when unobserved). */
    static boolean canonicalizing(Opcode op) {
        return switch (op) {
            case F32_ADD, F32_SUB, F32_MUL, F32_DIV, F32_SQRT, F32_MIN, F32_MAX, F32_CEIL, F32_FLOOR, F32_TRUNC,
                    F32_NEAREST, F64_ADD, F64_SUB, F64_MUL, F64_DIV, F64_SQRT, F64_MIN, F64_MAX, F64_CEIL,
                    F64_FLOOR, F64_TRUNC, F64_NEAREST, F32_DEMOTE_F64, F64_PROMOTE_F32 -> true;
            default -> false;
        };
    }

    /** True if no operand of {@code op} is observed bit for bit (a NaN's payload cannot matter). */
    static boolean payloadBlind(Opcode op) {
        if (canonicalizing(op)) {
            return true;
        }
        return switch (op) {
            case F32_EQ, F32_NE, F32_LT, F32_GT, F32_LE, F32_GE, F64_EQ, F64_NE, F64_LT, F64_GT, F64_LE, F64_GE,
                    F32_BR_EQ, F32_BR_NE, F32_BR_LT, F32_BR_GT, F32_BR_LE, F32_BR_GE,
                    F64_BR_EQ, F64_BR_NE, F64_BR_LT, F64_BR_GT, F64_BR_LE, F64_BR_GE,
                    I32_TRUNC_F32_S, I32_TRUNC_F32_U, I32_TRUNC_F64_S, I32_TRUNC_F64_U,
                    I64_TRUNC_F32_S, I64_TRUNC_F32_U, I64_TRUNC_F64_S, I64_TRUNC_F64_U,
                    I32_TRUNC_SAT_F32_S, I32_TRUNC_SAT_F32_U, I32_TRUNC_SAT_F64_S, I32_TRUNC_SAT_F64_U,
                    I64_TRUNC_SAT_F32_S, I64_TRUNC_SAT_F32_U, I64_TRUNC_SAT_F64_S, I64_TRUNC_SAT_F64_U -> true;
            default -> false;
        };
    }

    /** Compact indices of the float registers (-1 for the others); the count is {@code index[regs]}. */
    private static int[] floatIndex(FunctionCode code) {
        List<ValType> regs = code.registers();
        int[] floatIndex = new int[regs.size() + 1];
        int floats = 0;
        for (int r = 0; r < regs.size(); r++) {
            boolean f = regs.get(r) == ValType.F32 || regs.get(r) == ValType.F64;
            floatIndex[r] = f ? floats++ : -1;
        }
        floatIndex[regs.size()] = floats;
        return floatIndex;
    }

    /** True if the float value {@code in} defines is always one canonicalization can make right. */
    private static boolean definesSafe(Instruction in) {
        Opcode op = in.opcode();
        if (canonicalizing(op)) {
            return true;
        }
        return switch (op) {
            case F32_CONVERT_I32_S, F32_CONVERT_I32_U, F32_CONVERT_I64_S, F32_CONVERT_I64_U,
                    F64_CONVERT_I32_S, F64_CONVERT_I32_U, F64_CONVERT_I64_S, F64_CONVERT_I64_U -> true;
            case F32_CONST -> {
                int bits = (int) in.operands()[1];
                yield !Float.isNaN(Float.intBitsToFloat(bits)) || bits == dev.cella.vm.Numerics.F32_CANONICAL_NAN;
            }
            case F64_CONST -> {
                long bits = in.operands()[1];
                yield !Double.isNaN(Double.longBitsToDouble(bits)) || bits == dev.cella.vm.Numerics.F64_CANONICAL_NAN;
            }
            default -> false;
        };
    }

    /** The float registers an instruction writes out through a store, a return or a global write. */
    private static boolean writesOut(Opcode op) {
        return switch (op) {
            case F32_STORE, F64_STORE, RET, F32_GLOBAL_SET, F64_GLOBAL_SET -> true;
            default -> false;
        };
    }

    /**
     * The float registers safe on entry to each block (null for a block never reached), by a
     * forward "must" analysis (see the class comment); null if the function has no float
     * registers or the analysis would be too large.
     */
    private static BitSet[] safeStates(FunctionCode code) {
        int[] floatIndex = floatIndex(code);
        int floats = floatIndex[floatIndex.length - 1];
        int blocks = code.leaderPcs.length;
        if (floats == 0 || (long) blocks * floats > RegisterFlow.MAX_BITS) {
            return null;
        }
        BitSet entry = new BitSet(floats);
        for (int r = code.paramCount(); r < floatIndex.length - 1; r++) {
            if (floatIndex[r] >= 0) {
                entry.set(floatIndex[r]); // registers start as +0.0
            }
        }
        BitSet[] in = new BitSet[blocks];
        in[0] = entry;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b = 0; b < blocks; b++) {
                if (in[b] == null) {
                    continue;
                }
                BitSet state = (BitSet) in[b].clone();
                for (int i = code.leaderInsns[b]; i < code.blockEnd(b); i++) {
                    safeTransfer(code.insns[i], state, floatIndex);
                }
                for (int s : code.successors[b]) {
                    BitSet meet = (BitSet) state.clone();
                    if (in[s] != null) {
                        meet.and(in[s]);
                    }
                    if (s == 0) {
                        meet.and(entry);
                    }
                    if (!meet.equals(in[s])) {
                        in[s] = meet;
                        changed = true;
                    }
                }
            }
        }
        return in;
    }

    /** Stores, returns and global writes all of whose float operands are safe where they run. */
    private static BitSet canonicalAtUses(FunctionCode code, BitSet[] in) {
        BitSet out = new BitSet(code.insns.length);
        if (in == null) {
            return out;
        }
        int[] floatIndex = floatIndex(code);
        for (int b = 0; b < in.length; b++) {
            if (in[b] == null) {
                continue;
            }
            BitSet state = (BitSet) in[b].clone();
            for (int i = code.leaderInsns[b]; i < code.blockEnd(b); i++) {
                Instruction ins = code.insns[i];
                if (writesOut(ins.opcode()) && allFloatUsesSafe(ins, state, floatIndex)) {
                    out.set(i);
                }
                safeTransfer(ins, state, floatIndex);
            }
        }
        return out;
    }

    /** The safe float registers at each suspension point of a reached block (null elsewhere). */
    private static BitSet[] safeAtSuspensionPoints(FunctionCode code, BitSet[] in) {
        int[] floatIndex = floatIndex(code);
        BitSet[] out = new BitSet[code.insns.length];
        for (int b = 0; b < in.length; b++) {
            if (in[b] == null) {
                continue;
            }
            BitSet state = (BitSet) in[b].clone();
            for (int i = code.leaderInsns[b]; i < code.blockEnd(b); i++) {
                if (suspensionPoint(code, i)) {
                    out[i] = (BitSet) state.clone();
                }
                safeTransfer(code.insns[i], state, floatIndex);
            }
        }
        return out;
    }

    private static boolean allFloatUsesSafe(Instruction in, BitSet state, int[] floatIndex) {
        BitSet use = new BitSet();
        RegionPlan.registers(in, use, new BitSet());
        boolean any = false;
        for (int r = use.nextSetBit(0); r >= 0; r = use.nextSetBit(r + 1)) {
            if (floatIndex[r] >= 0) {
                if (!state.get(floatIndex[r])) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private static void safeTransfer(Instruction in, BitSet state, int[] floatIndex) {
        BitSet def = new BitSet();
        RegionPlan.registers(in, new BitSet(), def);
        boolean safe = definesSafe(in);
        for (int r = def.nextSetBit(0); r >= 0; r = def.nextSetBit(r + 1)) {
            if (floatIndex[r] >= 0) {
                state.set(floatIndex[r], safe);
            }
        }
    }

    /**
     * The float arithmetic instructions that must canonicalize their result: those whose result
     * may reach a bit-sensitive use, counting as one every suspension point where the register
     * is not safe ({@code safeAtPoint} null: every instruction).
     */
    private static BitSet canonicalDefs(FunctionCode code, BitSet atUse, BitSet[] safeAtPoint) {
        int n = code.insns.length;
        BitSet all = new BitSet(n);
        for (int i = 0; i < n; i++) {
            if (canonicalizing(code.insns[i].opcode())) {
                all.set(i);
            }
        }
        int[] floatIndex = floatIndex(code);
        int floats = floatIndex[floatIndex.length - 1];
        int blocks = code.leaderPcs.length;
        if (all.isEmpty() || safeAtPoint == null) {
            return all;
        }
        BitSet[] in = new BitSet[blocks];
        for (int b = 0; b < blocks; b++) {
            in[b] = new BitSet(floats);
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b = blocks - 1; b >= 0; b--) {
                BitSet live = liveOut(code, in, b);
                for (int i = code.blockEnd(b) - 1; i >= code.leaderInsns[b]; i--) {
                    transfer(code.insns[i], live, floatIndex, atUse.get(i));
                    observeUnsafe(live, safeAtPoint[i], floats);
                }
                if (!live.equals(in[b])) {
                    in[b] = live;
                    changed = true;
                }
            }
        }
        BitSet needed = new BitSet(n);
        for (int b = 0; b < blocks; b++) {
            BitSet live = liveOut(code, in, b);
            for (int i = code.blockEnd(b) - 1; i >= code.leaderInsns[b]; i--) {
                Instruction in0 = code.insns[i];
                if (all.get(i) && live.get(floatIndex[in0.intOperand(0)])) {
                    needed.set(i);
                }
                transfer(in0, live, floatIndex, atUse.get(i));
                observeUnsafe(live, safeAtPoint[i], floats);
            }
        }
        return needed;
    }

    /** At a suspension point ({@code safe} not null), every float register that is not safe is observed. */
    private static void observeUnsafe(BitSet live, BitSet safe, int floats) {
        if (safe != null) {
            BitSet unsafe = new BitSet(floats);
            unsafe.set(0, floats);
            unsafe.andNot(safe);
            live.or(unsafe);
        }
    }

    private static BitSet liveOut(FunctionCode code, BitSet[] in, int b) {
        BitSet out = new BitSet();
        for (int s : code.successors[b]) {
            out.or(in[s]);
        }
        return out;
    }

    /**
     * live := (live - defs) + bit-sensitive float uses, for one instruction; the uses of one that
     * canonicalizes at its use ({@code atUse}) are not sensitive.
     */
    private static void transfer(Instruction in, BitSet live, int[] floatIndex, boolean atUse) {
        var kinds = in.opcode().operands();
        // A catching call writes its results only when it returns and its exn list only when
        // the callee throws: on each way out one of them keeps its old value, so neither kills.
        boolean catching = in.opcode() == Opcode.CALL_CATCH || in.opcode() == Opcode.CALL_INDIRECT_CATCH;
        for (int o = 0; o < kinds.size() && !catching; o++) {
            OperandKind k = kinds.get(o).kind();
            if (k == OperandKind.DEF) {
                clearFloat(live, floatIndex, in.intOperand(o));
            } else if (k == OperandKind.DEFS) {
                for (int r : in.list(o)) {
                    clearFloat(live, floatIndex, r);
                }
            }
        }
        if (atUse || payloadBlind(in.opcode())) {
            return;
        }
        for (int o = 0; o < kinds.size(); o++) {
            OperandKind k = kinds.get(o).kind();
            if (k == OperandKind.USE) {
                setFloat(live, floatIndex, in.intOperand(o));
            } else if (k == OperandKind.USES) {
                for (int r : in.list(o)) {
                    setFloat(live, floatIndex, r);
                }
            }
        }
    }

    private static void clearFloat(BitSet live, int[] floatIndex, int r) {
        if (floatIndex[r] >= 0) {
            live.clear(floatIndex[r]);
        }
    }

    private static void setFloat(BitSet live, int[] floatIndex, int r) {
        if (floatIndex[r] >= 0) {
            live.set(floatIndex[r]);
        }
    }
}
