package dev.cella.isa;

import static dev.cella.isa.Opcode.Flag.F_BRANCH;
import static dev.cella.isa.Opcode.Flag.F_CALL;
import static dev.cella.isa.Opcode.Flag.F_MEMORY;
import static dev.cella.isa.Opcode.Flag.F_TERMINATOR;
import static dev.cella.isa.Opcode.Flag.F_TRAPS;

import java.util.List;
import java.util.Locale;

/**
 * The Cella instruction set: the single source of truth for every instruction.
 *
 * <p>Each constant carries its binary code, its operands, its flags and a one-line meaning. The
 * assembler, disassembler, binary reader and writer, verifier, interpreter, JIT and the generated
 * {@code docs/isa.md} all read this table; none keeps its own list of names.
 *
 * <h2>Operand notation</h2>
 * The second argument of each constant lists its operands in order, separated by spaces:
 * <pre>
 *   =T      a register of type T that the instruction writes (placeholder d)
 *   T       a register of type T that it reads (placeholders a, b, c in order)
 *   #T      an immediate of type T (k)
 *   @       a branch target (L);   @*  a list of branch targets (Ls)
 *   func type global table elem off     an index of that kind (elem: an element segment);
 *                                       off is a static memory offset
 *   (*)     a list of registers read (args);   =(*)  a list of registers written (results)
 * </pre>
 * Every instruction is encoded as its code (unsigned LEB128) followed by its operands, each as
 * {@link OperandKind} describes. A pc is the byte offset of an instruction in its function body.
 *
 * <h2>Notes</h2>
 * <ul>
 *   <li>Addresses are i32 registers read as unsigned; the effective address a+off is computed
 *       without wrap-around, and an access traps unless all of its bytes lie in memory.
 *   <li>Floating point is deterministic: whenever an arithmetic instruction produces a NaN it is
 *       the canonical NaN (f32 0x7fc00000, f64 0x7ff8000000000000). Only abs, neg, copysign,
 *       moves, loads, stores and reinterpretations pass NaN bits through unchanged.
 *   <li>A call may only target a function whose signature matches the argument and result
 *       lists; call_indirect checks the table element's type at run time.
 *   <li>Fuel is charged once per basic block, on entry, at one unit per instruction.
 *   <li>On every call, the registers after the parameters start at zero.
 *   <li>A v128 operand names a pair of consecutive i64 registers: r holds lanes bytes 0-7 and
 *       r+1 bytes 8-15, both little-endian (lane 0 of i32x4 is the low half of r). The SIMD
 *       instructions read all their operands before they write, so operands may overlap. Their
 *       lane operation immediates are {@link V128Op} codes (WebAssembly's SIMD opcodes), whose
 *       float results follow the canonical-NaN rule above.
 *   <li>Exceptions: an exception is a tag (an i32, chosen by the program) and a payload of 64-bit
 *       values. {@code throw} leaves its function; the exception unwinds the frames above the
 *       innermost caller waiting in {@code call_catch} or {@code call_indirect_catch}, whose
 *       first list, exn (one i32 register, then i64 registers), receives the tag and the
 *       payload (values past the list are dropped, registers past the payload are zeroed) before
 *       it goes to L; its results are not written. Unwinding charges no fuel (L's block is
 *       charged on entry, as any block) and stops nowhere on the way, so no safe point sees an
 *       exception in flight. An exception no frame catches ends the run with the trap
 *       "uncaught exception" at the throw. Traps are never caught. {@code rethrow} is {@code
 *       throw} with the tag in a register, to pass on an exception a landing pad received.
 * </ul>
 */
