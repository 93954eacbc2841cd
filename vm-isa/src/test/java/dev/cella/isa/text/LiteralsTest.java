package dev.cella.isa.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.isa.text.Token.Kind;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Literal reading and printing: every printed literal reads back to the same bits. */
class LiteralsTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    /** Raw f32 bits, half of them NaNs, infinities, zeros or subnormals (rare among uniform bits). */
    private static Gen<Integer> f32Bits() {
        Gen<Integer> special = integers().between(0, 0x7FFFFF).zip(integers().between(0, 7), (mantissa, kind) ->
                switch (kind) {
                    case 0, 1 -> 0x7F800000 | mantissa;                      // NaN or infinity
                    case 2, 3 -> 0xFF800000 | mantissa;                      // negative NaN or -infinity
                    case 4 -> mantissa;                                      // subnormal or +0
                    case 5 -> 0x80000000 | mantissa;                         // negative subnormal or -0
                    default -> 0x7F000000 | mantissa;                        // near the largest finite
                });
        return integers().all().mix(special, 50);
    }

    private static Gen<Long> f64Bits() {
        Gen<Long> special = longs().between(0, 0xFFFFFFFFFFFFFL).zip(integers().between(0, 5), (mantissa, kind) ->
                switch (kind) {
                    case 0, 1 -> 0x7FF0000000000000L | mantissa;
                    case 2 -> 0xFFF0000000000000L | mantissa;
                    case 3 -> mantissa;
                    case 4 -> Long.MIN_VALUE | mantissa;
                    default -> 0x7FE0000000000000L | mantissa;
                });
        return longs().all().mix(special, 50);
    }

    @Test
    void printsEveryF32SoThatItReadsBackToTheSameBits() {
        qt().withExamples(EXAMPLES).forAll(f32Bits()).checkAssert(bits -> {
            String text = Literals.formatF32(bits);
            assertEquals(bits & 0xFFFFFFFFL, Literals.f32(text), text);
        });
    }

    @Test
    void printsEveryF64SoThatItReadsBackToTheSameBits() {
        qt().withExamples(EXAMPLES).forAll(f64Bits()).checkAssert(bits -> {
            String text = Literals.formatF64(bits);
            assertEquals(bits, Literals.f64(text), text);
        });
    }

    @Test
    void printsSpecialFloatsReadably() {
        assertEquals("nan", Literals.formatF32(0x7FC00000));
        assertEquals("-nan", Literals.formatF32(0xFFC00000));
        assertEquals("nan:0x1", Literals.formatF32(0x7F800001));
        assertEquals("-nan:0x7fffff", Literals.formatF32(0xFFFFFFFF));
        assertEquals("inf", Literals.formatF32(0x7F800000));
        assertEquals("-inf", Literals.formatF64(0xFFF0000000000000L));
        assertEquals("nan", Literals.formatF64(0x7FF8000000000000L));
        assertEquals("nan:0x4000000000000", Literals.formatF64(0x7FF4000000000000L));
        assertEquals("-0.0", Literals.formatF64(Long.MIN_VALUE));
        assertEquals("1.4E-45", Literals.formatF32(1));
    }

    @Test
    void readsIntegersWithSeparatorsBetweenDigitsOnly() {
        assertEquals(BigInteger.valueOf(1_000_000), Literals.integer("1_000_000"));
        assertEquals(BigInteger.valueOf(-0xABCD), Literals.integer("-0xAB_cd"));
        assertNull(Literals.integer("1_"));
        assertNull(Literals.integer("0x_1"));
        assertNull(Literals.integer("1__0"));
        assertNull(Literals.integer("0x"));
        assertNull(Literals.integer("1.0"));
    }

    @Test
    void readsTheEdgesOfEachIntegerRange() {
        assertEquals(-1, Literals.i32("4294967295"));
        assertEquals(Integer.MIN_VALUE, Literals.i32("-2147483648"));
        assertThrows(Literals.RangeException.class, () -> Literals.i32("4294967296"));
        assertThrows(Literals.RangeException.class, () -> Literals.i32("-2147483649"));
        assertEquals(-1L, Literals.i64("18446744073709551615"));
        assertEquals(Long.MIN_VALUE, Literals.i64("-9223372036854775808"));
        assertThrows(Literals.RangeException.class, () -> Literals.i64("-9223372036854775809"));
        assertEquals(0xFFFFFFFFL, Literals.u32("0xFFFFFFFF", "x"));
        assertEquals(0L, Literals.u32("-0", "x"));
        assertThrows(Literals.RangeException.class, () -> Literals.u32("-1", "x"));
    }

    @Test
    void readsFloatSyntaxVariants() {
        assertEquals(Double.doubleToRawLongBits(1.0), Literals.f64("1."));
        assertEquals(Double.doubleToRawLongBits(0.5), Literals.f64("0x1p-1"));
        assertNull(Literals.f64("0x.8"));
        assertEquals(Double.doubleToRawLongBits(255.5), Literals.f64("0xF_F.8"));
        assertEquals(Double.doubleToRawLongBits(-2e-3), Literals.f64("-2E-3"));
        assertNull(Literals.f64("1e"));
        assertNull(Literals.f64("1.5d"));
        assertNull(Literals.f64("NaN"));
        assertNull(Literals.f64("Infinity"));
        assertNull(Literals.f64("nan:1"));
    }

    @Test
    void quotesEveryByteStringSoThatItReadsBackUnchanged() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        String quoted = Literals.quote(all);
        List<Token> tokens = Lexer.tokenize(quoted, "q");
        assertEquals(Kind.STRING, tokens.get(0).kind());
        assertArrayEquals(all, tokens.get(0).bytes());
        assertEquals("\"a\\n\\t\\r\\0\\\"\\\\\\x7f\\xc3\\xa9\"", Literals.quote(new byte[] {'a', '\n', '\t', '\r', 0, '"',
            '\\', 0x7F, (byte) 0xC3, (byte) 0xA9}));
    }
}
