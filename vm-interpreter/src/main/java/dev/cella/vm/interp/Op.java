package dev.cella.vm.interp;

/**
 * The interpreter's decoded instruction set: the opcodes of the compact code form that {@link
 * Decoder} produces and {@link Dispatch} runs.
 *
 * <h2>Code form</h2>
 * A function's decoded code is one {@code int[]}. Each instruction is its decoded opcode followed
 * by its operands inline, in the order of {@link dev.cella.isa.Opcode#operands()}:
 * <pre>
 *   register (d, a, b, c)   its index in the frame: the value lives in regs[fp + index]
 *   global, table, type     the index
 *   func                    the function index
 *   off                     the static offset, clamped to Integer.MAX_VALUE (any larger offset
 *                           is out of bounds anyway, since memory is below 2 GiB)
 *   #i32 / #f32             the 32 bits; I32_CONST sign-extends them, F32_CONST zero-extends
 *   #i64 / #f64             low 32 bits, then high 32 bits (I64_CONST); values that are the
 *                           sign extension of an int use I32_CONST instead
 *   @ (label)               the decoded index of the target block's FUEL header
 *   @* / (*) / =(*)         the count, then the elements
 * </pre>
 * The cold groups carry the original {@link dev.cella.isa.Opcode}'s ordinal right after the
 * decoded opcode: {@code COLD_UNARY op d a} and {@code COLD_BINARY op d a b}; {@link ColdOps} runs
 * them. NOP decodes to nothing. The table instructions decode to {@code TABLE length op operands...},
 * where length is the instruction's length in ints and op the original opcode's ordinal; {@link
 * Machine#table} runs them, and the global.get and global.set of imported globals, which decode
 * the same way. ref.func, funcref.null and externref.null decode to I32_CONST of the
 * reference's raw bits, the is_null tests to I64_EQZ (null is 0).
 *
 * <h2>Fuel headers</h2>
 * Every basic-block leader (see the fuel rule in the ISA) is preceded by {@code FUEL cost}, where
 * cost is the number of original instructions in the block. Entering a block means pointing pc at
 * its header and charging it: branches, calls and returns land on a header and charge it directly
 * (no dispatch); a plain fall-through into a leader dispatches the header itself. In the
 * unmetered variant of a function the headers are the same, but charge a poll countdown: their
 * cost is 0 except at check sites (see {@link Decoder}).
 *
 * <h2>Merged opcodes</h2>
 * Registers hold raw bits (i32 sign-extended, f32 zero-extended), so some original opcodes share
 * one decoded opcode; each decoded opcode is named after one of them:
 * <pre>
 *   I32_MOV         all movs, i64.extend_i32_s, i64/f64.reinterpret_*
 *   I32_MOV         also the reference movs
 *   I32_SELECT      all selects;   I32_GLOBAL_GET / I32_GLOBAL_SET: all types
 *   I32_LOAD        also i64.load32_s;   F32_LOAD: also i64.load32_u;   I64_LOAD: also f64.load
 *   I32_LOAD8_S ... also the i64 forms;  I32_STORE: also f32.store, i64.store32
 *   I64_STORE       also f64.store;      I32_STORE8 / I32_STORE16: also the i64 forms
 *   I32_WRAP_I64    also i64.extend32_s, i32.reinterpret_f32 (sign-extend the low 32 bits)
 *   I64_EXTEND_I32_U also f32.reinterpret_i32 (zero-extend the low 32 bits)
 *   I32_EXTEND8_S / I32_EXTEND16_S: also the i64 forms
 * </pre>
 * Constants are dense from 0 so the dispatch switch compiles to a jump table.
 */
final class Op {

    // Control
    static final int FUEL = 0;
    static final int UNREACHABLE = 1;
    static final int BR = 2;
    static final int BR_IF = 3;
    static final int BR_UNLESS = 4;
    static final int BR_TABLE = 5;
    static final int RET = 6;
    static final int CALL = 7;
    static final int CALL_INDIRECT = 8;

    // Constants, moves, globals
    static final int I32_CONST = 9;
    static final int F32_CONST = 10;
    static final int I64_CONST = 11;
    static final int I32_MOV = 12;
    static final int I32_SELECT = 13;
    static final int I32_GLOBAL_GET = 14;
    static final int I32_GLOBAL_SET = 15;

    // Memory
    static final int I32_LOAD = 16;
    static final int F32_LOAD = 17;
    static final int I64_LOAD = 18;
    static final int I32_LOAD8_S = 19;
    static final int I32_LOAD8_U = 20;
    static final int I32_LOAD16_S = 21;
    static final int I32_LOAD16_U = 22;
    static final int I32_STORE = 23;
    static final int I64_STORE = 24;
    static final int I32_STORE8 = 25;
    static final int I32_STORE16 = 26;
    static final int MEMORY_SIZE = 27;
    static final int MEMORY_GROW = 28;
    static final int MEMORY_COPY = 29;
    static final int MEMORY_FILL = 30;

    // i32 comparisons
    static final int I32_EQZ = 31;
    static final int I32_EQ = 32;
    static final int I32_NE = 33;
    static final int I32_LT_S = 34;
    static final int I32_LT_U = 35;
    static final int I32_GT_S = 36;
    static final int I32_GT_U = 37;
    static final int I32_LE_S = 38;
    static final int I32_LE_U = 39;
    static final int I32_GE_S = 40;
    static final int I32_GE_U = 41;