public enum Opcode {
    UNREACHABLE(0x00, "", F_TERMINATOR | F_TRAPS, "trap: unreachable"),
    NOP(0x01, "", 0, "do nothing"),
    BR(0x02, "@", F_BRANCH | F_TERMINATOR, "goto L"),
    BR_IF(0x03, "i32 @", F_BRANCH, "if a != 0 goto L"),
    BR_UNLESS(0x04, "i32 @", F_BRANCH, "if a == 0 goto L"),
    BR_TABLE(0x05, "i32 @* @", F_BRANCH | F_TERMINATOR, "goto Ls[a] if a (unsigned) < |Ls|, else goto L"),
    RET(0x06, "(*)", F_TERMINATOR, "return the values of the registers args to the caller"),
    CALL(0x07, "func (*) =(*)", F_CALL | F_TRAPS, "results := f(args); f may be an imported host function"),
    CALL_INDIRECT(0x08, "type table i32 (*) =(*)", F_CALL | F_TRAPS, "results := tab[a](args) after checking that the element is set and has type t"),
    I32_CONST(0x10, "=i32 #i32", 0, "d := k"),
    I64_CONST(0x11, "=i64 #i64", 0, "d := k"),
    F32_CONST(0x12, "=f32 #f32", 0, "d := k"),
    F64_CONST(0x13, "=f64 #f64", 0, "d := k"),
    I32_MOV(0x14, "=i32 i32", 0, "d := a"),
    I64_MOV(0x15, "=i64 i64", 0, "d := a"),
    F32_MOV(0x16, "=f32 f32", 0, "d := a"),
    F64_MOV(0x17, "=f64 f64", 0, "d := a"),
    I32_SELECT(0x18, "=i32 i32 i32 i32", 0, "d := c != 0 ? a : b"),
    I64_SELECT(0x19, "=i64 i64 i64 i32", 0, "d := c != 0 ? a : b"),
    F32_SELECT(0x1A, "=f32 f32 f32 i32", 0, "d := c != 0 ? a : b"),
    F64_SELECT(0x1B, "=f64 f64 f64 i32", 0, "d := c != 0 ? a : b"),
    I32_GLOBAL_GET(0x1C, "=i32 global", 0, "d := g (g has type i32)"),
    I64_GLOBAL_GET(0x1D, "=i64 global", 0, "d := g (g has type i64)"),
    F32_GLOBAL_GET(0x1E, "=f32 global", 0, "d := g (g has type f32)"),
    F64_GLOBAL_GET(0x1F, "=f64 global", 0, "d := g (g has type f64)"),
    I32_GLOBAL_SET(0x20, "global i32", 0, "g := a (g is a mutable i32 global)"),
    I64_GLOBAL_SET(0x21, "global i64", 0, "g := a (g is a mutable i64 global)"),
    F32_GLOBAL_SET(0x22, "global f32", 0, "g := a (g is a mutable f32 global)"),
    F64_GLOBAL_SET(0x23, "global f64", 0, "g := a (g is a mutable f64 global)"),
    I32_LOAD(0x28, "=i32 i32 off", F_MEMORY | F_TRAPS, "d := the i32 at a+off"),
    I64_LOAD(0x29, "=i64 i32 off", F_MEMORY | F_TRAPS, "d := the i64 at a+off"),
    F32_LOAD(0x2A, "=f32 i32 off", F_MEMORY | F_TRAPS, "d := the f32 at a+off (bits unchanged)"),
    F64_LOAD(0x2B, "=f64 i32 off", F_MEMORY | F_TRAPS, "d := the f64 at a+off (bits unchanged)"),
    I32_LOAD8_S(0x2C, "=i32 i32 off", F_MEMORY | F_TRAPS, "d := the byte at a+off, sign-extended"),
    I32_LOAD8_U(0x2D, "=i32 i32 off", F_MEMORY | F_TRAPS, "d := the byte at a+off, zero-extended"),
    I32_LOAD16_S(0x2E, "=i32 i32 off", F_MEMORY | F_TRAPS, "d := the 16 bits at a+off, sign-extended"),
    I32_LOAD16_U(0x2F, "=i32 i32 off", F_MEMORY | F_TRAPS, "d := the 16 bits at a+off, zero-extended"),
    I64_LOAD8_S(0x30, "=i64 i32 off", F_MEMORY | F_TRAPS, "d := the byte at a+off, sign-extended"),
    I64_LOAD8_U(0x31, "=i64 i32 off", F_MEMORY | F_TRAPS, "d := the byte at a+off, zero-extended"),
    I64_LOAD16_S(0x32, "=i64 i32 off", F_MEMORY | F_TRAPS, "d := the 16 bits at a+off, sign-extended"),
    I64_LOAD16_U(0x33, "=i64 i32 off", F_MEMORY | F_TRAPS, "d := the 16 bits at a+off, zero-extended"),
    I64_LOAD32_S(0x34, "=i64 i32 off", F_MEMORY | F_TRAPS, "d := the 32 bits at a+off, sign-extended"),
    I64_LOAD32_U(0x35, "=i64 i32 off", F_MEMORY | F_TRAPS, "d := the 32 bits at a+off, zero-extended"),
    I32_STORE(0x36, "i32 off i32", F_MEMORY | F_TRAPS, "store the i32 v at a+off"),
    I64_STORE(0x37, "i32 off i64", F_MEMORY | F_TRAPS, "store the i64 v at a+off"),
    F32_STORE(0x38, "i32 off f32", F_MEMORY | F_TRAPS, "store the f32 v at a+off (bits unchanged)"),
    F64_STORE(0x39, "i32 off f64", F_MEMORY | F_TRAPS, "store the f64 v at a+off (bits unchanged)"),
    I32_STORE8(0x3A, "i32 off i32", F_MEMORY | F_TRAPS, "store the low 8 bits of v at a+off"),
    I32_STORE16(0x3B, "i32 off i32", F_MEMORY | F_TRAPS, "store the low 16 bits of v at a+off"),
    I64_STORE8(0x3C, "i32 off i64", F_MEMORY | F_TRAPS, "store the low 8 bits of v at a+off"),
    I64_STORE16(0x3D, "i32 off i64", F_MEMORY | F_TRAPS, "store the low 16 bits of v at a+off"),
    I64_STORE32(0x3E, "i32 off i64", F_MEMORY | F_TRAPS, "store the low 32 bits of v at a+off"),
    MEMORY_SIZE(0x3F, "=i32", F_MEMORY, "d := memory size in 64 KiB pages"),
    MEMORY_GROW(0x40, "=i32 i32", F_MEMORY, "grow memory by a pages; d := old size in pages, or -1 (memory unchanged) past the maximum or a quota"),
    MEMORY_COPY(0x41, "i32 i32 i32", F_MEMORY | F_TRAPS, "copy c bytes from b to a (regions may overlap); trap if either region is out of bounds"),
    MEMORY_FILL(0x42, "i32 i32 i32", F_MEMORY | F_TRAPS, "set c bytes at a to the low 8 bits of b; trap if out of bounds"),
    I32_EQZ(0x45, "=i32 i32", 0, "d := 1 if a == 0, else 0"),
    I32_EQ(0x46, "=i32 i32 i32", 0, "d := 1 if a == b, else 0"),
    I32_NE(0x47, "=i32 i32 i32", 0, "d := 1 if a != b, else 0"),
    I32_LT_S(0x48, "=i32 i32 i32", 0, "d := 1 if a < b, signed, else 0"),
    I32_LT_U(0x49, "=i32 i32 i32", 0, "d := 1 if a < b, unsigned, else 0"),
    I32_GT_S(0x4A, "=i32 i32 i32", 0, "d := 1 if a > b, signed, else 0"),
    I32_GT_U(0x4B, "=i32 i32 i32", 0, "d := 1 if a > b, unsigned, else 0"),
    I32_LE_S(0x4C, "=i32 i32 i32", 0, "d := 1 if a <= b, signed, else 0"),
    I32_LE_U(0x4D, "=i32 i32 i32", 0, "d := 1 if a <= b, unsigned, else 0"),
    I32_GE_S(0x4E, "=i32 i32 i32", 0, "d := 1 if a >= b, signed, else 0"),
    I32_GE_U(0x4F, "=i32 i32 i32", 0, "d := 1 if a >= b, unsigned, else 0"),
    I64_EQZ(0x50, "=i32 i64", 0, "d := 1 if a == 0, else 0"),
    I64_EQ(0x51, "=i32 i64 i64", 0, "d := 1 if a == b, else 0"),
    I64_NE(0x52, "=i32 i64 i64", 0, "d := 1 if a != b, else 0"),
    I64_LT_S(0x53, "=i32 i64 i64", 0, "d := 1 if a < b, signed, else 0"),
    I64_LT_U(0x54, "=i32 i64 i64", 0, "d := 1 if a < b, unsigned, else 0"),
    I64_GT_S(0x55, "=i32 i64 i64", 0, "d := 1 if a > b, signed, else 0"),
    I64_GT_U(0x56, "=i32 i64 i64", 0, "d := 1 if a > b, unsigned, else 0"),
    I64_LE_S(0x57, "=i32 i64 i64", 0, "d := 1 if a <= b, signed, else 0"),
    I64_LE_U(0x58, "=i32 i64 i64", 0, "d := 1 if a <= b, unsigned, else 0"),
    I64_GE_S(0x59, "=i32 i64 i64", 0, "d := 1 if a >= b, signed, else 0"),
    I64_GE_U(0x5A, "=i32 i64 i64", 0, "d := 1 if a >= b, unsigned, else 0"),
    F32_EQ(0x5B, "=i32 f32 f32", 0, "d := 1 if a == b (false if either is NaN), else 0"),
    F32_NE(0x5C, "=i32 f32 f32", 0, "d := 1 if a != b (true if either is NaN), else 0"),
    F32_LT(0x5D, "=i32 f32 f32", 0, "d := 1 if a < b (false on NaN), else 0"),
    F32_GT(0x5E, "=i32 f32 f32", 0, "d := 1 if a > b (false on NaN), else 0"),
    F32_LE(0x5F, "=i32 f32 f32", 0, "d := 1 if a <= b (false on NaN), else 0"),
    F32_GE(0x60, "=i32 f32 f32", 0, "d := 1 if a >= b (false on NaN), else 0"),
    F64_EQ(0x61, "=i32 f64 f64", 0, "d := 1 if a == b (false if either is NaN), else 0"),
    F64_NE(0x62, "=i32 f64 f64", 0, "d := 1 if a != b (true if either is NaN), else 0"),
    F64_LT(0x63, "=i32 f64 f64", 0, "d := 1 if a < b (false on NaN), else 0"),
    F64_GT(0x64, "=i32 f64 f64", 0, "d := 1 if a > b (false on NaN), else 0"),
    F64_LE(0x65, "=i32 f64 f64", 0, "d := 1 if a <= b (false on NaN), else 0"),
    F64_GE(0x66, "=i32 f64 f64", 0, "d := 1 if a >= b (false on NaN), else 0"),
    I32_CLZ(0x67, "=i32 i32", 0, "d := number of leading zero bits of a"),
    I32_CTZ(0x68, "=i32 i32", 0, "d := number of trailing zero bits of a"),
    I32_POPCNT(0x69, "=i32 i32", 0, "d := number of one bits of a"),
    I32_ADD(0x6A, "=i32 i32 i32", 0, "d := a + b (wrapping)"),
    I32_SUB(0x6B, "=i32 i32 i32", 0, "d := a - b (wrapping)"),
    I32_MUL(0x6C, "=i32 i32 i32", 0, "d := a * b (wrapping)"),
    I32_DIV_S(0x6D, "=i32 i32 i32", F_TRAPS, "d := a / b, signed, rounded toward zero; trap if b == 0 or the result overflows (MIN / -1)"),
    I32_DIV_U(0x6E, "=i32 i32 i32", F_TRAPS, "d := a / b, unsigned; trap if b == 0"),
    I32_REM_S(0x6F, "=i32 i32 i32", F_TRAPS, "d := a % b, signed, sign of a (MIN % -1 == 0); trap if b == 0"),
    I32_REM_U(0x70, "=i32 i32 i32", F_TRAPS, "d := a % b, unsigned; trap if b == 0"),
    I32_AND(0x71, "=i32 i32 i32", 0, "d := a & b"),
    I32_OR(0x72, "=i32 i32 i32", 0, "d := a | b"),
    I32_XOR(0x73, "=i32 i32 i32", 0, "d := a ^ b"),
    I32_SHL(0x74, "=i32 i32 i32", 0, "d := a << (b mod width)"),
    I32_SHR_S(0x75, "=i32 i32 i32", 0, "d := a >> (b mod width), arithmetic"),
    I32_SHR_U(0x76, "=i32 i32 i32", 0, "d := a >>> (b mod width), logical"),
    I32_ROTL(0x77, "=i32 i32 i32", 0, "d := a rotated left by b mod width"),
    I32_ROTR(0x78, "=i32 i32 i32", 0, "d := a rotated right by b mod width"),
    I64_CLZ(0x79, "=i64 i64", 0, "d := number of leading zero bits of a"),
    I64_CTZ(0x7A, "=i64 i64", 0, "d := number of trailing zero bits of a"),
    I64_POPCNT(0x7B, "=i64 i64", 0, "d := number of one bits of a"),
    I64_ADD(0x7C, "=i64 i64 i64", 0, "d := a + b (wrapping)"),
    I64_SUB(0x7D, "=i64 i64 i64", 0, "d := a - b (wrapping)"),
    I64_MUL(0x7E, "=i64 i64 i64", 0, "d := a * b (wrapping)"),
    I64_DIV_S(0x7F, "=i64 i64 i64", F_TRAPS, "d := a / b, signed, rounded toward zero; trap if b == 0 or the result overflows (MIN / -1)"),
    I64_DIV_U(0x80, "=i64 i64 i64", F_TRAPS, "d := a / b, unsigned; trap if b == 0"),
    I64_REM_S(0x81, "=i64 i64 i64", F_TRAPS, "d := a % b, signed, sign of a (MIN % -1 == 0); trap if b == 0"),
    I64_REM_U(0x82, "=i64 i64 i64", F_TRAPS, "d := a % b, unsigned; trap if b == 0"),
    I64_AND(0x83, "=i64 i64 i64", 0, "d := a & b"),
    I64_OR(0x84, "=i64 i64 i64", 0, "d := a | b"),
    I64_XOR(0x85, "=i64 i64 i64", 0, "d := a ^ b"),
    I64_SHL(0x86, "=i64 i64 i64", 0, "d := a << (b mod width)"),
    I64_SHR_S(0x87, "=i64 i64 i64", 0, "d := a >> (b mod width), arithmetic"),
    I64_SHR_U(0x88, "=i64 i64 i64", 0, "d := a >>> (b mod width), logical"),
    I64_ROTL(0x89, "=i64 i64 i64", 0, "d := a rotated left by b mod width"),
    I64_ROTR(0x8A, "=i64 i64 i64", 0, "d := a rotated right by b mod width"),
    F32_ABS(0x8B, "=f32 f32", 0, "d := a with its sign bit cleared (a bit operation: NaN payloads are kept)"),
    F32_NEG(0x8C, "=f32 f32", 0, "d := a with its sign bit flipped (a bit operation: NaN payloads are kept)"),
    F32_CEIL(0x8D, "=f32 f32", 0, "d := a rounded up to an integer"),
    F32_FLOOR(0x8E, "=f32 f32", 0, "d := a rounded down to an integer"),
    F32_TRUNC(0x8F, "=f32 f32", 0, "d := a rounded toward zero to an integer"),
    F32_NEAREST(0x90, "=f32 f32", 0, "d := a rounded to the nearest integer, ties to even"),
    F32_SQRT(0x91, "=f32 f32", 0, "d := square root of a"),
    F32_ADD(0x92, "=f32 f32 f32", 0, "d := a + b"),
    F32_SUB(0x93, "=f32 f32 f32", 0, "d := a - b"),
    F32_MUL(0x94, "=f32 f32 f32", 0, "d := a * b"),
    F32_DIV(0x95, "=f32 f32 f32", 0, "d := a / b"),
    F32_MIN(0x96, "=f32 f32 f32", 0, "d := the lesser of a and b; NaN if either is NaN; -0 is less than +0"),
    F32_MAX(0x97, "=f32 f32 f32", 0, "d := the greater of a and b; NaN if either is NaN; +0 is greater than -0"),
    F32_COPYSIGN(0x98, "=f32 f32 f32", 0, "d := a with the sign bit of b (a bit operation)"),
    F64_ABS(0x99, "=f64 f64", 0, "d := a with its sign bit cleared (a bit operation: NaN payloads are kept)"),
    F64_NEG(0x9A, "=f64 f64", 0, "d := a with its sign bit flipped (a bit operation: NaN payloads are kept)"),
    F64_CEIL(0x9B, "=f64 f64", 0, "d := a rounded up to an integer"),
    F64_FLOOR(0x9C, "=f64 f64", 0, "d := a rounded down to an integer"),
    F64_TRUNC(0x9D, "=f64 f64", 0, "d := a rounded toward zero to an integer"),
    F64_NEAREST(0x9E, "=f64 f64", 0, "d := a rounded to the nearest integer, ties to even"),
    F64_SQRT(0x9F, "=f64 f64", 0, "d := square root of a"),
    F64_ADD(0xA0, "=f64 f64 f64", 0, "d := a + b"),
    F64_SUB(0xA1, "=f64 f64 f64", 0, "d := a - b"),
    F64_MUL(0xA2, "=f64 f64 f64", 0, "d := a * b"),
    F64_DIV(0xA3, "=f64 f64 f64", 0, "d := a / b"),
    F64_MIN(0xA4, "=f64 f64 f64", 0, "d := the lesser of a and b; NaN if either is NaN; -0 is less than +0"),
    F64_MAX(0xA5, "=f64 f64 f64", 0, "d := the greater of a and b; NaN if either is NaN; +0 is greater than -0"),
    F64_COPYSIGN(0xA6, "=f64 f64 f64", 0, "d := a with the sign bit of b (a bit operation)"),
    I32_WRAP_I64(0xA7, "=i32 i64", 0, "d := the low 32 bits of a"),
    I32_TRUNC_F32_S(0xA8, "=i32 f32", F_TRAPS, "d := a truncated to a signed i32; trap: invalid conversion if NaN, integer overflow if out of range"),
    I32_TRUNC_F32_U(0xA9, "=i32 f32", F_TRAPS, "d := a truncated to an unsigned i32; trap: invalid conversion if NaN, integer overflow if out of range"),
    I32_TRUNC_F64_S(0xAA, "=i32 f64", F_TRAPS, "d := a truncated to a signed i32; trap: invalid conversion if NaN, integer overflow if out of range"),
    I32_TRUNC_F64_U(0xAB, "=i32 f64", F_TRAPS, "d := a truncated to an unsigned i32; trap: invalid conversion if NaN, integer overflow if out of range"),
    I64_EXTEND_I32_S(0xAC, "=i64 i32", 0, "d := a sign-extended"),
    I64_EXTEND_I32_U(0xAD, "=i64 i32", 0, "d := a zero-extended"),
    I64_TRUNC_F32_S(0xAE, "=i64 f32", F_TRAPS, "d := a truncated to a signed i64; trap: invalid conversion if NaN, integer overflow if out of range"),
    I64_TRUNC_F32_U(0xAF, "=i64 f32", F_TRAPS, "d := a truncated to an unsigned i64; trap: invalid conversion if NaN, integer overflow if out of range"),
    I64_TRUNC_F64_S(0xB0, "=i64 f64", F_TRAPS, "d := a truncated to a signed i64; trap: invalid conversion if NaN, integer overflow if out of range"),
    I64_TRUNC_F64_U(0xB1, "=i64 f64", F_TRAPS, "d := a truncated to an unsigned i64; trap: invalid conversion if NaN, integer overflow if out of range"),
    F32_CONVERT_I32_S(0xB2, "=f32 i32", 0, "d := signed a, rounded to nearest f32"),
    F32_CONVERT_I32_U(0xB3, "=f32 i32", 0, "d := unsigned a, rounded to nearest f32"),
    F32_CONVERT_I64_S(0xB4, "=f32 i64", 0, "d := signed a, rounded to nearest f32"),
    F32_CONVERT_I64_U(0xB5, "=f32 i64", 0, "d := unsigned a, rounded to nearest f32"),
    F32_DEMOTE_F64(0xB6, "=f32 f64", 0, "d := a rounded to nearest f32"),
    F64_CONVERT_I32_S(0xB7, "=f64 i32", 0, "d := signed a as f64 (exact)"),
    F64_CONVERT_I32_U(0xB8, "=f64 i32", 0, "d := unsigned a as f64 (exact)"),
    F64_CONVERT_I64_S(0xB9, "=f64 i64", 0, "d := signed a, rounded to nearest f64"),
    F64_CONVERT_I64_U(0xBA, "=f64 i64", 0, "d := unsigned a, rounded to nearest f64"),
    F64_PROMOTE_F32(0xBB, "=f64 f32", 0, "d := a as f64 (exact)"),
    I32_REINTERPRET_F32(0xBC, "=i32 f32", 0, "d := the bits of a"),
    I64_REINTERPRET_F64(0xBD, "=i64 f64", 0, "d := the bits of a"),
    F32_REINTERPRET_I32(0xBE, "=f32 i32", 0, "d := the f32 with the bits of a"),
    F64_REINTERPRET_I64(0xBF, "=f64 i64", 0, "d := the f64 with the bits of a"),
    I32_EXTEND8_S(0xC0, "=i32 i32", 0, "d := the low 8 bits of a, sign-extended"),
    I32_EXTEND16_S(0xC1, "=i32 i32", 0, "d := the low 16 bits of a, sign-extended"),
    I64_EXTEND8_S(0xC2, "=i64 i64", 0, "d := the low 8 bits of a, sign-extended"),
    I64_EXTEND16_S(0xC3, "=i64 i64", 0, "d := the low 16 bits of a, sign-extended"),
    I64_EXTEND32_S(0xC4, "=i64 i64", 0, "d := the low 32 bits of a, sign-extended"),
    I32_TRUNC_SAT_F32_S(0xC5, "=i32 f32", 0, "d := a truncated to a signed i32, saturating; NaN gives 0"),
    I32_TRUNC_SAT_F32_U(0xC6, "=i32 f32", 0, "d := a truncated to an unsigned i32, saturating; NaN gives 0"),
    I32_TRUNC_SAT_F64_S(0xC7, "=i32 f64", 0, "d := a truncated to a signed i32, saturating; NaN gives 0"),
    I32_TRUNC_SAT_F64_U(0xC8, "=i32 f64", 0, "d := a truncated to an unsigned i32, saturating; NaN gives 0"),
    I64_TRUNC_SAT_F32_S(0xC9, "=i64 f32", 0, "d := a truncated to a signed i64, saturating; NaN gives 0"),
    I64_TRUNC_SAT_F32_U(0xCA, "=i64 f32", 0, "d := a truncated to an unsigned i64, saturating; NaN gives 0"),
    I64_TRUNC_SAT_F64_S(0xCB, "=i64 f64", 0, "d := a truncated to a signed i64, saturating; NaN gives 0"),
    I64_TRUNC_SAT_F64_U(0xCC, "=i64 f64", 0, "d := a truncated to an unsigned i64, saturating; NaN gives 0"),
    I32_BR_EQ(0xD0, "i32 i32 @", F_BRANCH, "if a == b goto L"),
    I32_BR_NE(0xD1, "i32 i32 @", F_BRANCH, "if a != b goto L"),
    I32_BR_LT_S(0xD2, "i32 i32 @", F_BRANCH, "if a < b, signed goto L"),
    I32_BR_LT_U(0xD3, "i32 i32 @", F_BRANCH, "if a < b, unsigned goto L"),
    I32_BR_GT_S(0xD4, "i32 i32 @", F_BRANCH, "if a > b, signed goto L"),
    I32_BR_GT_U(0xD5, "i32 i32 @", F_BRANCH, "if a > b, unsigned goto L"),
    I32_BR_LE_S(0xD6, "i32 i32 @", F_BRANCH, "if a <= b, signed goto L"),
    I32_BR_LE_U(0xD7, "i32 i32 @", F_BRANCH, "if a <= b, unsigned goto L"),
    I32_BR_GE_S(0xD8, "i32 i32 @", F_BRANCH, "if a >= b, signed goto L"),
    I32_BR_GE_U(0xD9, "i32 i32 @", F_BRANCH, "if a >= b, unsigned goto L"),
    I64_BR_EQ(0xDA, "i64 i64 @", F_BRANCH, "if a == b goto L"),
    I64_BR_NE(0xDB, "i64 i64 @", F_BRANCH, "if a != b goto L"),
    I64_BR_LT_S(0xDC, "i64 i64 @", F_BRANCH, "if a < b, signed goto L"),
    I64_BR_LT_U(0xDD, "i64 i64 @", F_BRANCH, "if a < b, unsigned goto L"),
    I64_BR_GT_S(0xDE, "i64 i64 @", F_BRANCH, "if a > b, signed goto L"),
    I64_BR_GT_U(0xDF, "i64 i64 @", F_BRANCH, "if a > b, unsigned goto L"),
    I64_BR_LE_S(0xE0, "i64 i64 @", F_BRANCH, "if a <= b, signed goto L"),
    I64_BR_LE_U(0xE1, "i64 i64 @", F_BRANCH, "if a <= b, unsigned goto L"),
    I64_BR_GE_S(0xE2, "i64 i64 @", F_BRANCH, "if a >= b, signed goto L"),
    I64_BR_GE_U(0xE3, "i64 i64 @", F_BRANCH, "if a >= b, unsigned goto L"),
    F32_BR_EQ(0xE4, "f32 f32 @", F_BRANCH, "if a == b goto L"),
    F32_BR_NE(0xE5, "f32 f32 @", F_BRANCH, "if a != b (taken on NaN) goto L"),
    F32_BR_LT(0xE6, "f32 f32 @", F_BRANCH, "if a < b goto L"),
    F32_BR_GT(0xE7, "f32 f32 @", F_BRANCH, "if a > b goto L"),
    F32_BR_LE(0xE8, "f32 f32 @", F_BRANCH, "if a <= b goto L"),
    F32_BR_GE(0xE9, "f32 f32 @", F_BRANCH, "if a >= b goto L"),
    F64_BR_EQ(0xEA, "f64 f64 @", F_BRANCH, "if a == b goto L"),
    F64_BR_NE(0xEB, "f64 f64 @", F_BRANCH, "if a != b (taken on NaN) goto L"),
    F64_BR_LT(0xEC, "f64 f64 @", F_BRANCH, "if a < b goto L"),
    F64_BR_GT(0xED, "f64 f64 @", F_BRANCH, "if a > b goto L"),
    F64_BR_LE(0xEE, "f64 f64 @", F_BRANCH, "if a <= b goto L"),
    F64_BR_GE(0xEF, "f64 f64 @", F_BRANCH, "if a >= b goto L"),

