package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.Instruction;

/**
 * Sends each instruction to the emitter of its family. The classification is a switch expression
 * over every opcode with no default, so adding an opcode without teaching the JIT to emit it does
 * not compile (that is the whole check: a run-time pass over the opcodes could never fail).
 */
final class InstructionEmitter {
    enum Family { CONTROL, CALL, MEMORY, VARIABLE, INTEGER, FLOAT, CONVERSION, TABLE, SIMD }

    private InstructionEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (familyOf(in.opcode())) {
            case CONTROL -> ControlEmitter.emit(e, in);
            case CALL -> CallEmitter.emit(e, in);
            case MEMORY -> MemoryEmitter.emit(e, in);
            case VARIABLE -> VariableEmitter.emit(e, in);
            case INTEGER -> IntegerEmitter.emit(e, in);
            case FLOAT -> FloatEmitter.emit(e, in);
            case CONVERSION -> ConversionEmitter.emit(e, in);
            case TABLE -> TableEmitter.emit(e, in);
            case SIMD -> SimdEmitter.emit(e, in);
        }
    }

    static Family familyOf(Opcode op) {
        return switch (op) {
            case UNREACHABLE, NOP, BR, BR_IF, BR_UNLESS, BR_TABLE, RET, THROW, RETHROW,
                    I32_BR_EQ, I32_BR_NE, I32_BR_LT_S, I32_BR_LT_U, I32_BR_GT_S, I32_BR_GT_U,
                    I32_BR_LE_S, I32_BR_LE_U, I32_BR_GE_S, I32_BR_GE_U,
                    I64_BR_EQ, I64_BR_NE, I64_BR_LT_S, I64_BR_LT_U, I64_BR_GT_S, I64_BR_GT_U,
                    I64_BR_LE_S, I64_BR_LE_U, I64_BR_GE_S, I64_BR_GE_U,
                    F32_BR_EQ, F32_BR_NE, F32_BR_LT, F32_BR_GT, F32_BR_LE, F32_BR_GE,
                    F64_BR_EQ, F64_BR_NE, F64_BR_LT, F64_BR_GT, F64_BR_LE, F64_BR_GE -> Family.CONTROL;
            case CALL, CALL_INDIRECT, CALL_CATCH, CALL_INDIRECT_CATCH -> Family.CALL;
            case I32_LOAD, I64_LOAD, F32_LOAD, F64_LOAD, I32_LOAD8_S, I32_LOAD8_U, I32_LOAD16_S, I32_LOAD16_U,
                    I64_LOAD8_S, I64_LOAD8_U, I64_LOAD16_S, I64_LOAD16_U, I64_LOAD32_S, I64_LOAD32_U,
                    I32_STORE, I64_STORE, F32_STORE, F64_STORE, I32_STORE8, I32_STORE16,
                    I64_STORE8, I64_STORE16, I64_STORE32,
                    MEMORY_SIZE, MEMORY_GROW, MEMORY_COPY, MEMORY_FILL -> Family.MEMORY;
            case I32_CONST, I64_CONST, F32_CONST, F64_CONST, I32_MOV, I64_MOV, F32_MOV, F64_MOV,
                    I32_SELECT, I64_SELECT, F32_SELECT, F64_SELECT,
                    I32_GLOBAL_GET, I64_GLOBAL_GET, F32_GLOBAL_GET, F64_GLOBAL_GET,
                    I32_GLOBAL_SET, I64_GLOBAL_SET, F32_GLOBAL_SET, F64_GLOBAL_SET -> Family.VARIABLE;
            case I32_EQZ, I32_EQ, I32_NE, I32_LT_S, I32_LT_U, I32_GT_S, I32_GT_U, I32_LE_S, I32_LE_U,
                    I32_GE_S, I32_GE_U, I64_EQZ, I64_EQ, I64_NE, I64_LT_S, I64_LT_U, I64_GT_S, I64_GT_U,
                    I64_LE_S, I64_LE_U, I64_GE_S, I64_GE_U,
                    I32_CLZ, I32_CTZ, I32_POPCNT, I32_ADD, I32_SUB, I32_MUL, I32_DIV_S, I32_DIV_U,
                    I32_REM_S, I32_REM_U, I32_AND, I32_OR, I32_XOR, I32_SHL, I32_SHR_S, I32_SHR_U,
                    I32_ROTL, I32_ROTR, I64_CLZ, I64_CTZ, I64_POPCNT, I64_ADD, I64_SUB, I64_MUL,
                    I64_DIV_S, I64_DIV_U, I64_REM_S, I64_REM_U, I64_AND, I64_OR, I64_XOR, I64_SHL,
                    I64_SHR_S, I64_SHR_U, I64_ROTL, I64_ROTR -> Family.INTEGER;
            case F32_EQ, F32_NE, F32_LT, F32_GT, F32_LE, F32_GE, F64_EQ, F64_NE, F64_LT, F64_GT, F64_LE, F64_GE,
                    F32_ABS, F32_NEG, F32_CEIL, F32_FLOOR, F32_TRUNC, F32_NEAREST, F32_SQRT, F32_ADD, F32_SUB,
                    F32_MUL, F32_DIV, F32_MIN, F32_MAX, F32_COPYSIGN, F64_ABS, F64_NEG, F64_CEIL, F64_FLOOR,
                    F64_TRUNC, F64_NEAREST, F64_SQRT, F64_ADD, F64_SUB, F64_MUL, F64_DIV, F64_MIN, F64_MAX,
                    F64_COPYSIGN -> Family.FLOAT;
            case I32_WRAP_I64, I32_TRUNC_F32_S, I32_TRUNC_F32_U, I32_TRUNC_F64_S, I32_TRUNC_F64_U,
                    I64_EXTEND_I32_S, I64_EXTEND_I32_U, I64_TRUNC_F32_S, I64_TRUNC_F32_U, I64_TRUNC_F64_S,
                    I64_TRUNC_F64_U, F32_CONVERT_I32_S, F32_CONVERT_I32_U, F32_CONVERT_I64_S, F32_CONVERT_I64_U,
                    F32_DEMOTE_F64, F64_CONVERT_I32_S, F64_CONVERT_I32_U, F64_CONVERT_I64_S, F64_CONVERT_I64_U,
                    F64_PROMOTE_F32, I32_REINTERPRET_F32, I64_REINTERPRET_F64, F32_REINTERPRET_I32,
                    F64_REINTERPRET_I64, I32_EXTEND8_S, I32_EXTEND16_S, I64_EXTEND8_S, I64_EXTEND16_S,
                    I64_EXTEND32_S, I32_TRUNC_SAT_F32_S, I32_TRUNC_SAT_F32_U, I32_TRUNC_SAT_F64_S,
                    I32_TRUNC_SAT_F64_U, I64_TRUNC_SAT_F32_S, I64_TRUNC_SAT_F32_U, I64_TRUNC_SAT_F64_S,
                    I64_TRUNC_SAT_F64_U -> Family.CONVERSION;
            case REF_FUNC, FUNCREF_NULL, EXTERNREF_NULL, FUNCREF_MOV, EXTERNREF_MOV, FUNCREF_SELECT, EXTERNREF_SELECT,
                    FUNCREF_GLOBAL_GET, EXTERNREF_GLOBAL_GET, FUNCREF_GLOBAL_SET, EXTERNREF_GLOBAL_SET -> Family.VARIABLE;
            case FUNCREF_IS_NULL, EXTERNREF_IS_NULL -> Family.INTEGER;
            case FUNCREF_TABLE_GET, EXTERNREF_TABLE_GET, FUNCREF_TABLE_SET, EXTERNREF_TABLE_SET,
                    FUNCREF_TABLE_GROW, EXTERNREF_TABLE_GROW, FUNCREF_TABLE_FILL, EXTERNREF_TABLE_FILL,
                    TABLE_SIZE, TABLE_COPY, TABLE_INIT, ELEM_DROP -> Family.TABLE;
            case V128_UNARY, V128_BINARY, V128_SHIFT, V128_TEST, V128_SPLAT, V128_EXTRACT, V128_REPLACE,
                    V128_BITSELECT, V128_SHUFFLE -> Family.SIMD;
        };
    }
}
