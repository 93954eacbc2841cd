package dev.cella.isa.code;

import dev.cella.isa.FormatException;
import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;

/**
 * Decodes a function body instruction by instruction. Malformed encodings (unknown opcode,
 * truncation, bad LEB128, over-long lists) are reported as {@link FormatException} with the
 * absolute offset given by {@code base}. Indices are not checked here: that is the verifier's job.
 */
public final class CodeReader {
    /** The most registers a function may declare (register operands are checked against it). */
    public static final int MAX_REGISTERS = 65536;

    private final ByteInput in;
    private final int start;

    /**
     * @param code the function body
     * @param base absolute offset of {@code code[0]} in the binary, for messages (0 if none)
     */
    public CodeReader(byte[] code, long base) {
        this.in = new ByteInput(code, 0, code.length, base);
        this.start = 0;
    }

    public boolean hasNext() {
        return in.hasRemaining();
    }

    /** The pc of the next instruction. */
    public int pc() {
        return in.position() - start;
    }

    /** Decodes the next instruction. */
    public Instruction next() {
        int pc = in.position();
        int codeAt = pc;
        long code = in.u32();
        Opcode op = code > Integer.MAX_VALUE ? null : Opcode.fromCode((int) code);
        if (op == null) {
            throw in.error(codeAt, "unknown opcode 0x" + Long.toHexString(code));
        }
        var kinds = op.operands();
        long[] operands = new long[kinds.size()];
        int[][] lists = new int[kinds.size()][];
        for (int i = 0; i < operands.length; i++) {
            Operand o = kinds.get(i);
            operands[i] = switch (o.kind()) {
                case DEF, USE -> in.u32(MAX_REGISTERS - 1, "register index");
                case FUNC, TYPE, GLOBAL, TABLE, ELEM, OFFSET -> in.u32();
                case I32_IMM -> in.s32();
                case I64_IMM -> in.s64();
                case F32_IMM -> in.fixed32() & 0xFFFFFFFFL;
                case F64_IMM -> in.fixed64();
                case LABEL -> in.fixed32() & 0xFFFFFFFFL;
                case LABELS -> {
                    int n = in.count(4, "label");
                    int[] targets = new int[n];
                    for (int j = 0; j < n; j++) {
                        targets[j] = in.fixed32();
                    }
                    lists[i] = targets;
                    yield n;
                }
                case USES, DEFS -> {
                    int n = in.count(1, "register list");
                    int[] regs = new int[n];
                    for (int j = 0; j < n; j++) {
                        regs[j] = in.u32(MAX_REGISTERS - 1, "register index");
                    }
                    lists[i] = regs;
                    yield n;
                }
            };
        }
        return new Instruction(pc - start, in.position() - pc, op, operands, lists);
    }
}
