package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.Instruction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Which registers hold a known constant at a block leader: the second of the {@link RegisterFlow
 * register facts}.
 *
 * <p>A register (not a parameter) whose every definition is a constant instruction with the same
 * value holds that value wherever it is <em>definitely assigned</em> (assigned on every path from
 * the entry). Methods that enter a function in the middle ({@link MethodEmitter.Mode#ENTRY})
 * materialize such registers as constants instead of loading them, so C2 sees the same constant
 * strides and masks it sees in the function's own method.
 *
 * <p>For a function so large that the bit sets would be huge ({@link RegisterFlow#MAX_BITS}), it
 * gives up safely: it knows no constants.
 */
final class ConstantFlow {
    /** Candidate constant registers, their raw bits, and the candidates assigned at each leader. */
    private final int[] constRegs;
    private final long[] constBits;
    private final BitSet[] assignedAt;

    private ConstantFlow(int[] constRegs, long[] constBits, BitSet[] assignedAt) {
        this.constRegs = constRegs;
        this.constBits = constBits;
        this.assignedAt = assignedAt;
    }

    static ConstantFlow analyze(FunctionCode code) {
        int[] candidates = constantCandidates(code);
        long[] bits = new long[candidates.length];
        for (int k = 0; k < candidates.length; k++) {
            bits[k] = constantBits(code, candidates[k]);
        }
        return new ConstantFlow(candidates, bits, definitelyAssigned(code, candidates));
    }

    /**
     * The registers known to hold a constant whenever control reaches leader {@code leader}, as
     * pairs {register, raw bits} (see {@link dev.cella.isa.ValType} for the raw-bits form).
     */
    List<long[]> constantsAt(int leader) {
        List<long[]> out = new ArrayList<>();
        if (assignedAt == null) {
            return out;
        }
        BitSet at = assignedAt[leader];
        for (int k = at.nextSetBit(0); k >= 0; k = at.nextSetBit(k + 1)) {
            out.add(new long[] {constRegs[k], constBits[k]});
        }
        return out;
    }

    private static boolean isConst(Opcode op) {
        return op == Opcode.I32_CONST || op == Opcode.I64_CONST || op == Opcode.F32_CONST || op == Opcode.F64_CONST;
    }

    /** The register form of constant instruction {@code in}'s value. */
    private static long normalized(Instruction in) {
        long v = in.operands()[1];
        return switch (in.opcode()) {
            case I32_CONST -> (int) v;
            case F32_CONST -> v & 0xFFFFFFFFL;
            default -> v;
        };
    }

    /** Non-parameter registers all of whose definitions are constants of one value. */
    private static int[] constantCandidates(FunctionCode code) {
        int regs = code.registers().size();
        long[] value = new long[regs];
        byte[] state = new byte[regs]; // 0 never defined, 1 one constant so far, 2 disqualified
        for (int p = 0; p < code.paramCount(); p++) {
            state[p] = 2;
        }
        BitSet use = new BitSet();
        BitSet def = new BitSet();
        for (Instruction in : code.insns) {
            def.clear();
            RegionPlan.registers(in, use, def);
            for (int r = def.nextSetBit(0); r >= 0; r = def.nextSetBit(r + 1)) {
                if (state[r] == 2) {
                    continue;
                }
                if (!isConst(in.opcode())) {
                    state[r] = 2;
                } else if (state[r] == 0) {
                    state[r] = 1;
                    value[r] = normalized(in);
                } else if (value[r] != normalized(in)) {
                    state[r] = 2;
                }
            }
        }
        int[] out = new int[regs];
        int n = 0;
        for (int r = 0; r < regs; r++) {
            if (state[r] == 1) {
                out[n++] = r;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static long constantBits(FunctionCode code, int reg) {
        for (Instruction in : code.insns) {
            if (isConst(in.opcode()) && in.intOperand(0) == reg) {
                return normalized(in);
            }
        }
        throw new IllegalStateException("register " + reg + " has no constant definition");
    }

    /**
     * For each leader, which candidates (by position in {@code candidates}) are assigned on every
     * path from the entry: a forward "must" analysis, or null if it would be too large.
     */
    private static BitSet[] definitelyAssigned(FunctionCode code, int[] candidates) {
        int blocks = code.leaderPcs.length;
        int c = candidates.length;
        if (c == 0 || (long) blocks * c > RegisterFlow.MAX_BITS) {
            return null;
        }
        int[] position = new int[code.registers().size()];
        Arrays.fill(position, -1);
        for (int k = 0; k < c; k++) {
            position[candidates[k]] = k;
        }
        BitSet[] gen = new BitSet[blocks];
        for (int b = 0; b < blocks; b++) {
            gen[b] = new BitSet(c);
            for (int i = code.leaderInsns[b]; i < code.blockEnd(b); i++) {
                Instruction in = code.insns[i];
                if (isConst(in.opcode()) && position[in.intOperand(0)] >= 0) {
                    gen[b].set(position[in.intOperand(0)]);
                }
            }
        }
        BitSet[] in = new BitSet[blocks];
        boolean[] reached = new boolean[blocks];
        in[0] = new BitSet(c);
        reached[0] = true;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b = 0; b < blocks; b++) {
                if (!reached[b]) {
                    continue;
                }
                BitSet out = (BitSet) in[b].clone();
                out.or(gen[b]);
                for (int s : code.successors[b]) {
                    if (!reached[s]) {
                        reached[s] = true;
                        in[s] = (BitSet) out.clone();
                        changed = true;
                    } else {
                        BitSet meet = (BitSet) in[s].clone();
                        meet.and(out);
                        if (!meet.equals(in[s])) {
                            in[s] = meet;
                            changed = true;
                        }
                    }
                }
            }
        }
        for (int b = 0; b < blocks; b++) {
            if (in[b] == null) {
                in[b] = new BitSet(c);
            }
        }
        return in;
    }
}
