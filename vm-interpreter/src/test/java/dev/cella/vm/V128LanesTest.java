package dev.cella.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cella.isa.V128Op;
import org.junit.jupiter.api.Test;

/**
 * The lane semantics at their edges: saturation, NaN, saturating truncation, shuffles and shifts
 * by at least the lane width. Vectors are built from lane values (lane 0 first) and results read
 * back as lanes, so a test states the WebAssembly meaning directly.
 */
class V128LanesTest {

    /** The (lo, hi) halves of a vector with {@code lanes} of {@code width} bits each. */
    private static long[] v(int width, long... lanes) {
        long mask = width == 64 ? -1L : (1L << width) - 1;
        long[] out = new long[2];
        for (int i = 0; i < lanes.length; i++) {
            int at = i * width;
            out[at / 64] |= (lanes[i] & mask) << (at % 64);
        }
        return out;
    }

    private static long[] f32s(float... lanes) {
        long[] bits = new long[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            bits[i] = Float.floatToRawIntBits(lanes[i]);
        }
        return v(32, bits);
    }

    private static long[] binary(V128Op op, long[] a, long[] b) {
        return new long[] {V128Lanes.binaryLo(op.code, a[0], a[1], b[0], b[1]),
            V128Lanes.binaryHi(op.code, a[0], a[1], b[0], b[1])};
    }

    private static long[] unary(V128Op op, long[] a) {
        return new long[] {V128Lanes.unaryLo(op.code, a[0], a[1]), V128Lanes.unaryHi(op.code, a[0], a[1])};
    }

    private static long[] shift(V128Op op, long[] a, int count) {
        return new long[] {V128Lanes.shift(op.code, a[0], count), V128Lanes.shift(op.code, a[1], count)};
    }

    @Test
    void saturatingArithmeticClampsAtTheLaneLimits() {
        long[] a = v(8, 127, -128, 0, -1, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5);
        long[] b = v(8, 1, -1, -1, 1, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3);
        assertArrayEquals(v(8, 127, -128, -1, 0, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8), binary(V128Op.I8X16_ADD_SAT_S, a, b));
        // Unsigned: -128 is 128, -1 is 255.
        assertArrayEquals(v(8, 128, 255, 255, 255, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8), binary(V128Op.I8X16_ADD_SAT_U, a, b));
        assertArrayEquals(v(8, 126, 0, 0, 254, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), binary(V128Op.I8X16_SUB_SAT_U, a, b));
        long[] x = v(16, -32768, 32767, -32768, 0x4000, 0, 0, 0, 100);
        long[] y = v(16, -32768, 32767, 32767, 0x4000, 0, 0, 0, -100);
        // q15mulr_sat_s: (x*y + 0x4000) >> 15, and only -32768 * -32768 saturates.
        assertArrayEquals(v(16, 32767, 32766, -32767, 0x2000, 0, 0, 0, 0), binary(V128Op.I16X8_Q15MULR_SAT_S, x, y));
        // avgr_u rounds up: (254 + 255 + 1) / 2 = 255, (0 + 255 + 1) / 2 = 128.
        assertArrayEquals(v(8, 255, 255, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 0, 0, 0, 0),
                binary(V128Op.I8X16_AVGR_U, v(8, 255, 254, 0), v(8, 255, 255, 0, 0, 0, 0, 0, 0, 255)));
    }

    @Test
    void narrowingSaturatesSignedAndUnsigned() {
        long[] a = v(16, 300, -300, 127, -128, 255, 256, -1, 0);
        long[] b = v(16, 1, 2, 3, 4, 5, 6, 7, 8);
        assertArrayEquals(v(8, 127, -128, 127, -128, 127, 127, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8),
                binary(V128Op.I8X16_NARROW_I16X8_S, a, b));
        assertArrayEquals(v(8, 255, 0, 127, 0, 255, 255, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8),
                binary(V128Op.I8X16_NARROW_I16X8_U, a, b));
    }