    // Reference types and tables (codes from 0x300). A reference's raw bits: ValType. The bulk
    // table instructions (grow, fill, copy, init) charge fuel per element by BulkWork's rule.
    REF_FUNC(0x300, "=funcref func", 0, "d := a reference to function f"),
    FUNCREF_NULL(0x301, "=funcref", 0, "d := null"),
    EXTERNREF_NULL(0x302, "=externref", 0, "d := null"),
    FUNCREF_IS_NULL(0x303, "=i32 funcref", 0, "d := 1 if a is null, else 0"),
    EXTERNREF_IS_NULL(0x304, "=i32 externref", 0, "d := 1 if a is null, else 0"),
    FUNCREF_MOV(0x305, "=funcref funcref", 0, "d := a"),
    EXTERNREF_MOV(0x306, "=externref externref", 0, "d := a"),
    FUNCREF_SELECT(0x307, "=funcref funcref funcref i32", 0, "d := c != 0 ? a : b"),
    EXTERNREF_SELECT(0x308, "=externref externref externref i32", 0, "d := c != 0 ? a : b"),
    FUNCREF_GLOBAL_GET(0x309, "=funcref global", 0, "d := g (g has type funcref)"),
    EXTERNREF_GLOBAL_GET(0x30A, "=externref global", 0, "d := g (g has type externref)"),
    FUNCREF_GLOBAL_SET(0x30B, "global funcref", 0, "g := a (g is a mutable funcref global)"),
    EXTERNREF_GLOBAL_SET(0x30C, "global externref", 0, "g := a (g is a mutable externref global)"),
    FUNCREF_TABLE_GET(0x30D, "=funcref table i32", F_TRAPS, "d := tab[a] (tab holds funcref); trap if a >= |tab|"),
    EXTERNREF_TABLE_GET(0x30E, "=externref table i32", F_TRAPS, "d := tab[a] (tab holds externref); trap if a >= |tab|"),
    FUNCREF_TABLE_SET(0x30F, "table i32 funcref", F_TRAPS, "tab[a] := b (tab holds funcref); trap if a >= |tab|"),
    EXTERNREF_TABLE_SET(0x310, "table i32 externref", F_TRAPS, "tab[a] := b (tab holds externref); trap if a >= |tab|"),
    FUNCREF_TABLE_GROW(0x311, "=i32 table funcref i32", 0, "append b elements set to a to tab; d := old size, or -1 (table unchanged) past its maximum or a quota"),
    EXTERNREF_TABLE_GROW(0x312, "=i32 table externref i32", 0, "append b elements set to a to tab; d := old size, or -1 (table unchanged) past its maximum or a quota"),
    FUNCREF_TABLE_FILL(0x313, "table i32 funcref i32", F_TRAPS, "set the c elements of tab from a to b; trap if out of bounds"),
    EXTERNREF_TABLE_FILL(0x314, "table i32 externref i32", F_TRAPS, "set the c elements of tab from a to b; trap if out of bounds"),
    TABLE_SIZE(0x315, "=i32 table", 0, "d := the number of elements of tab"),
    TABLE_COPY(0x316, "table table i32 i32 i32", F_TRAPS, "copy c elements from b of the second table to a of tab, the first (ranges may overlap); trap if either range is out of bounds"),
    TABLE_INIT(0x317, "table elem i32 i32 i32", F_TRAPS, "copy c elements of segment e from b to tab from a; trap if either range is out of bounds"),
    ELEM_DROP(0x318, "elem", 0, "make segment e empty"),
    // SIMD: v128 operands are register pairs (see the notes); k is a V128Op code.
    V128_UNARY(0x200, "=v128 v128 #i32", 0, "d := the unary lane operation k of a"),
    V128_BINARY(0x201, "=v128 v128 v128 #i32", 0, "d := the binary lane operation k of a and b"),
    V128_SHIFT(0x202, "=v128 v128 i32 #i32", 0, "d := each lane of a shifted by b mod the lane width (shift k)"),
    V128_TEST(0x203, "=i32 v128 #i32", 0, "d := the test k of a (any_true, all_true or bitmask)"),
    V128_SPLAT(0x204, "=v128 i32 #i32", 0, "d := every lane of splat k set to the low bits of a"),
    V128_EXTRACT(0x205, "=i32 v128 #i32 #i32", 0, "d := lane k2 of a, as extract k1 reads it"),
    V128_REPLACE(0x206, "=v128 v128 i32 #i32 #i32", 0, "d := a with lane k2 set to the low bits of b (replace k1)"),
    V128_BITSELECT(0x207, "=v128 v128 v128 v128", 0, "d := (a & c) | (b & ~c)"),
    V128_SHUFFLE(0x208, "=v128 v128 v128 #i64 #i64", 0, "d := bytes of a:b (0-31) chosen by the 16 bytes of k1 (lanes 0-7) and k2 (8-15)"),

