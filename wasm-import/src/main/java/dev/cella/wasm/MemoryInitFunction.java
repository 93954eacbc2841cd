package dev.cella.wasm;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import java.util.List;

/**
 * Builds the Cella function that performs {@code memory.init} for one data segment. Cella has no
 * instruction that copies from a data segment, and the segment's bytes must not be visible in
 * linear memory, so the function holds them as constants: after Wasm's checks (the source range
 * within the segment's current length, kept in a global that {@code data.drop} zeroes, and the
 * destination range within memory, checked by a {@code memory.copy} of the range onto itself,
 * which traps exactly when the range is out of bounds and changes nothing otherwise), a loop
 * stores one byte per iteration, fetched by a {@code br_table} over the segment's bytes.
 *
 * <p>Both checks precede any write, and both failures trap with "out of bounds memory access",
 * as in Wasm. The cost is a few instructions per byte copied; the code is about 13 bytes per
 * segment byte, so segments are limited to {@link #MAX_BYTES}.
 */
final class MemoryInitFunction {
    /** The largest segment supported (the function must stay under Cella's 1 MiB body limit). */
    static final int MAX_BYTES = 65536;

    /** Parameters: destination, source offset in the segment, length. */
    static final List<ValType> PARAMS = List.of(ValType.I32, ValType.I32, ValType.I32);

    private static final int D = 0;
    private static final int S = 1;
    private static final int N = 2;
    private static final int END64 = 3;
    private static final int N64 = 4;
    private static final int LEN = 5;
    private static final int LEN64 = 6;
    private static final int BYTE = 7;
    private static final int ONE = 8;
    private static final int FAR = 9;

    /** Register types of the function. */
    static final List<ValType> REGISTERS = List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I64, ValType.I64,
            ValType.I32, ValType.I64, ValType.I32, ValType.I32, ValType.I32);

    private MemoryInitFunction() {}

    /**
     * @param bytes the segment's bytes (empty for an active segment, which is dropped at instantiation)
     * @param lengthGlobal the mutable i32 global holding the segment's current length
     * @return the encoded body
     */
    static byte[] body(byte[] bytes, int lengthGlobal) {
        CodeBuilder c = new CodeBuilder();
        int trap = c.newLabel();
        int done = c.newLabel();
        c.emit(Opcode.I64_EXTEND_I32_U, END64, S);
        c.emit(Opcode.I64_EXTEND_I32_U, N64, N);
        c.emit(Opcode.I64_ADD, END64, END64, N64);
        c.emit(Opcode.I32_GLOBAL_GET, LEN, lengthGlobal);
        c.emit(Opcode.I64_EXTEND_I32_U, LEN64, LEN);
        c.emit(Opcode.I64_BR_GT_U, END64, LEN64, trap);
        c.emit(Opcode.MEMORY_COPY, D, D, N);
        if (bytes.length > 0) {
            c.emit(Opcode.BR_UNLESS, N, done);
            c.emit(Opcode.I32_CONST, ONE, 1);
            int loop = c.newLabel();
            int store = c.newLabel();
            c.bind(loop);
            int[] cases = new int[bytes.length];
            for (int i = 0; i < cases.length; i++) {
                cases[i] = c.newLabel();
            }
            c.emit(Opcode.BR_TABLE, new long[] {S, cases.length, done}, new int[][] {null, cases, null});
            for (int i = 0; i < cases.length; i++) {
                c.bind(cases[i]);
                c.emit(Opcode.I32_CONST, BYTE, bytes[i] & 0xFF);
                c.emit(Opcode.BR, store);
            }
            c.bind(store);
            c.emit(Opcode.I32_STORE8, D, 0, BYTE);
            c.emit(Opcode.I32_ADD, D, D, ONE);
            c.emit(Opcode.I32_ADD, S, S, ONE);
            c.emit(Opcode.I32_SUB, N, N, ONE);
            c.emit(Opcode.BR_IF, N, loop);
        }
        c.bind(done);
        c.emit(Opcode.RET, new long[] {0}, new int[][] {{}});
        c.bind(trap);
        // 0xFFFFFFFF + 0xFFFFFFFF lies past any memory: the load traps with out of bounds memory access.
        c.emit(Opcode.I32_CONST, FAR, -1);
        c.emit(Opcode.I32_LOAD8_U, BYTE, FAR, 0xFFFFFFFFL);
        c.emit(Opcode.UNREACHABLE);
        return c.encode(0);
    }
}