    @Test
    void truncSatMapsNanToZeroAndSaturates() {
        long[] a = f32s(Float.NaN, 3e9f, Float.NEGATIVE_INFINITY, -1.5f);
        assertArrayEquals(v(32, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1), unary(V128Op.I32X4_TRUNC_SAT_F32X4_S, a));
        assertArrayEquals(v(32, 0, 3_000_000_000L, 0, 0), unary(V128Op.I32X4_TRUNC_SAT_F32X4_U, a));
        long[] d = {Double.doubleToRawLongBits(-0.9), Double.doubleToRawLongBits(5e9)};
        // The _zero forms fill the two high lanes with 0.
        assertArrayEquals(v(32, 0, 0xFFFFFFFFL, 0, 0), unary(V128Op.I32X4_TRUNC_SAT_F64X2_U_ZERO, d));
        assertArrayEquals(v(32, 0, Integer.MAX_VALUE, 0, 0), unary(V128Op.I32X4_TRUNC_SAT_F64X2_S_ZERO, d));
    }

    @Test
    void floatNanResultsAreCanonicalButPminPmaxAndAbsKeepBits() {
        float payload = Float.intBitsToFloat(0x7FA00001);
        long[] a = f32s(payload, -0.0f, 1f, payload);
        long[] b = f32s(1f, 0.0f, Float.NaN, -payload);
        long[] min = binary(V128Op.F32X4_MIN, a, b);
        assertArrayEquals(v(32, 0x7FC00000L, 0x80000000L, 0x7FC00000L, 0x7FC00000L), min);
        assertArrayEquals(v(32, 0x7FC00000L, 0, 0x7FC00000L, 0x7FC00000L), binary(V128Op.F32X4_ADD, a, b));
        // pmin(a, b) = b < a ? b : a: with a NaN the comparison is false and a comes back unchanged.
        assertArrayEquals(v(32, 0x7FA00001L, 0x80000000L, Float.floatToRawIntBits(1f), 0x7FA00001L),
                binary(V128Op.F32X4_PMIN, a, b));
        assertArrayEquals(v(32, 0x7FA00001L, 0, 0x3F800000L, 0x7FA00001L), unary(V128Op.F32X4_ABS, a));
        long[] sqrt = unary(V128Op.F64X2_SQRT, new long[] {Double.doubleToRawLongBits(-1), 0xFFF0000000000001L});
        assertArrayEquals(new long[] {0x7FF8000000000000L, 0x7FF8000000000000L}, sqrt);
    }

    @Test
    void shiftsTakeTheCountModuloTheLaneWidth() {
        long[] a = v(8, 0x81, 1, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF);
        assertArrayEquals(shift(V128Op.I8X16_SHL, a, 1), shift(V128Op.I8X16_SHL, a, 9));
        assertArrayEquals(v(8, 0x02, 2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFE), shift(V128Op.I8X16_SHL, a, 9));
        assertArrayEquals(v(8, 0xC0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF), shift(V128Op.I8X16_SHR_S, a, 1));
        assertArrayEquals(a, shift(V128Op.I8X16_SHR_U, a, 8));
        long[] w = v(16, 0x8000, 1, 2, 3, 4, 5, 6, 0xFFFF);
        assertArrayEquals(w, shift(V128Op.I16X8_SHR_U, w, 16));
        assertArrayEquals(v(16, 0x4000, 0, 1, 1, 2, 2, 3, 0x7FFF), shift(V128Op.I16X8_SHR_U, w, 17));
        long[] q = {Long.MIN_VALUE, 4};
        assertArrayEquals(new long[] {Long.MIN_VALUE >> 1, 2}, shift(V128Op.I64X2_SHR_S, q, 65));
        assertArrayEquals(new long[] {Long.MIN_VALUE >>> 63, 0}, shift(V128Op.I64X2_SHR_U, q, -1));
    }