    // Exceptions (codes from 0x380; see the note on exceptions above).
    THROW(0x380, "#i32 (*)", F_TERMINATOR | F_TRAPS, "throw an exception of tag k whose payload is the bits of the i64 registers args"),
    CALL_CATCH(0x381, "@ =(*) func (*) =(*)", F_BRANCH | F_CALL | F_TRAPS, "results := f(args); if f throws, exn := its tag and payload, then goto L"),
    CALL_INDIRECT_CATCH(0x382, "@ =(*) type table i32 (*) =(*)", F_BRANCH | F_CALL | F_TRAPS, "results := tab[a](args) as call_indirect of type t does; if the callee throws, exn := its tag and payload, then goto L"),
    RETHROW(0x383, "i32 (*)", F_TERMINATOR | F_TRAPS, "throw an exception of the tag in a whose payload is the bits of the i64 registers args (pass on a caught one)");

    /** Flag bits of an opcode. */
    static final class Flag {
        /** May transfer control to a label of the same function. */
        static final int F_BRANCH = 1;
        /** Never falls through to the next instruction. */
        static final int F_TERMINATOR = 2;
        /** Calls a function. */
        static final int F_CALL = 4;
        /** Reads or writes linear memory (needs a memory in the module). */
        static final int F_MEMORY = 8;
        /** May trap by itself (a callee's traps aside). */
        static final int F_TRAPS = 16;

