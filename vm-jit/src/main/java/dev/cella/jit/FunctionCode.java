package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Module;
import dev.cella.vm.PollCosts;
import java.util.Arrays;
import java.util.List;

/**
 * A defined function decoded for compilation: its instructions, its basic-block leaders and the
 * fuel each block costs, exactly as the fuel rule of the ISA defines them.
 *
 * <p>Leaders are pc 0, every branch target and every instruction that follows one whose opcode
 * {@link Opcode#endsBlock() ends a block}. A block runs from its leader up to the next leader and
 * costs one unit per instruction. Leaders are numbered in pc order; the number of a leader is its
 * <em>leader index</em>, which compiled code passes to the fuel slow path.
 *
 * <p>For unmetered runs, which only poll the interrupt hook, the <em>check sites</em> are pc 0 and
 * every target of a backward branch (every cycle of the control flow passes through one, since
 * forward branches alone cannot form a cycle). A check site's {@linkplain #pollCosts poll cost}
 * is the most blocks of this function that can run from it before control reaches the next check
 * site or returns (a callee's blocks are charged at the callee's entry): charging that at each
 * check site counts every executed block at least once.
 *
 * <p>Precondition: the module passed the verifier, so every label is the pc of an instruction.
 */
final class FunctionCode {
    final int index;
    final FuncType type;
    final Function function;
    final Instruction[] insns;
    /** True at instruction index i if instruction i is a block leader. */
    final boolean[] leader;
    /** Leader index of instruction i, or -1 if it is not a leader. */
    final int[] leaderIndex;
    /** Pc of each leader, ascending. */
    final int[] leaderPcs;
    /** Fuel charged on entering each leader's block. */
    final int[] leaderCosts;
    /** True at instruction index i if some branch targets it. */
    final boolean[] branchTarget;
    /** Instruction index of each leader. */
    final int[] leaderInsns;
    /** Leader indices of the blocks control may go to from each block (fallthrough and branches). */
    final int[][] successors;
    /** Unmetered charge at each leader: its poll cost if it is a check site, else 0. */
    final int[] pollCosts;
    /**
     * For each leader, the leader of the block that covers its fuel check, or -1: a block whose
     * only way in is from block {@code b}, which does not end with a call (so no fuel is spent
     * between the two charges) nor branch back, can skip its own check if {@code b} checks that
     * the window holds its cost too ({@link #precheck}).
     */
    final int[] coveredBy;
    /** For each leader, the most fuel a block it covers costs (0 if it covers none). */
    final int[] precheck;

