package dev.cella.isa.flow;

import dev.cella.isa.Opcode;
import dev.cella.isa.OperandKind;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The control-flow map of one function body: its basic blocks, what each costs, where control
 * may go from each, and where unmetered code polls. It is the one definition of the fuel rule
 * that every engine charges by, so that all of them charge the same fuel to the unit.
 *
 * <h2>Blocks and their fuel</h2>
 * The <em>leaders</em> are pc 0, every branch target and every instruction that follows one whose
 * opcode {@linkplain Opcode#endsBlock() ends a block} (a branch, a terminator or a call). A block
 * runs from its leader up to the next leader; it is charged on entry, one unit per instruction
 * (a {@code nop} included). Blocks are numbered in pc order from 0; a block's number is also
 * called its <em>leader index</em>. A block's <em>successors</em> are its last instruction's
 * branch targets (label list first, then the label, in operand order; duplicates kept) and, unless
 * that instruction is a terminator, the next block (a call returns to it).
 *
 * <h2 id="poll-costs">Check sites and poll costs (unmetered runs)</h2>
 * An unmetered run charges no fuel but must still poll the interrupt hook at least once per
 * 65,536 executed blocks. It counts down only at its <em>check sites</em>: pc 0 and every target
 * of a backward branch (a branch to its own pc or an earlier one). Every cycle of the control
 * flow passes through one, since forward branches alone cannot form a cycle. Each check site is
 * charged its <em>poll cost</em>: the most blocks of this function that can run from it before
 * control reaches the next check site or returns (a callee's blocks are charged at the callee's
 * pc 0). So the countdown falls by at least the number of blocks executed, never fewer: it may
 * poll early, never late. Blocks that are not check sites cost nothing. This is the rule both
 * engines' unmetered code follows (the interpreter's {@code UnmeteredDispatch}, the JIT's
 * unmetered variant); their comments link here instead of restating it.
 *
 * <p>Precondition for {@link #of}: the body passed the verifier. A branch to a pc that starts no
 * instruction is rejected with {@link IllegalArgumentException} rather than mapped.
 *
 * <p>Immutable and thread-safe; array results are copies.
 */
public final class BlockMap {
    private final Instruction[] insns;
    private final int codeLength;
    /** Leader index of each instruction, or -1 if it does not lead a block. */
    private final int[] leaderIndex;
    /** True at instruction index i if some branch targets instruction i. */
    private final boolean[] branchTarget;
    private final int[] leaderInsns;
    private final int[] leaderPcs;
    private final int[] costs;
    private final int[][] successors;
    private final boolean[] checkSite;
    private final int[] pollCosts;

    private BlockMap(Instruction[] insns, int codeLength) {
        this.insns = insns;
        this.codeLength = codeLength;
        int n = insns.length;
        boolean[] leader = new boolean[n];
        this.branchTarget = new boolean[n];
        if (n > 0) {
            leader[0] = true;
        }
        for (int i = 0; i < n; i++) {
            Instruction in = insns[i];
            if (in.opcode().endsBlock() && i + 1 < n) {
                leader[i + 1] = true;
            }
            for (int t : targets(in)) {
                int j = instructionAt(t);
                if (j < 0) {
                    throw new IllegalArgumentException("the branch at pc " + in.pc() + " targets pc "
                            + Integer.toUnsignedString(t) + ", which starts no instruction (body not verified?)");
                }
                leader[j] = true;
                branchTarget[j] = true;
            }
        }
        this.leaderIndex = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            leaderIndex[i] = leader[i] ? count++ : -1;
        }
        this.leaderInsns = new int[count];
        this.leaderPcs = new int[count];
        this.costs = new int[count];
        int b = -1;
        for (int i = 0; i < n; i++) {
            if (leader[i]) {
                b++;
                leaderInsns[b] = i;
                leaderPcs[b] = insns[i].pc();
            }
            costs[b]++;
        }
        this.successors = new int[count][];
        this.checkSite = new boolean[count];
        if (count > 0) {
            checkSite[0] = true;
        }
        for (b = 0; b < count; b++) {
            Instruction last = insns[blockEnd(b) - 1];
            int[] targets = targets(last);
            boolean falls = !last.opcode().isTerminator() && b + 1 < count;
            int[] succ = Arrays.copyOf(targets, targets.length + (falls ? 1 : 0));
            for (int t = 0; t < targets.length; t++) {
                succ[t] = leaderIndex[instructionAt(targets[t])];
                if (targets[t] <= last.pc()) {
                    checkSite[succ[t]] = true;
                }
            }
            if (falls) {
                succ[targets.length] = b + 1;
            }
            successors[b] = succ;
        }
        this.pollCosts = pollCosts(successors, checkSite);
    }

    /**
     * The map of a verified function body.
     *
     * @throws dev.cella.isa.FormatException if an instruction is malformed
     * @throws IllegalArgumentException if a branch targets a pc that starts no instruction
     */
    public static BlockMap of(byte[] body) {
        CodeReader reader = new CodeReader(body, 0);
        List<Instruction> list = new ArrayList<>(Math.max(4, body.length / 3));
        while (reader.hasNext()) {
            list.add(reader.next());
        }
        return new BlockMap(list.toArray(new Instruction[0]), body.length);
    }

    /**
     * The charge of each block on an unmetered run: its poll cost (at least 1) if it is a check
     * site, else 0 (see the class comment). A successor at a lower or equal index is a check site
     * (a backward branch target), so one reverse pass suffices.
     */
    private static int[] pollCosts(int[][] successors, boolean[] site) {
        int count = successors.length;
        int[] run = new int[count];
        for (int b = count - 1; b >= 0; b--) {
            int most = 0;
            for (int s : successors[b]) {
                if (s > b && !site[s]) {
                    most = Math.max(most, run[s]);
                }
            }
            run[b] = 1 + most;
        }
        int[] charges = new int[count];
        for (int b = 0; b < count; b++) {
            charges[b] = site[b] ? run[b] : 0;
        }
        return charges;
    }

    /**
     * The branch targets (byte pcs) of {@code insn} in operand order, a label list's in list
     * order; none if it is not a branch. A label too large for an int is clamped to {@link
     * Integer#MAX_VALUE}, which no body reaches.
     */
    public static int[] targets(Instruction insn) {
        Opcode op = insn.opcode();
        if (!op.isBranch()) {
            return new int[0];
        }
        int[] out = new int[0];
        var kinds = op.operands();
        for (int i = 0; i < kinds.size(); i++) {
            OperandKind k = kinds.get(i).kind();
            if (k == OperandKind.LABEL) {
                out = Arrays.copyOf(out, out.length + 1);
                out[out.length - 1] = (int) Math.min(insn.operands()[i], Integer.MAX_VALUE);
            } else if (k == OperandKind.LABELS) {
                int[] list = insn.list(i);
                int old = out.length;
                out = Arrays.copyOf(out, old + list.length);
                System.arraycopy(list, 0, out, old, list.length);
            }
        }
        return out;
    }

    /** Bytes in the body. */
    public int codeLength() {
        return codeLength;
    }

    /** Instructions in the body. */
    public int instructionCount() {
        return insns.length;
    }

    /** Instruction {@code i}, in pc order from 0. */
    public Instruction instruction(int i) {
        return insns[i];
    }

    /** The body's instructions in pc order (a copy). */
    public Instruction[] instructions() {
        return insns.clone();
    }

    /** The index of the instruction that starts at byte pc {@code pc}, or -1 if none does. */
    public int instructionAt(int pc) {
        int lo = 0;
        int hi = insns.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int p = insns[mid].pc();
            if (p < pc) {
                lo = mid + 1;
            } else if (p > pc) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Number of basic blocks. */
    public int blockCount() {
        return leaderPcs.length;
    }

    /** True if instruction {@code i} leads a block. */
    public boolean isLeader(int i) {
        return leaderIndex[i] >= 0;
    }

    /** The number of the block instruction {@code i} leads, or -1 if it leads none. */
    public int leaderIndex(int i) {
        return leaderIndex[i];
    }

    /** The number of the block whose leader is at byte pc {@code pc}, or -1 if no block starts there. */
    public int blockAt(int pc) {
        int k = Arrays.binarySearch(leaderPcs, pc);
        return k >= 0 ? k : -1;
    }

    /** True if some branch targets instruction {@code i}. */
    public boolean isBranchTarget(int i) {
        return branchTarget[i];
    }

    /** The instruction index of block {@code b}'s leader. */
    public int leaderInstruction(int b) {
        return leaderInsns[b];
    }

    /** The instruction index one past block {@code b}'s last instruction. */
    public int blockEnd(int b) {
        return b + 1 < leaderInsns.length ? leaderInsns[b + 1] : insns.length;
    }

    /** The byte pc of block {@code b}'s leader. */
    public int leaderPc(int b) {
        return leaderPcs[b];
    }

    /** The fuel block {@code b} costs on entry: its number of instructions. */
    public int cost(int b) {
        return costs[b];
    }

    /** The blocks control may go to from block {@code b} (see the class comment; a copy). */
    public int[] successors(int b) {
        return successors[b].clone();
    }

    /** True if block {@code b} is a check site of unmetered runs. */
    public boolean isCheckSite(int b) {
        return checkSite[b];
    }

    /** What block {@code b} charges on an unmetered run: its poll cost at a check site, else 0. */
    public int pollCost(int b) {
        return pollCosts[b];
    }

    /** {@link #leaderPc} of every block (a copy). */
    public int[] leaderPcs() {
        return leaderPcs.clone();
    }

    /** {@link #leaderInstruction} of every block (a copy). */
    public int[] leaderInstructions() {
        return leaderInsns.clone();
    }

    /** {@link #cost} of every block (a copy). */
    public int[] costs() {
        return costs.clone();
    }

    /** {@link #pollCost} of every block (a copy). */
    public int[] pollCosts() {
        return pollCosts.clone();
    }

    /** {@link #successors} of every block (a deep copy). */
    public int[][] successors() {
        int[][] out = new int[successors.length][];
        for (int b = 0; b < out.length; b++) {
            out[b] = successors[b].clone();
        }
        return out;
    }
}