        private Flag() {}
    }

    private static final Opcode[] BY_CODE;

    static {
        int max = 0;
        for (Opcode op : values()) {
            max = Math.max(max, op.code);
        }
        BY_CODE = new Opcode[max + 1];
        for (Opcode op : values()) {
            if (BY_CODE[op.code] != null) {
                throw new ExceptionInInitializerError("duplicate opcode 0x" + Integer.toHexString(op.code));
            }
            BY_CODE[op.code] = op;
        }
    }

    /** The instruction's code in the binary format. */
    public final int code;

    /** The name in text: the constant's name, lower case, with the first '_' after a type,
     * {@code memory}, {@code table}, {@code elem} or {@code ref} prefix turned into a dot ({@code
     * i32.add}, {@code memory.grow}, {@code funcref.table_get}, {@code br_if}). */
    public final String mnemonic;

    /** The one-line meaning, in terms of the operand placeholders. */
    public final String meaning;

    private final List<Operand> operands;
    private final int flags;

    Opcode(int code, String signature, int flags, String meaning) {
        this.code = code;
        this.flags = flags;
        this.meaning = meaning;
        this.operands = signature.isEmpty()
                ? List.of()
                : java.util.Arrays.stream(signature.split(" ")).map(Operand::parse).toList();
        String lower = name().toLowerCase(Locale.ROOT);
        int us = lower.indexOf('_');
        String prefix = us < 0 ? "" : lower.substring(0, us);
        this.mnemonic = switch (prefix) {
            case "i32", "i64", "f32", "f64", "memory", "funcref", "externref", "ref", "table", "elem", "v128" ->
                    prefix + "." + lower.substring(us + 1);
            default -> lower;
        };
    }

