package dev.cella.vm.interp;

import dev.cella.isa.Opcode;
import dev.cella.vm.V128Lanes;

/**
 * Runs the SIMD instructions in the interpreter ({@link Op#V128}) through {@link V128Lanes}, the
 * semantics the JIT calls too. Outside the dispatch method, like {@link ColdOps}, so that it stays
 * small. Every result is computed before any register is written (operands may overlap).
 */
final class V128Ops {
    private static final Opcode[] OPCODES = Opcode.values();

    private V128Ops() {}

    /** Runs the V128 instruction at {@code pc} (its decoded form: see {@link Op}); returns the next pc. */
    static int run(int[] code, int pc, long[] r, int fp) {
        Opcode op = OPCODES[code[pc + 1]];
        int d = fp + code[pc + 2];
        int a = fp + code[pc + 3];
        switch (op) {
            case V128_UNARY -> {
                int k = code[pc + 4];
                long lo = V128Lanes.unaryLo(k, r[a], r[a + 1]);
                long hi = V128Lanes.unaryHi(k, r[a], r[a + 1]);
                r[d] = lo;
                r[d + 1] = hi;
                return pc + 5;
            }
            case V128_BINARY -> {
                int b = fp + code[pc + 4];
                int k = code[pc + 5];
                long lo = V128Lanes.binaryLo(k, r[a], r[a + 1], r[b], r[b + 1]);
                long hi = V128Lanes.binaryHi(k, r[a], r[a + 1], r[b], r[b + 1]);
                r[d] = lo;
                r[d + 1] = hi;
                return pc + 6;
            }
            case V128_SHIFT -> {
                int count = (int) r[fp + code[pc + 4]];
                int k = code[pc + 5];
                long lo = V128Lanes.shift(k, r[a], count);
                long hi = V128Lanes.shift(k, r[a + 1], count);
                r[d] = lo;
                r[d + 1] = hi;
                return pc + 6;
            }
            case V128_TEST -> {
                r[d] = V128Lanes.test(code[pc + 4], r[a], r[a + 1]);
                return pc + 5;
            }
            case V128_SPLAT -> {
                long half = V128Lanes.splat(code[pc + 4], (int) r[a]);
                r[d] = half;
                r[d + 1] = half;
                return pc + 5;
            }
            case V128_EXTRACT -> {
                r[d] = V128Lanes.extract(code[pc + 4], code[pc + 5], r[a], r[a + 1]);
                return pc + 6;
            }
            case V128_REPLACE -> {
                int x = (int) r[fp + code[pc + 4]];
                int k = code[pc + 5];
                int lane = code[pc + 6];
                long lo = V128Lanes.replace(k, lane, r[a], r[a + 1], x, 0);
                long hi = V128Lanes.replace(k, lane, r[a], r[a + 1], x, 1);
                r[d] = lo;
                r[d + 1] = hi;
                return pc + 7;
            }
            case V128_BITSELECT -> {
                int b = fp + code[pc + 4];
                int c = fp + code[pc + 5];
                long lo = V128Lanes.bitselect(r[a], r[b], r[c]);
                long hi = V128Lanes.bitselect(r[a + 1], r[b + 1], r[c + 1]);
                r[d] = lo;
                r[d + 1] = hi;
                return pc + 6;
            }
            case V128_SHUFFLE -> {
                int b = fp + code[pc + 4];
                long sel0 = (code[pc + 5] & 0xFFFFFFFFL) | (long) code[pc + 6] << 32;
                long sel1 = (code[pc + 7] & 0xFFFFFFFFL) | (long) code[pc + 8] << 32;
                long lo = V128Lanes.shuffle(r[a], r[a + 1], r[b], r[b + 1], sel0);
                long hi = V128Lanes.shuffle(r[a], r[a + 1], r[b], r[b + 1], sel1);
                r[d] = lo;
                r[d + 1] = hi;
                return pc + 9;
            }
            default -> throw new IllegalStateException(op + " is not a SIMD instruction");
        }
    }
}
