package dev.cella.isa.code;

import dev.cella.isa.Opcode;

/** Encodes instructions into a function body: the inverse of {@link CodeReader}. */
public final class CodeWriter {
    private final ByteOutput out = new ByteOutput();

    /** The pc the next instruction will have. */
    public int pc() {
        return out.size();
    }

    /**
     * Appends {@code insn} (its pc and size are ignored). Returns, for each LABEL operand, nothing;
     * use {@link #labelPosition} with {@link #patchLabel} for forward references.
     */
    public void write(Instruction insn) {
        write(insn.opcode(), insn.operands(), insn.lists());
    }

    /** Appends an instruction given its operands in {@link Instruction}'s representation. */
    public void write(Opcode op, long[] operands, int[][] lists) {
        out.u32(op.code);
        var kinds = op.operands();
        if (operands.length != kinds.size()) {
            throw new IllegalArgumentException(op.mnemonic + " takes " + kinds.size() + " operands");
        }
        for (int i = 0; i < operands.length; i++) {
            long v = operands[i];
            switch (kinds.get(i).kind()) {
                case DEF, USE, FUNC, TYPE, GLOBAL, TABLE, ELEM, OFFSET -> out.u32(v);
                case I32_IMM -> out.s32((int) v);
                case I64_IMM -> out.s64(v);
                case F32_IMM, LABEL -> out.fixed32((int) v);
                case F64_IMM -> out.fixed64(v);
                case LABELS -> {
                    out.u32(lists[i].length);
                    for (int t : lists[i]) {
                        out.fixed32(t);
                    }
                }
                case USES, DEFS -> {
                    out.u32(lists[i].length);
                    for (int r : lists[i]) {
                        out.u32(r);
                    }
                }
            }
        }
    }

    /**
     * The byte positions at which the label operands of the instruction starting at {@code pc}
     * are stored, in operand order (list elements included), so an assembler can patch them.
     */
    public int[] labelPositions(int pc) {
        byte[] code = out.toByteArray();
        var in = new dev.cella.isa.code.ByteInput(code, pc, code.length, 0);
        Opcode op = Opcode.fromCode((int) in.u32());
        java.util.List<Integer> at = new java.util.ArrayList<>();
        for (var o : op.operands()) {
            switch (o.kind()) {
                case DEF, USE, FUNC, TYPE, GLOBAL, TABLE, ELEM, OFFSET -> in.u32();
                case I32_IMM -> in.s32();
                case I64_IMM -> in.s64();
                case F32_IMM -> in.fixed32();
                case F64_IMM -> in.fixed64();
                case LABEL -> {
                    at.add(in.position());
                    in.fixed32();
                }
                case LABELS -> {
                    int n = (int) in.u32();
                    for (int j = 0; j < n; j++) {
                        at.add(in.position());
                        in.fixed32();
                    }
                }
                case USES, DEFS -> {
                    int n = (int) in.u32();
                    for (int j = 0; j < n; j++) {
                        in.u32();
                    }
                }
            }
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Overwrites the 4-byte label stored at {@code position} with {@code target}. */
    public void patchLabel(int position, int target) {
        out.patch32(position, target);
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
