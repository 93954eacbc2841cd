package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Module;
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
        int k = -1;
        for (int i = 0; i < n; i++) {
            if (leader[i]) {
                k++;
                leaderPcs[k] = insns[i].pc();
            }
            leaderCosts[k]++;
        }
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
