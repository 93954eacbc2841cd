package dev.cella.jit;

import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.flow.BlockMap;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Module;
import dev.cella.vm.BulkWork;
import java.util.Arrays;
import java.util.List;

/**
 * A defined function decoded for compilation: its instructions and its {@link BlockMap} (leaders,
 * block costs, successors, check sites and poll costs: the one definition of the fuel rule, which
 * the interpreter charges by too), as arrays the compiler and runtime index directly, plus the
 * JIT's own fuel-check coverage ({@link #coveredBy}).
 *
 * <p>Leaders are numbered in pc order; the number of a leader is its <em>leader index</em>, which
 * compiled code passes to the fuel slow path.
 *
 * <p>Precondition: the module passed the verifier, so every label is the pc of an instruction.
 */
final class FunctionCode {
    final int index;
    final FuncType type;
    final Function function;
    /** The control-flow map these arrays are taken from. */
    final BlockMap blocks;
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
     * between the two charges), holds no bulk instruction (which charges inside it) nor branches
     * back, can skip its own check if {@code b} checks that the window holds its cost too ({@link
     * #precheck}).
     */
    final int[] coveredBy;
    /** For each leader, the most fuel a block it covers costs (0 if it covers none). */
    final int[] precheck;

    private FunctionCode(int index, FuncType type, Function function, BlockMap blocks) {
        this.index = index;
        this.type = type;
        this.function = function;
        this.blocks = blocks;
        this.insns = blocks.instructions();
        int n = insns.length;
        this.leader = new boolean[n];
        this.branchTarget = new boolean[n];
        this.leaderIndex = new int[n];
        for (int i = 0; i < n; i++) {
            leader[i] = blocks.isLeader(i);
            branchTarget[i] = blocks.isBranchTarget(i);
            leaderIndex[i] = blocks.leaderIndex(i);
        }
        this.leaderPcs = blocks.leaderPcs();
        this.leaderCosts = blocks.costs();
        this.leaderInsns = blocks.leaderInstructions();
        this.successors = blocks.successors();
        this.pollCosts = blocks.pollCosts();
        int count = leaderPcs.length;
        this.coveredBy = new int[count];
        this.precheck = new int[count];
        int[] onlyPredecessor = new int[count];
        Arrays.fill(onlyPredecessor, -1);
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
                    && !branchesBack(b) && !chargesBulk(b);
            coveredBy[s] = covered ? b : -1;
            if (covered) {
                precheck[b] = Math.max(precheck[b], leaderCosts[s]);
            }
        }
    }

    /** Decodes defined function {@code index} of {@code module}. */
    static FunctionCode decode(Module module, int index) {
        Function f = module.function(index);
        return new FunctionCode(index, module.functionType(index), f, BlockMap.of(f.code()));
    }

    /** The branch targets of a branch instruction, as pcs (see {@link BlockMap#targets}). */
    static int[] targets(Instruction in) {
        return BlockMap.targets(in);
    }

    /** The instruction index whose pc is {@code pc}; the pc must start an instruction. */
    int indexOfPc(int pc) {
        int i = blocks.instructionAt(pc);
        if (i < 0) {
            throw new IllegalArgumentException("pc " + pc + " does not start an instruction of function " + index);
        }
        return i;
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

    /** True if block {@code b} holds a bulk instruction, which charges fuel inside the block ({@link BulkWork}). */
    private boolean chargesBulk(int b) {
        for (int i = leaderInsns[b]; i < blockEnd(b); i++) {
            if (BulkWork.charges(insns[i].opcode())) {
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
        return blocks.blockAt(pc);
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
