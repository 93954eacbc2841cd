package dev.cella.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class NumericsTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private static void assertTraps(TrapKind kind, Executable e) {
        TrapSignal s = assertThrows(TrapSignal.class, e);
        assertSame(kind, s.kind());
    }

    private static long f32Bits(float f) {
        return Float.floatToRawIntBits(f) & 0xFFFFFFFFL;
    }

    @Test
    void signedDivisionTrapsOnZeroAndOnMinByMinusOne() {
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i32DivS(7, 0));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32DivS(Integer.MIN_VALUE, -1));
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i64DivS(7, 0));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64DivS(Long.MIN_VALUE, -1));
        assertEquals(-3, Numerics.i32DivS(-7, 2));
        assertEquals(-3L, Numerics.i64DivS(7, -2));
        assertEquals(Integer.MIN_VALUE, Numerics.i32DivS(Integer.MIN_VALUE, 1));
    }

    @Test
    void remainderOfMinByMinusOneIsZeroAndTakesTheDividendsSign() {
        assertEquals(0, Numerics.i32RemS(Integer.MIN_VALUE, -1));
        assertEquals(0L, Numerics.i64RemS(Long.MIN_VALUE, -1));
        assertEquals(-1, Numerics.i32RemS(-7, 2));
        assertEquals(1L, Numerics.i64RemS(7, -2));
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i32RemS(1, 0));
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i64RemS(1, 0));
    }

    @Test
    void unsignedDivisionReadsOperandsAsUnsigned() {
        assertEquals(0x7FFFFFFF, Numerics.i32DivU(-1, 2));
        assertEquals(1, Numerics.i32RemU(-1, 2));
        assertEquals(0, Numerics.i32DivU(1, -1));
        assertEquals(Long.MAX_VALUE, Numerics.i64DivU(-1L, 2));
        assertEquals(1L, Numerics.i64RemU(-1L, 2));
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i32DivU(1, 0));
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i32RemU(1, 0));
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i64DivU(1, 0));
        assertTraps(TrapKind.INTEGER_DIVIDE_BY_ZERO, () -> Numerics.i64RemU(1, 0));
    }

    @Test
    void unsignedI64DivisionMatchesBigIntegers() {
        qt().withExamples(EXAMPLES).forAll(longs().all(), longs().all()).assuming((a, b) -> b != 0).checkAssert((a, b) -> {
            BigInteger ua = new BigInteger(Long.toUnsignedString(a));
            BigInteger ub = new BigInteger(Long.toUnsignedString(b));
            assertEquals(ua.divide(ub).longValue(), Numerics.i64DivU(a, b));
            assertEquals(ua.remainder(ub).longValue(), Numerics.i64RemU(a, b));
        });
    }

    @Test
    void rotationsTakeTheCountModuloTheWidth() {
        assertEquals(0x00000003, Numerics.i32Rotl(0x80000001, 1));
        assertEquals(0x80000001, Numerics.i32Rotl(0x80000001, 32));
        assertEquals(0xC0000000, Numerics.i32Rotr(0x80000001, 33));
        assertEquals(3L, Numerics.i64Rotl(0x8000000000000001L, 65));
        assertEquals(0xC000000000000000L, Numerics.i64Rotr(0x8000000000000001L, -63));
        assertEquals(64L, Numerics.i64Clz(0));
        assertEquals(64L, Numerics.i64Ctz(0));
        assertEquals(64L, Numerics.i64Popcnt(-1L));
    }

    @Test
    void minAndMaxReturnCanonicalNanForAnyNanInput() {
        float payload = Float.intBitsToFloat(0x7fa00001);
        assertEquals(0x7fc00000L, Numerics.bits(Numerics.f32Min(payload, 1f)));
        assertEquals(0x7fc00000L, Numerics.bits(Numerics.f32Max(1f, payload)));
        double dpayload = Double.longBitsToDouble(0xfff0000000000001L);
        assertEquals(0x7ff8000000000000L, Numerics.bits(Numerics.f64Min(dpayload, 1.0)));
        assertEquals(0x7ff8000000000000L, Numerics.bits(Numerics.f64Max(2.0, dpayload)));
    }

    @Test
    void minTreatsNegativeZeroAsLessAndMaxPositiveZeroAsGreater() {
        assertEquals(f32Bits(-0f), Numerics.bits(Numerics.f32Min(0f, -0f)));
        assertEquals(f32Bits(-0f), Numerics.bits(Numerics.f32Min(-0f, 0f)));
        assertEquals(f32Bits(0f), Numerics.bits(Numerics.f32Max(-0f, 0f)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Numerics.bits(Numerics.f64Min(0.0, -0.0)));
        assertEquals(Double.doubleToRawLongBits(0.0), Numerics.bits(Numerics.f64Max(-0.0, 0.0)));
        assertEquals(Double.NEGATIVE_INFINITY, Numerics.f64Min(-5.0, Double.NEGATIVE_INFINITY));
    }

    @Test
    void arithmeticNansAreCanonical() {
        float zero = 0f;
        assertEquals(0x7fc00000L, Numerics.bits(zero / zero));
        assertEquals(0x7fc00000L, Numerics.bits(Numerics.f32Sqrt(-1f)));
        assertEquals(0x7ff8000000000000L, Numerics.bits(0.0 / 0.0 * -1));
        assertEquals(0x7ff8000000000000L, Numerics.bits(Numerics.f64Sqrt(-1.0)));
        float nanIn = Float.intBitsToFloat(0xffa12345);
        assertEquals(0x7fc00000L, Numerics.bits(nanIn + 1f));
        assertEquals(0x7fc00000L, Numerics.bits(Numerics.f32Nearest(nanIn)));
        assertEquals(0x7fc00000L, Numerics.bits(Numerics.f32Ceil(nanIn)));
        assertEquals(0x7ff8000000000000L, Numerics.bits(Numerics.f64Floor(Double.longBitsToDouble(0x7ff4000000000000L))));
        assertEquals(0x7fc00000L, Numerics.bits(Numerics.f32DemoteF64(Double.longBitsToDouble(0xfff0000000000123L))));
        assertEquals(0x7ff8000000000000L, Numerics.bits(Numerics.f64PromoteF32(nanIn)));
    }

    @Test
    void copysignKeepsNanPayloads() {
        assertEquals(0xffa12345L, Numerics.f32CopysignBits(0x7fa12345L, 0x80000000L));
        assertEquals(0x7ff4000000000001L, Numerics.f64CopysignBits(0xfff4000000000001L, 0L));
    }

    @Test
    void nearestRoundsTiesToEvenAndKeepsTheSignOfZero() {
        assertEquals(f32Bits(0f), Numerics.bits(Numerics.f32Nearest(0.5f)));
        assertEquals(f32Bits(-0f), Numerics.bits(Numerics.f32Nearest(-0.5f)));
        assertEquals(2f, Numerics.f32Nearest(1.5f));
        assertEquals(2f, Numerics.f32Nearest(2.5f));
        assertEquals(-4.0, Numerics.f64Nearest(-3.5));
        assertEquals(-2.0, Numerics.f64Nearest(-2.5));
        assertEquals(4503599627370497.0, Numerics.f64Nearest(4503599627370497.0));
        assertEquals(Double.doubleToRawLongBits(-0.0), Numerics.bits(Numerics.f64Nearest(-0.25)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Numerics.bits(Numerics.f64Trunc(-0.75)));
        assertEquals(f32Bits(-0f), Numerics.bits(Numerics.f32Ceil(-0.5f)));
        assertEquals(-1f, Numerics.f32Floor(-0.5f));
        assertEquals(16777217.0, Numerics.f64Ceil(16777216.5));
    }

    @Test
    void truncationToI32TrapsJustOutsideTheRange() {
        assertEquals(2147483647, Numerics.i32TruncF64S(2147483647.5));
        assertEquals(-2147483648, Numerics.i32TruncF64S(-2147483648.9));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32TruncF64S(2147483648.0));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32TruncF64S(-2147483649.0));
        // 2147483647.5f is not a float: it rounds to 2^31, which is out of range.
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32TruncF32S(2147483647.5f));
        assertEquals(-2147483648, Numerics.i32TruncF32S(-2147483648f));
        assertEquals(2147483520, Numerics.i32TruncF32S(2147483520f));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32TruncF32S(-2147483904f));
        assertTraps(TrapKind.INVALID_CONVERSION, () -> Numerics.i32TruncF32S(Float.NaN));
        assertTraps(TrapKind.INVALID_CONVERSION, () -> Numerics.i32TruncF64U(Double.NaN));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32TruncF64S(Double.POSITIVE_INFINITY));
    }

    @Test
    void unsignedTruncationAcceptsNegativeFractionsAndTrapsAtMinusOne() {
        assertEquals(0, Numerics.i32TruncF32U(-0.9f));
        assertEquals(-1, Numerics.i32TruncF64U(4294967295.9));
        assertEquals(-256, Numerics.i32TruncF32U(4294967040f));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32TruncF32U(-1f));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i32TruncF64U(4294967296.0));
        assertEquals(0L, Numerics.i64TruncF64U(-0.99));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF64U(-1.0));
    }

    @Test
    void truncationToI64TrapsAtTwoToThe63AndTwoToThe64() {
        double two63 = 0x1p63;
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF64S(two63));
        assertEquals(Long.MIN_VALUE, Numerics.i64TruncF64S(-two63));
        assertEquals(Long.MIN_VALUE, Numerics.i64TruncF32S(-0x1p63f));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF32S(0x1p63f));
        assertEquals(Long.MIN_VALUE, Numerics.i64TruncF64U(two63));
        assertEquals(0xFFFFFFFFFFFFF800L, Numerics.i64TruncF64U(0x1p64 - 2048));
        assertEquals(0xFFFFFF0000000000L, Numerics.i64TruncF32U(Math.nextDown(0x1p64f)));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF64U(0x1p64));
        assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF32U(0x1p64f));
        assertTraps(TrapKind.INVALID_CONVERSION, () -> Numerics.i64TruncF32S(Float.NaN));
    }

    @Test
    void truncationToI64MatchesExactArithmeticOrTraps() {
        qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(raw -> {
            double d = Double.longBitsToDouble(raw);
            if (Double.isNaN(d)) {
                assertTraps(TrapKind.INVALID_CONVERSION, () -> Numerics.i64TruncF64S(d));
                assertEquals(0L, Numerics.i64TruncSatF64U(d));
                return;
            }
            if (Double.isInfinite(d)) {
                assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF64U(d));
                return;
            }
            BigInteger exact = new BigDecimal(d).toBigInteger();
            if (exact.bitLength() < 64) {
                assertEquals(exact.longValue(), Numerics.i64TruncF64S(d));
            } else {
                assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF64S(d));
            }
            if (exact.signum() >= 0 && exact.compareTo(TWO_64) < 0) {
                assertEquals(exact.longValue(), Numerics.i64TruncF64U(d));
                assertEquals(exact.longValue(), Numerics.i64TruncSatF64U(d));
            } else {
                assertTraps(TrapKind.INTEGER_OVERFLOW, () -> Numerics.i64TruncF64U(d));
                assertEquals(exact.signum() < 0 ? 0L : -1L, Numerics.i64TruncSatF64U(d));
            }
        });
    }

    @Test
    void saturatingTruncationClampsAndMapsNanToZero() {
        assertEquals(0, Numerics.i32TruncSatF32S(Float.NaN));
        assertEquals(Integer.MAX_VALUE, Numerics.i32TruncSatF64S(1e300));
        assertEquals(Integer.MIN_VALUE, Numerics.i32TruncSatF32S(Float.NEGATIVE_INFINITY));
        assertEquals(0, Numerics.i32TruncSatF32U(-5f));
        assertEquals(-1, Numerics.i32TruncSatF64U(4294967296.0));
        assertEquals(0, Numerics.i32TruncSatF64U(Double.NaN));
        assertEquals(Long.MAX_VALUE, Numerics.i64TruncSatF32S(Float.POSITIVE_INFINITY));
        assertEquals(Long.MIN_VALUE, Numerics.i64TruncSatF64S(-1e300));
        assertEquals(0L, Numerics.i64TruncSatF64S(Double.NaN));
        assertEquals(-1L, Numerics.i64TruncSatF32U(Float.POSITIVE_INFINITY));
        assertEquals(0L, Numerics.i64TruncSatF32U(Float.NaN));
        assertEquals(Long.MIN_VALUE, Numerics.i64TruncSatF32U(0x1p63f));
        assertEquals(123L, Numerics.i64TruncSatF32U(123.9f));
    }

    @Test
    void unsignedConversionsToFloatRoundToNearestOnce() {
        assertEquals(4294967296f, Numerics.f32ConvertI32U(-1));
        assertEquals(4294967295.0, Numerics.f64ConvertI32U(-1));
        assertEquals(0x1p64f, Numerics.f32ConvertI64U(-1L));
        assertEquals(0x1p64, Numerics.f64ConvertI64U(-1L));
        // Just above a tie: halving without a sticky bit would round down to even.
        assertEquals(0x1p63f + 0x1p40f, Numerics.f32ConvertI64U(Long.MIN_VALUE + (1L << 39) + 1));
        assertEquals(0x1p63 + 0x1p11, Numerics.f64ConvertI64U(Long.MIN_VALUE + (1L << 10) + 1));
        // An exact tie rounds to even.
        assertEquals(0x1p63f, Numerics.f32ConvertI64U(Long.MIN_VALUE + (1L << 39)));
    }

    @Test
    void unsignedConversionsToFloatMatchDecimalParsing() {
        qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(x -> {
            String unsigned = Long.toUnsignedString(x);
            assertEquals(Float.parseFloat(unsigned), Numerics.f32ConvertI64U(x));
            assertEquals(Double.parseDouble(unsigned), Numerics.f64ConvertI64U(x));
        });
        qt().withExamples(EXAMPLES).forAll(integers().all()).checkAssert(x -> {
            String unsigned = Integer.toUnsignedString(x);
            assertEquals(Float.parseFloat(unsigned), Numerics.f32ConvertI32U(x));
            assertEquals(Double.parseDouble(unsigned), Numerics.f64ConvertI32U(x));
        });
    }

    @Test
    void effectiveAddressChecksTheWholeAccessWithoutWrapping() {
        assertEquals(60, Numerics.effectiveAddress(56, 4, 4, 64));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> Numerics.effectiveAddress(61, 0, 4, 64));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> Numerics.effectiveAddress(-1, 1, 1, 64));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> Numerics.effectiveAddress(8, -1, 1, 64));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> Numerics.effectiveAddress(0, 0, 1, 0));
        assertEquals(63, Numerics.effectiveAddress(63, 0, 1, 64));
    }

    @Test
    void memoryCopyHandlesOverlapAndChecksBeforeWriting() {
        byte[] m = {1, 2, 3, 4, 5, 6, 7, 8};
        copy(m, 2, 0, 4);
        assertArrayEquals(new byte[] {1, 2, 1, 2, 3, 4, 7, 8}, m);
        copy(m, 0, 3, 5);
        assertArrayEquals(new byte[] {2, 3, 4, 7, 8, 4, 7, 8}, m);
        copy(m, 8, 8, 0);
        byte[] before = m.clone();
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> copy(m, 0, 5, 4));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> copy(m, 5, 0, 4));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> copy(m, 9, 0, 0));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> copy(m, 0, 0, -1));
        assertArrayEquals(before, m);
    }

    @Test
    void memoryFillChecksBeforeWriting() {
        byte[] m = new byte[8];
        fill(m, 6, 0x1FF, 2);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, -1, -1}, m);
        fill(m, 8, 1, 0);
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> fill(m, 7, 1, 2));
        assertTraps(TrapKind.OUT_OF_BOUNDS_MEMORY, () -> fill(m, -8, 1, 1));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, -1, -1}, m);
    }

    @Test
    void signalsAreSharedAndBecomeTrapsWithFunctionAndPc() {
        assertSame(TrapSignal.OVERFLOW, TrapSignal.of(TrapKind.INTEGER_OVERFLOW));
        assertEquals(0, TrapSignal.OVERFLOW.getStackTrace().length);
        Trap t = TrapSignal.OVERFLOW.toTrap(3, "div", 17);
        assertEquals(TrapKind.INTEGER_OVERFLOW, t.kind());
        assertEquals(3, t.function());
        assertEquals("div", t.functionName());
        assertEquals(17, t.pc());
        assertEquals("trap: integer overflow in div (function 3) at pc 17", t.getMessage());
    }

    /** memory.copy and memory.fill as both engines run them (BulkWork: check, then work). */
    private static void copy(byte[] m, int dst, int src, int n) {
        BulkWork.checkCopy(m.length, dst, src, n);
        BulkWork.copy(m, dst, src, n, null);
    }

    private static void fill(byte[] m, int dst, int value, int n) {
        BulkWork.checkFill(m.length, dst, n);
        BulkWork.fill(m, dst, value, n, null);
    }
}
