package dev.cella.vm.interp;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.flow.BlockMap;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Module;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a verified function body into the interpreter's code form ({@link Op}): one pass over the
 * function's {@link BlockMap} to emit, then the branch targets are patched to the decoded
 * positions of their blocks' headers.
 *
 * <p>Each function has two variants. The <em>metered</em> one ({@link Dispatch} runs it) has a
 * FUEL header before every block leader, charging the block's {@linkplain BlockMap#cost fuel
 * cost}. The <em>unmetered</em> one, for instances that account no fuel ({@link
 * dev.cella.vm.Instance#metered}; {@link UnmeteredDispatch} runs it), has headers only at the
 * check sites, charging a countdown to the next poll of the interrupt hook with their
 * {@linkplain BlockMap#pollCost poll costs} (the rule: {@link BlockMap}, "Check sites and poll
 * costs"). A label to any other leader points at the leader's instruction itself.
 */
final class Decoder {
    private final boolean metered;
    private final Module module;
    private int[] out = new int[64];
    private int size;
    private int[] starts = new int[32];
    private int[] pcs = new int[32];
    private int startCount;
    /** (decoded position of a label operand, target byte pc) pairs, patched at the end. */
    private int[] fixups = new int[16];
    private int fixupCount;

    private Decoder(boolean metered, Module module) {
        this.metered = metered;
        this.module = module;
    }

    /**
     * Decodes function {@code index} of {@code module}: its metered variant if {@code metered},
     * else its unmetered one (see the class comment).
     *
     * @throws IllegalArgumentException if the body is not verified (a branch into the middle of
     *     an instruction, for example); {@link dev.cella.isa.FormatException} if it is malformed
     */
    static DecodedFunction decode(Module module, int index, boolean metered) {
        return decode(module, index, module.isImport(index) ? null : BlockMap.of(module.function(index).code()), metered);
    }

    /**
     * As {@link #decode(Module, int, boolean)}, with the block map of the function ({@code
     * BlockMap.of} its body; null for an import).
     */
    static DecodedFunction decode(Module module, int index, BlockMap blocks, boolean metered) {
        FuncType type = module.functionType(index);
        int typeIndex = module.functionTypeIndex(index);
        if (module.isImport(index)) {
            return new DecodedFunction(index, typeIndex, type, 0, null, new int[0], new int[0]);
        }
        Function f = module.function(index);
        Decoder d = new Decoder(metered, module);
        int[] code = d.run(blocks);
        return new DecodedFunction(index, typeIndex, type, f.registers().size(), code,
                Arrays.copyOf(d.starts, d.startCount), Arrays.copyOf(d.pcs, d.startCount));
    }

    private int[] run(BlockMap blocks) {
        int[] headerAt = new int[blocks.codeLength() + 1];
        Arrays.fill(headerAt, -1);
        for (int b = 0; b < blocks.blockCount(); b++) {
            int pc = blocks.leaderPc(b);
            headerAt[pc] = size;
            int charge = metered ? blocks.cost(b) : blocks.pollCost(b);
            if (charge > 0) {
                start(pc);
                emit(Op.FUEL);
                emit(charge);
            }
            for (int k = blocks.leaderInstruction(b); k < blocks.blockEnd(b); k++) {
                emitInstruction(blocks.instruction(k));
            }
        }
        for (int i = 0; i < fixupCount; i += 2) {
            // The block map has checked that every target starts an instruction, so a block.
            out[fixups[i]] = headerAt[fixups[i + 1]];
        }
        return Arrays.copyOf(out, size);
    }

    private void emitInstruction(Instruction insn) {
        Opcode opcode = insn.opcode();
        int op = decodedOpcode(opcode);
        if (op == Op.NONE) {
            return;
        }
        long[] operands = insn.operands();
        if (op == Op.I32_GLOBAL_GET && module.globals().get((int) operands[1]).imported()
                || op == Op.I32_GLOBAL_SET && module.globals().get((int) operands[0]).imported()) {
            op = Op.TABLE; // an imported global lives in its provider: the cold path reads it there
        }
        if (op == Op.I64_CONST && operands[1] == (int) operands[1]) {
            op = Op.I32_CONST; // the 64 bits are the sign extension of an int: one operand suffices
        }
        start(insn.pc());
        emit(op);
        if (op == Op.COLD_UNARY || op == Op.COLD_BINARY || op == Op.V128) {
            emit(opcode.ordinal());
        }
        if (op == Op.TABLE) {
            emit(3 + operands.length);
            emit(opcode.ordinal());
        }
        if (opcode == Opcode.FUNCREF_NULL || opcode == Opcode.EXTERNREF_NULL) {
            // I32_CONST d 0: a null reference's raw bits.
            emit((int) operands[0]);
            emit(0);
            return;
        }
        List<Operand> kinds = opcode.operands();
        for (int i = 0; i < operands.length; i++) {
            long v = operands[i];
            switch (kinds.get(i).kind()) {
                case DEF, USE, FUNC, TYPE, GLOBAL, TABLE, ELEM, I32_IMM, F32_IMM -> emit((int) v);
                case OFFSET -> emit((int) Math.min(v, Integer.MAX_VALUE));
                case I64_IMM, F64_IMM -> {
                    emit((int) v);
                    if (op == Op.I64_CONST || op == Op.V128) {
                        emit((int) (v >>> 32));
                    }
                }
                case LABEL -> label(v);
                case LABELS -> {
                    int[] targets = insn.list(i);
                    emit(targets.length);
                    for (int t : targets) {
                        label(t & 0xFFFFFFFFL);
                    }
                }
                case USES, DEFS -> {
                    int[] regs = insn.list(i);
                    emit(regs.length);
                    for (int r : regs) {
                        emit(r);
                    }
                }
            }
        }
    }

    /**
     * The decoded opcode that runs {@code op}. This switch has no default: adding an opcode to
     * the ISA without deciding how the interpreter runs it is a compile error.
     */
    static int decodedOpcode(Opcode op) {
        return switch (op) {
            case UNREACHABLE -> Op.UNREACHABLE;
            case NOP -> Op.NONE;
            case BR -> Op.BR;
            case BR_IF -> Op.BR_IF;
            case BR_UNLESS -> Op.BR_UNLESS;
            case BR_TABLE -> Op.BR_TABLE;
            case RET -> Op.RET;
            case CALL -> Op.CALL;
            case CALL_INDIRECT -> Op.CALL_INDIRECT;
            case I32_CONST -> Op.I32_CONST;
            case I64_CONST, F64_CONST -> Op.I64_CONST;
            case F32_CONST -> Op.F32_CONST;
            case I32_MOV, I64_MOV, F32_MOV, F64_MOV, I64_EXTEND_I32_S, I64_REINTERPRET_F64, F64_REINTERPRET_I64 ->
                    Op.I32_MOV;
            case I32_SELECT, I64_SELECT, F32_SELECT, F64_SELECT -> Op.I32_SELECT;
            case I32_GLOBAL_GET, I64_GLOBAL_GET, F32_GLOBAL_GET, F64_GLOBAL_GET -> Op.I32_GLOBAL_GET;
            case I32_GLOBAL_SET, I64_GLOBAL_SET, F32_GLOBAL_SET, F64_GLOBAL_SET -> Op.I32_GLOBAL_SET;
            case I32_LOAD, I64_LOAD32_S -> Op.I32_LOAD;
            case F32_LOAD, I64_LOAD32_U -> Op.F32_LOAD;
            case I64_LOAD, F64_LOAD -> Op.I64_LOAD;
            case I32_LOAD8_S, I64_LOAD8_S -> Op.I32_LOAD8_S;
            case I32_LOAD8_U, I64_LOAD8_U -> Op.I32_LOAD8_U;
            case I32_LOAD16_S, I64_LOAD16_S -> Op.I32_LOAD16_S;
            case I32_LOAD16_U, I64_LOAD16_U -> Op.I32_LOAD16_U;
            case I32_STORE, F32_STORE, I64_STORE32 -> Op.I32_STORE;
            case I64_STORE, F64_STORE -> Op.I64_STORE;
            case I32_STORE8, I64_STORE8 -> Op.I32_STORE8;
            case I32_STORE16, I64_STORE16 -> Op.I32_STORE16;
            case MEMORY_SIZE -> Op.MEMORY_SIZE;
            case MEMORY_GROW -> Op.MEMORY_GROW;
            case MEMORY_COPY -> Op.MEMORY_COPY;
            case MEMORY_FILL -> Op.MEMORY_FILL;
            case I32_EQZ -> Op.I32_EQZ;
            case I32_EQ -> Op.I32_EQ;
            case I32_NE -> Op.I32_NE;
            case I32_LT_S -> Op.I32_LT_S;
            case I32_LT_U -> Op.I32_LT_U;
            case I32_GT_S -> Op.I32_GT_S;
            case I32_GT_U -> Op.I32_GT_U;
            case I32_LE_S -> Op.I32_LE_S;
            case I32_LE_U -> Op.I32_LE_U;
            case I32_GE_S -> Op.I32_GE_S;
            case I32_GE_U -> Op.I32_GE_U;
            case I64_EQZ -> Op.I64_EQZ;
            case I64_EQ -> Op.I64_EQ;
            case I64_NE -> Op.I64_NE;
            case I64_LT_S -> Op.I64_LT_S;
            case I64_LT_U -> Op.I64_LT_U;
            case I64_GT_S -> Op.I64_GT_S;
            case I64_GT_U -> Op.I64_GT_U;
            case I64_LE_S -> Op.I64_LE_S;
            case I64_LE_U -> Op.I64_LE_U;
            case I64_GE_S -> Op.I64_GE_S;
            case I64_GE_U -> Op.I64_GE_U;
            case F32_EQ -> Op.F32_EQ;
            case F32_NE -> Op.F32_NE;
            case F32_LT -> Op.F32_LT;
            case F32_GT -> Op.F32_GT;
            case F32_LE -> Op.F32_LE;
            case F32_GE -> Op.F32_GE;
            case F64_EQ -> Op.F64_EQ;
            case F64_NE -> Op.F64_NE;
            case F64_LT -> Op.F64_LT;
            case F64_GT -> Op.F64_GT;
            case F64_LE -> Op.F64_LE;
            case F64_GE -> Op.F64_GE;
            case I32_CLZ -> Op.I32_CLZ;
            case I32_CTZ -> Op.I32_CTZ;
            case I32_POPCNT -> Op.I32_POPCNT;
            case I32_ADD -> Op.I32_ADD;
            case I32_SUB -> Op.I32_SUB;
            case I32_MUL -> Op.I32_MUL;
            case I32_DIV_S -> Op.I32_DIV_S;
            case I32_DIV_U -> Op.I32_DIV_U;
            case I32_REM_S -> Op.I32_REM_S;
            case I32_REM_U -> Op.I32_REM_U;
            case I32_AND -> Op.I32_AND;
            case I32_OR -> Op.I32_OR;
            case I32_XOR -> Op.I32_XOR;
            case I32_SHL -> Op.I32_SHL;
            case I32_SHR_S -> Op.I32_SHR_S;
            case I32_SHR_U -> Op.I32_SHR_U;
            case I32_ROTL -> Op.I32_ROTL;
            case I32_ROTR -> Op.I32_ROTR;
            case I64_CLZ -> Op.I64_CLZ;
            case I64_CTZ -> Op.I64_CTZ;
            case I64_POPCNT -> Op.I64_POPCNT;
            case I64_ADD -> Op.I64_ADD;
            case I64_SUB -> Op.I64_SUB;
            case I64_MUL -> Op.I64_MUL;
            case I64_DIV_S -> Op.I64_DIV_S;
            case I64_DIV_U -> Op.I64_DIV_U;
            case I64_REM_S -> Op.I64_REM_S;
            case I64_REM_U -> Op.I64_REM_U;
            case I64_AND -> Op.I64_AND;
            case I64_OR -> Op.I64_OR;
            case I64_XOR -> Op.I64_XOR;
            case I64_SHL -> Op.I64_SHL;
            case I64_SHR_S -> Op.I64_SHR_S;
            case I64_SHR_U -> Op.I64_SHR_U;
            case I64_ROTL -> Op.I64_ROTL;
            case I64_ROTR -> Op.I64_ROTR;
            case F32_ABS -> Op.F32_ABS;
            case F32_NEG -> Op.F32_NEG;
            case F32_SQRT -> Op.F32_SQRT;
            case F32_ADD -> Op.F32_ADD;
            case F32_SUB -> Op.F32_SUB;
            case F32_MUL -> Op.F32_MUL;
            case F32_DIV -> Op.F32_DIV;
            case F64_ABS -> Op.F64_ABS;
            case F64_NEG -> Op.F64_NEG;
            case F64_SQRT -> Op.F64_SQRT;
            case F64_ADD -> Op.F64_ADD;
            case F64_SUB -> Op.F64_SUB;
            case F64_MUL -> Op.F64_MUL;
            case F64_DIV -> Op.F64_DIV;
            case I32_WRAP_I64, I64_EXTEND32_S, I32_REINTERPRET_F32 -> Op.I32_WRAP_I64;
            case I64_EXTEND_I32_U, F32_REINTERPRET_I32 -> Op.I64_EXTEND_I32_U;
            case I32_EXTEND8_S, I64_EXTEND8_S -> Op.I32_EXTEND8_S;
            case I32_EXTEND16_S, I64_EXTEND16_S -> Op.I32_EXTEND16_S;
            case F64_CONVERT_I32_S -> Op.F64_CONVERT_I32_S;
            case F64_PROMOTE_F32 -> Op.F64_PROMOTE_F32;
            case F32_DEMOTE_F64 -> Op.F32_DEMOTE_F64;
            case F32_CEIL, F32_FLOOR, F32_TRUNC, F32_NEAREST, F64_CEIL, F64_FLOOR, F64_TRUNC, F64_NEAREST,
                    I32_TRUNC_F32_S, I32_TRUNC_F32_U, I32_TRUNC_F64_S, I32_TRUNC_F64_U,
                    I64_TRUNC_F32_S, I64_TRUNC_F32_U, I64_TRUNC_F64_S, I64_TRUNC_F64_U,
                    I32_TRUNC_SAT_F32_S, I32_TRUNC_SAT_F32_U, I32_TRUNC_SAT_F64_S, I32_TRUNC_SAT_F64_U,
                    I64_TRUNC_SAT_F32_S, I64_TRUNC_SAT_F32_U, I64_TRUNC_SAT_F64_S, I64_TRUNC_SAT_F64_U,
                    F32_CONVERT_I32_S, F32_CONVERT_I32_U, F32_CONVERT_I64_S, F32_CONVERT_I64_U,
                    F64_CONVERT_I32_U, F64_CONVERT_I64_S, F64_CONVERT_I64_U -> Op.COLD_UNARY;
            case F32_MIN, F32_MAX, F32_COPYSIGN, F64_MIN, F64_MAX, F64_COPYSIGN -> Op.COLD_BINARY;
            case I32_BR_EQ -> Op.I32_BR_EQ;
            case I32_BR_NE -> Op.I32_BR_NE;
            case I32_BR_LT_S -> Op.I32_BR_LT_S;
            case I32_BR_LT_U -> Op.I32_BR_LT_U;
            case I32_BR_GT_S -> Op.I32_BR_GT_S;
            case I32_BR_GT_U -> Op.I32_BR_GT_U;
            case I32_BR_LE_S -> Op.I32_BR_LE_S;
            case I32_BR_LE_U -> Op.I32_BR_LE_U;
            case I32_BR_GE_S -> Op.I32_BR_GE_S;
            case I32_BR_GE_U -> Op.I32_BR_GE_U;
            case I64_BR_EQ -> Op.I64_BR_EQ;
            case I64_BR_NE -> Op.I64_BR_NE;
            case I64_BR_LT_S -> Op.I64_BR_LT_S;
            case I64_BR_LT_U -> Op.I64_BR_LT_U;
            case I64_BR_GT_S -> Op.I64_BR_GT_S;
            case I64_BR_GT_U -> Op.I64_BR_GT_U;
            case I64_BR_LE_S -> Op.I64_BR_LE_S;
            case I64_BR_LE_U -> Op.I64_BR_LE_U;
            case I64_BR_GE_S -> Op.I64_BR_GE_S;
            case I64_BR_GE_U -> Op.I64_BR_GE_U;
            case F32_BR_EQ -> Op.F32_BR_EQ;
            case F32_BR_NE -> Op.F32_BR_NE;
            case F32_BR_LT -> Op.F32_BR_LT;
            case F32_BR_GT -> Op.F32_BR_GT;
            case F32_BR_LE -> Op.F32_BR_LE;
            case F32_BR_GE -> Op.F32_BR_GE;
            case F64_BR_EQ -> Op.F64_BR_EQ;
            case F64_BR_NE -> Op.F64_BR_NE;
            case F64_BR_LT -> Op.F64_BR_LT;
            case F64_BR_GT -> Op.F64_BR_GT;
            case F64_BR_LE -> Op.F64_BR_LE;
            case F64_BR_GE -> Op.F64_BR_GE;
            case FUNCREF_NULL, EXTERNREF_NULL -> Op.I32_CONST;
            case FUNCREF_IS_NULL, EXTERNREF_IS_NULL -> Op.I64_EQZ;
            case FUNCREF_MOV, EXTERNREF_MOV -> Op.I32_MOV;
            case FUNCREF_SELECT, EXTERNREF_SELECT -> Op.I32_SELECT;
            case FUNCREF_GLOBAL_GET, EXTERNREF_GLOBAL_GET -> Op.I32_GLOBAL_GET;
            case FUNCREF_GLOBAL_SET, EXTERNREF_GLOBAL_SET -> Op.I32_GLOBAL_SET;
            case FUNCREF_TABLE_GET, EXTERNREF_TABLE_GET, FUNCREF_TABLE_SET, EXTERNREF_TABLE_SET,
                    FUNCREF_TABLE_GROW, EXTERNREF_TABLE_GROW, FUNCREF_TABLE_FILL, EXTERNREF_TABLE_FILL,
                    TABLE_SIZE, TABLE_COPY, TABLE_INIT, ELEM_DROP -> Op.TABLE;
            // The reference's bits depend on the instance's place in its store (Instance.functionRef).
            case REF_FUNC -> Op.TABLE;
            case V128_UNARY, V128_BINARY, V128_SHIFT, V128_TEST, V128_SPLAT, V128_EXTRACT, V128_REPLACE,
                    V128_BITSELECT, V128_SHUFFLE -> Op.V128;
            case THROW -> Op.THROW;
            case CALL_CATCH -> Op.CALL_CATCH;
            case CALL_INDIRECT_CATCH -> Op.CALL_INDIRECT_CATCH;
            case RETHROW -> Op.RETHROW;
        };
    }

    private void label(long targetPc) {
        if (fixupCount + 2 > fixups.length) {
            fixups = Arrays.copyOf(fixups, fixups.length * 2);
        }
        fixups[fixupCount++] = size;
        fixups[fixupCount++] = (int) Math.min(targetPc, Integer.MAX_VALUE);
        emit(-1);
    }

    private void start(int pc) {
        if (startCount == starts.length) {
            starts = Arrays.copyOf(starts, startCount * 2);
            pcs = Arrays.copyOf(pcs, startCount * 2);
        }
        starts[startCount] = size;
        pcs[startCount] = pc;
        startCount++;
    }

    private void emit(int v) {
        if (size == out.length) {
            out = Arrays.copyOf(out, size * 2);
        }
        out[size++] = v;
    }
}