    private FunctionCode(int index, FuncType type, Function function, Instruction[] insns) {
        this.index = index;
        this.type = type;
        this.function = function;
        this.insns = insns;
        int n = insns.length;
        this.leader = new boolean[n];
        this.branchTarget = new boolean[n];
        if (n > 0) {
            leader[0] = true;
        }
        for (int i = 0; i < n; i++) {
            Instruction in = insns[i];
            if (in.opcode().endsBlock() && i + 1 < n) {
                leader[i + 1] = true;
            }
            if (in.opcode().isBranch()) {
                for (int t : targets(in)) {
                    int j = indexOfPc(t);
                    leader[j] = true;
                    branchTarget[j] = true;
                }
            }
        }
        this.leaderIndex = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            leaderIndex[i] = leader[i] ? count++ : -1;
        }
        this.leaderPcs = new int[count];
        this.leaderCosts = new int[count];
        this.leaderInsns = new int[count];
        int k = -1;
        for (int i = 0; i < n; i++) {
            if (leader[i]) {
                k++;
                leaderPcs[k] = insns[i].pc();
                leaderInsns[k] = i;
            }
            leaderCosts[k]++;
        }
        this.successors = new int[count][];
        boolean[] site = new boolean[count];
        if (count > 0) {
            site[0] = true;
        }
        for (int b = 0; b < count; b++) {
            Instruction last = insns[b + 1 < count ? leaderInsns[b + 1] - 1 : n - 1];
            int[] targets = last.opcode().isBranch() ? targets(last) : new int[0];
            boolean falls = !last.opcode().isTerminator() && b + 1 < count;
            int[] succ = new int[targets.length + (falls ? 1 : 0)];
            for (int t = 0; t < targets.length; t++) {
                succ[t] = leaderAt(targets[t]);
                if (targets[t] <= last.pc()) {
                    site[succ[t]] = true;
                }
            }
            if (falls) {
                succ[targets.length] = b + 1;
            }
            successors[b] = succ;
        }
        this.coveredBy = new int[count];
        this.precheck = new int[count];
        int[] onlyPredecessor = new int[count];
        java.util.Arrays.fill(onlyPredecessor, -1);
        if (count > 0) {
            onlyPredecessor[0] = -2; // the function's entry comes in too
        }
        for (int b = 0; b < count; b++) {
            for (int s : successors[b]) {
                int p = onlyPredecessor[s];
                onlyPredecessor[s] = p == -1 || p == b ? b : -2;
            }
        }
        for (int s = 0; s < count; s++) {
            int b = onlyPredecessor[s];
            // Not from a block that branches back: a loop's own check is best left a sign test,
            // which C2 folds into the loop's trip count.
            boolean covered = b >= 0 && b != s && !insns[blockEnd(b) - 1].opcode().isCall()
                    && !branchesBack(b);
            coveredBy[s] = covered ? b : -1;
            if (covered) {
                precheck[b] = Math.max(precheck[b], leaderCosts[s]);
            }
        }
        this.pollCosts = PollCosts.of(successors, site);
    }

    /** Decodes defined function {@code index} of {@code module}. */
    static FunctionCode decode(Module module, int index) {
        Function f = module.function(index);
        CodeReader reader = new CodeReader(f.code(), 0);
        Instruction[] buf = new Instruction[Math.max(4, f.code().length / 3)];
        int n = 0;
        while (reader.hasNext()) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = reader.next();
        }
        return new FunctionCode(index, module.functionType(index), f, Arrays.copyOf(buf, n));
    }

    /** The branch targets of a branch instruction, as pcs (label list first, then the label). */
    static int[] targets(Instruction in) {
        var kinds = in.opcode().operands();
        int[] out = new int[0];
        for (int i = 0; i < kinds.size(); i++) {
            OperandKind k = kinds.get(i).kind();
            if (k == OperandKind.LABEL) {
                out = Arrays.copyOf(out, out.length + 1);
                out[out.length - 1] = in.intOperand(i);
            } else if (k == OperandKind.LABELS) {
                int[] list = in.list(i);
                int old = out.length;
                out = Arrays.copyOf(out, old + list.length);
                System.arraycopy(list, 0, out, old, list.length);
            }
        }
        return out;
    }

    /** The instruction index whose pc is {@code pc}; the pc must start an instruction. */
    int indexOfPc(int pc) {
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
        throw new IllegalArgumentException("pc " + pc + " does not start an instruction of function " + index);
    }

    /** True if the block of leader {@code b} may branch to itself or to an earlier block. */
    private boolean branchesBack(int b) {
        for (int t : successors[b]) {
            if (t <= b) {
                return true;
            }
        }
        return false;
    }

    /** The instruction index one past the last instruction of the block of leader {@code leader}. */
    int blockEnd(int leader) {
        return leader + 1 < leaderInsns.length ? leaderInsns[leader + 1] : insns.length;
    }

    /** The leader index of the block whose leader is at {@code pc}, or -1. */
    int leaderAt(int pc) {
        int k = Arrays.binarySearch(leaderPcs, pc);
        return k >= 0 ? k : -1;
    }

    List<ValType> registers() {
        return function.registers();
    }

    ValType registerType(int reg) {
        return function.registers().get(reg);
    }

    int paramCount() {
        return type.params().size();
    }

    /** True if any instruction uses linear memory. */
    boolean usesMemory() {
        for (Instruction in : insns) {
            if (in.opcode().usesMemory()) {
                return true;
            }
        }
        return false;
    }
}
