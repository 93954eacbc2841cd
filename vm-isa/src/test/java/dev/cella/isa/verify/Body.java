package dev.cella.isa.verify;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.CodeWriter;
import dev.cella.isa.code.Instruction;

/**
 * Writes a function body for a test, one instruction at a time, through {@link CodeWriter}.
 * Labels are absolute pcs, so a test takes {@link #pc()} before writing the instruction it
 * wants to branch to (or to be blamed for).
 */
final class Body {
    private final CodeWriter writer = new CodeWriter();

    /** The pc the next instruction will have. */
    int pc() {
        return writer.pc();
    }

    /** Appends {@code op}, which must have no list operands, with the given operand values. */
    Body op(Opcode op, long... operands) {
        for (var o : op.operands()) {
            if (o.kind().isList()) {
                throw new IllegalArgumentException(op.mnemonic + " has list operands: use insn");
            }
        }
        writer.write(op, operands, new int[operands.length][]);
        return this;
    }

    /** Appends {@code op} with operand values and, for its list operands, the lists. */
    Body insn(Opcode op, long[] operands, int[][] lists) {
        writer.write(op, operands, lists);
        return this;
    }

    Body insn(Instruction insn) {
        writer.write(insn);
        return this;
    }

    Body call(int function, int[] args, int[] results) {
        return insn(Opcode.CALL, new long[] {function, args.length, results.length}, new int[][] {null, args, results});
    }

    Body callIndirect(int type, int table, int index, int[] args, int[] results) {
        return insn(Opcode.CALL_INDIRECT, new long[] {type, table, index, args.length, results.length},
                new int[][] {null, null, null, args, results});
    }

    Body ret(int... registers) {
        return insn(Opcode.RET, new long[] {registers.length}, new int[][] {registers});
    }

    Body brTable(int index, int[] targets, int otherwise) {
        return insn(Opcode.BR_TABLE, new long[] {index, targets.length, otherwise}, new int[][] {null, targets, null});
    }

    byte[] bytes() {
        return writer.toByteArray();
    }

    /** The body written so far followed by {@code raw} bytes (for malformed encodings). */
    byte[] bytesThen(int... raw) {
        byte[] code = writer.toByteArray();
        byte[] out = java.util.Arrays.copyOf(code, code.length + raw.length);
        for (int i = 0; i < raw.length; i++) {
            out[code.length + i] = (byte) raw[i];
        }
        return out;
    }
}