    // i64 comparisons
    static final int I64_EQZ = 42;
    static final int I64_EQ = 43;
    static final int I64_NE = 44;
    static final int I64_LT_S = 45;
    static final int I64_LT_U = 46;
    static final int I64_GT_S = 47;
    static final int I64_GT_U = 48;
    static final int I64_LE_S = 49;
    static final int I64_LE_U = 50;
    static final int I64_GE_S = 51;
    static final int I64_GE_U = 52;

    // float comparisons
    static final int F32_EQ = 53;
    static final int F32_NE = 54;
    static final int F32_LT = 55;
    static final int F32_GT = 56;
    static final int F32_LE = 57;
    static final int F32_GE = 58;
    static final int F64_EQ = 59;
    static final int F64_NE = 60;
    static final int F64_LT = 61;
    static final int F64_GT = 62;
    static final int F64_LE = 63;
    static final int F64_GE = 64;

    // i32 arithmetic
    static final int I32_CLZ = 65;
    static final int I32_CTZ = 66;
    static final int I32_POPCNT = 67;
    static final int I32_ADD = 68;
    static final int I32_SUB = 69;
    static final int I32_MUL = 70;
    static final int I32_DIV_S = 71;
    static final int I32_DIV_U = 72;
    static final int I32_REM_S = 73;
    static final int I32_REM_U = 74;
    static final int I32_AND = 75;
    static final int I32_OR = 76;
    static final int I32_XOR = 77;
    static final int I32_SHL = 78;
    static final int I32_SHR_S = 79;
    static final int I32_SHR_U = 80;
    static final int I32_ROTL = 81;
    static final int I32_ROTR = 82;

    // i64 arithmetic
    static final int I64_CLZ = 83;
    static final int I64_CTZ = 84;
    static final int I64_POPCNT = 85;
    static final int I64_ADD = 86;
    static final int I64_SUB = 87;
    static final int I64_MUL = 88;
    static final int I64_DIV_S = 89;
    static final int I64_DIV_U = 90;
    static final int I64_REM_S = 91;
    static final int I64_REM_U = 92;
    static final int I64_AND = 93;
    static final int I64_OR = 94;
    static final int I64_XOR = 95;
    static final int I64_SHL = 96;
    static final int I64_SHR_S = 97;
    static final int I64_SHR_U = 98;
    static final int I64_ROTL = 99;
    static final int I64_ROTR = 100;

    // float arithmetic
    static final int F32_ABS = 101;
    static final int F32_NEG = 102;
    static final int F32_SQRT = 103;
    static final int F32_ADD = 104;
    static final int F32_SUB = 105;
    static final int F32_MUL = 106;
    static final int F32_DIV = 107;
    static final int F64_ABS = 108;
    static final int F64_NEG = 109;
    static final int F64_SQRT = 110;
    static final int F64_ADD = 111;
    static final int F64_SUB = 112;
    static final int F64_MUL = 113;
    static final int F64_DIV = 114;

    // Width changes
    static final int I32_WRAP_I64 = 115;
    static final int I64_EXTEND_I32_U = 116;
    static final int I32_EXTEND8_S = 117;
    static final int I32_EXTEND16_S = 118;
    static final int F64_CONVERT_I32_S = 119;
    static final int F64_PROMOTE_F32 = 120;
    static final int F32_DEMOTE_F64 = 121;

    // Cold groups
    static final int COLD_UNARY = 122;
    static final int COLD_BINARY = 123;

    // Compare and branch
    static final int I32_BR_EQ = 124;
    static final int I32_BR_NE = 125;
    static final int I32_BR_LT_S = 126;
    static final int I32_BR_LT_U = 127;
    static final int I32_BR_GT_S = 128;
    static final int I32_BR_GT_U = 129;
    static final int I32_BR_LE_S = 130;
    static final int I32_BR_LE_U = 131;
    static final int I32_BR_GE_S = 132;
    static final int I32_BR_GE_U = 133;
    static final int I64_BR_EQ = 134;
    static final int I64_BR_NE = 135;
    static final int I64_BR_LT_S = 136;
    static final int I64_BR_LT_U = 137;
    static final int I64_BR_GT_S = 138;
    static final int I64_BR_GT_U = 139;
    static final int I64_BR_LE_S = 140;
    static final int I64_BR_LE_U = 141;
    static final int I64_BR_GE_S = 142;
    static final int I64_BR_GE_U = 143;
    static final int F32_BR_EQ = 144;
    static final int F32_BR_NE = 145;
    static final int F32_BR_LT = 146;
    static final int F32_BR_GT = 147;
    static final int F32_BR_LE = 148;
    static final int F32_BR_GE = 149;
    static final int F64_BR_EQ = 150;
    static final int F64_BR_NE = 151;
    static final int F64_BR_LT = 152;
    static final int F64_BR_GT = 153;
    static final int F64_BR_LE = 154;
    static final int F64_BR_GE = 155;

    // Tables (ColdOps-like: one case, run by Machine.table): TABLE length op operands...
    static final int TABLE = 156;
    // SIMD: V128 op operands..., where op is the original opcode's ordinal and a #i64 immediate
    // takes two ints (low, high); V128Ops runs it.
    static final int V128 = 157;

    // Exceptions: THROW tag n src..;  CALL_CATCH L nexn exn.. f nargs args.. nres res..;
    // CALL_INDIRECT_CATCH L nexn exn.. type table a nargs args.. nres res..;  RETHROW a n src..
    static final int THROW = 158;
    static final int CALL_CATCH = 159;
    static final int CALL_INDIRECT_CATCH = 160;
    static final int RETHROW = 161;

    /** Number of decoded opcodes. */
    static final int COUNT = 162;

    /** Marks an original opcode that decodes to nothing (nop). */
    static final int NONE = -1;

    private Op() {}
}