    /** True for the SIMD instructions, whose lane operation immediate the verifier checks ({@link V128Op}). */
    public boolean isSimd() {
        return ordinal() >= V128_UNARY.ordinal() && ordinal() <= V128_SHUFFLE.ordinal();
    }

    /** Returns the opcode with binary code {@code code}, or null if there is none. */
    public static Opcode fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Returns the opcode whose mnemonic is {@code mnemonic}, or null if there is none. */
    public static Opcode fromMnemonic(String mnemonic) {
        return ByMnemonic.MAP.get(mnemonic);
    }

    private static final class ByMnemonic {
        static final java.util.Map<String, Opcode> MAP;

        static {
            var m = new java.util.HashMap<String, Opcode>();
            for (Opcode op : values()) {
                m.put(op.mnemonic, op);
            }
            MAP = java.util.Map.copyOf(m);
        }
    }

    /** The operands in encoding (and text) order. */
    public List<Operand> operands() {
        return operands;
    }

    /** True if the instruction may transfer control to a label. */
    public boolean isBranch() {
        return (flags & F_BRANCH) != 0;
    }

    /** True if control never falls through to the next instruction. */
    public boolean isTerminator() {
        return (flags & F_TERMINATOR) != 0;
    }

    /** True for call and call_indirect. */
    public boolean isCall() {
        return (flags & F_CALL) != 0;
    }

    /** True if the instruction uses linear memory. */
    public boolean usesMemory() {
        return (flags & F_MEMORY) != 0;
    }

    /** True if the instruction may trap by itself. */
    public boolean mayTrap() {
        return (flags & F_TRAPS) != 0;
    }

    /**
     * True if the instruction ends a basic block: a branch, a terminator or a call. The next
     * instruction, if any, starts a new block (the fuel rule charges blocks on entry).
     */
    public boolean endsBlock() {
        return (flags & (F_BRANCH | F_TERMINATOR | F_CALL)) != 0;
    }

    /** The operand notation, for example {@code "=i32 i32 i32"}. */
    public String signature() {
        return String.join(" ", operands.stream().map(Operand::toString).toList());
    }
}
