package dev.cella.isa.code;

import dev.cella.isa.Opcode;
import dev.cella.isa.OperandKind;

/**
 * One decoded instruction, for tools (verifier, disassembler, decoders); engines use their own
 * compact forms.
 *
 * <p>{@code operands[i]} holds operand {@code i} of {@link Opcode#operands()}: a register or
 * index as a non-negative int value, an i32 immediate sign-extended, an i64 immediate, an f32's
 * raw bits zero-extended, an f64's raw bits, a label as its target pc. For a list operand it is
 * the list's length and {@code lists[i]} holds the elements (registers or target pcs); for other
 * operands {@code lists[i]} is null.
 *
 * @param pc byte offset of the instruction in its function body
 * @param size encoded length in bytes
 */
public record Instruction(int pc, int size, Opcode opcode, long[] operands, int[][] lists) {

    /** Operand {@code i} as an int (registers, indices, offsets, labels, i32 immediates). */
    public int intOperand(int i) {
        return (int) operands[i];
    }

    /** The list held by list operand {@code i}. */
    public int[] list(int i) {
        return lists[i];
    }

    /** Kind of operand {@code i}. */
    public OperandKind kind(int i) {
        return opcode.operands().get(i).kind();
    }

    /** The pc of the next instruction. */
    public int next() {
        return pc + size;
    }
}