    @Test
    void shuffleAndSwizzleSelectBytes() {
        long[] a = v(8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        long[] b = v(8, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
        long[] sel = v(8, 31, 0, 16, 15, 8, 7, 23, 24, 1, 1, 1, 1, 30, 29, 28, 27);
        long[] r = {V128Lanes.shuffle(a[0], a[1], b[0], b[1], sel[0]), V128Lanes.shuffle(a[0], a[1], b[0], b[1], sel[1])};
        assertArrayEquals(sel, r); // a:b holds byte i at index i, so the result is the selector
        long[] idx = v(8, 15, 16, 255, 0, 128, 3, 17, 8, 0, 0, 0, 0, 0, 0, 0, 1);
        assertArrayEquals(v(8, 15, 0, 0, 0, 0, 3, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1), binary(V128Op.I8X16_SWIZZLE, a, idx));
    }

    @Test
    void widenDotAndTests() {
        long[] a = v(16, -32768, -32768, 1, 2, 3, 4, -5, 6);
        long[] b = v(16, -32768, -32768, 7, 8, 9, 10, 11, 12);
        // -32768 * -32768 twice is 2^31, which wraps to the minimum i32.
        assertArrayEquals(v(32, Integer.MIN_VALUE, 23, 67, -55 + 72), binary(V128Op.I32X4_DOT_I16X8_S, a, b));
        assertArrayEquals(v(32, 27, 40, -55, 72), binary(V128Op.I32X4_EXTMUL_HIGH_I16X8_S, a, b));
        assertArrayEquals(v(32, 0x40000000L, 0x40000000L, 7, 16), binary(V128Op.I32X4_EXTMUL_LOW_I16X8_U, a, b));
        assertArrayEquals(v(64, 3, 4), unary(V128Op.I64X2_EXTEND_HIGH_I32X4_U, v(32, 1, 2, 3, 4)));
        // Signed pairs: -128 + -128 and 127 + (byte) 0x80.
        assertArrayEquals(v(16, -256, -1, 0, 0, 0, 0, 0, 0),
                unary(V128Op.I16X8_EXTADD_PAIRWISE_I8X16_S, v(8, -128, -128, 127, 0x80)));
        assertArrayEquals(v(16, 256, 255, 0, 0, 0, 0, 0, 0),
                unary(V128Op.I16X8_EXTADD_PAIRWISE_I8X16_U, v(8, -128, -128, 127, 0x80)));
        long[] bytes = v(8, 0x80, 1, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80);
        assertEquals(0b1000_0000_0000_0101, V128Lanes.test(V128Op.I8X16_BITMASK.code, bytes[0], bytes[1]));
        assertEquals(0, V128Lanes.test(V128Op.I8X16_ALL_TRUE.code, bytes[0], bytes[1]));
        assertEquals(1, V128Lanes.test(V128Op.V128_ANY_TRUE.code, bytes[0], bytes[1]));
        assertEquals(-128, V128Lanes.extract(V128Op.I8X16_EXTRACT_LANE_S.code, 15, bytes[0], bytes[1]));
        assertEquals(128, V128Lanes.extract(V128Op.I8X16_EXTRACT_LANE_U.code, 15, bytes[0], bytes[1]));
        assertArrayEquals(v(8, 1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), unary(V128Op.I8X16_POPCNT, bytes));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 5}, unary(V128Op.I64X2_ABS, new long[] {Long.MIN_VALUE, -5}));
        long[] r = v(32, 1, 2, 3, 4);
        assertArrayEquals(v(32, 1, 2, 3, -7), new long[] {
            V128Lanes.replace(V128Op.I32X4_REPLACE_LANE.code, 3, r[0], r[1], -7, 0),
            V128Lanes.replace(V128Op.I32X4_REPLACE_LANE.code, 3, r[0], r[1], -7, 1)});
    }
}
