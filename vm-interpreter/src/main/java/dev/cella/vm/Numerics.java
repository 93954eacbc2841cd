package dev.cella.vm;

/**
 * The tricky parts of Cella's numeric semantics (WebAssembly 1.0's, plus canonical NaNs), each
 * once, as small pure static methods that both engines call: the interpreter directly, the JIT
 * from the code it emits. Every method is far below C2's inlining limit (325 bytes of bytecode),
 * so calling one costs nothing once compiled.
 *
 * <p>Float helpers take and return JVM {@code float}/{@code double} values; any NaN they return
 * is the canonical NaN ({@link #F32_CANONICAL_NAN}, {@link #F64_CANONICAL_NAN}). The {@code
 * bits} helpers turn an arithmetic result into its raw-bits register form (see {@link
 * dev.cella.isa.ValType}), canonicalizing NaNs on the way.
 *
 * <p>Helpers that can trap throw the shared {@link TrapSignal} of the trap's kind; the calling
 * engine knows the function and pc and turns it into a {@link Trap}. Nothing here allocates.
 */
public final class Numerics {
    /** The canonical f32 NaN's bits. */
    public static final int F32_CANONICAL_NAN = 0x7fc00000;
    /** The canonical f64 NaN's bits. */
    public static final long F64_CANONICAL_NAN = 0x7ff8000000000000L;

    private static final float TWO_31_F = 2147483648.0f;
    private static final float TWO_32_F = 4294967296.0f;
    private static final float TWO_63_F = 9223372036854775808.0f;
    private static final float TWO_64_F = 18446744073709551616.0f;
    private static final double TWO_31 = 2147483648.0;
    private static final double TWO_32 = 4294967296.0;
    private static final double TWO_63 = 9223372036854775808.0;
    private static final double TWO_64 = 18446744073709551616.0;

    private Numerics() {}

    // ---- canonical NaN and register bits ----

    /** {@code x}, or the canonical NaN if {@code x} is any NaN. */
    public static float canonical(float x) {
        return x != x ? Float.intBitsToFloat(F32_CANONICAL_NAN) : x;
    }

    /** {@code x}, or the canonical NaN if {@code x} is any NaN. */
    public static double canonical(double x) {
        return x != x ? Double.longBitsToDouble(F64_CANONICAL_NAN) : x;
    }

    /** The register form of an f32 arithmetic result: its bits zero-extended, NaN canonical. */
    public static long bits(float x) {
        // floatToIntBits maps every NaN to 0x7fc00000, which is exactly the canonical NaN.
        return Float.floatToIntBits(x) & 0xFFFFFFFFL;
    }

    /** The register form of an f64 arithmetic result: its bits, NaN canonical. */
    public static long bits(double x) {
        // doubleToLongBits maps every NaN to 0x7ff8000000000000, the canonical NaN.
        return Double.doubleToLongBits(x);
    }

    /** The f32 value of a register's raw bits. */
    public static float f32(long bits) {
        return Float.intBitsToFloat((int) bits);
    }

    /** The f64 value of a register's raw bits. */
    public static double f64(long bits) {
        return Double.longBitsToDouble(bits);
    }

    // ---- integer division (traps) ----

    /** Signed division; traps on {@code b == 0} and on {@code MIN_VALUE / -1}. */
    public static int i32DivS(int a, int b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        if (b == -1 && a == Integer.MIN_VALUE) {
            throw TrapSignal.OVERFLOW;
        }
        return a / b;
    }

    /** Unsigned division; traps on {@code b == 0}. */
    public static int i32DivU(int a, int b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        return Integer.divideUnsigned(a, b);
    }

    /** Signed remainder with the sign of {@code a} ({@code MIN_VALUE % -1 == 0}); traps on {@code b == 0}. */
    public static int i32RemS(int a, int b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        // Java's % already gives 0 for MIN_VALUE % -1 without raising anything.
        return a % b;
    }

    /** Unsigned remainder; traps on {@code b == 0}. */
    public static int i32RemU(int a, int b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        return Integer.remainderUnsigned(a, b);
    }

    /** Signed division; traps on {@code b == 0} and on {@code MIN_VALUE / -1}. */
    public static long i64DivS(long a, long b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        if (b == -1 && a == Long.MIN_VALUE) {
            throw TrapSignal.OVERFLOW;
        }
        return a / b;
    }

    /** Unsigned division; traps on {@code b == 0}. */
    public static long i64DivU(long a, long b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        return Long.divideUnsigned(a, b);
    }

    /** Signed remainder with the sign of {@code a} ({@code MIN_VALUE % -1 == 0}); traps on {@code b == 0}. */
    public static long i64RemS(long a, long b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        return a % b;
    }

    /** Unsigned remainder; traps on {@code b == 0}. */
    public static long i64RemU(long a, long b) {
        if (b == 0) {
            throw TrapSignal.DIVIDE_BY_ZERO;
        }
        return Long.remainderUnsigned(a, b);
    }

    // ---- bit counting and rotation (Java's shift operators already take the count mod width) ----

    public static int i32Rotl(int a, int b) {
        return Integer.rotateLeft(a, b);
    }

    public static int i32Rotr(int a, int b) {
        return Integer.rotateRight(a, b);
    }

    public static long i64Rotl(long a, long b) {
        return Long.rotateLeft(a, (int) b);
    }

    public static long i64Rotr(long a, long b) {
        return Long.rotateRight(a, (int) b);
    }

    public static long i64Clz(long a) {
        return Long.numberOfLeadingZeros(a);
    }

    public static long i64Ctz(long a) {
        return Long.numberOfTrailingZeros(a);
    }

    public static long i64Popcnt(long a) {
        return Long.bitCount(a);
    }

    // ---- float rounding, min/max (canonical NaN results) ----

    /** Rounds up; exact because every f32 is exactly a double and the result is a float again. */
    public static float f32Ceil(float a) {
        return canonical((float) Math.ceil(a));
    }

    public static float f32Floor(float a) {
        return canonical((float) Math.floor(a));
    }

    /** Rounds toward zero, keeping the sign of zero ({@code trunc(-0.5) == -0.0}). */
    public static float f32Trunc(float a) {
        return canonical((float) (a < 0 ? Math.ceil(a) : Math.floor(a)));
    }

    /** Rounds to the nearest integer, ties to even ({@link Math#rint}), keeping the sign of zero. */
    public static float f32Nearest(float a) {
        return canonical((float) Math.rint(a));
    }

    /** Square root; correctly rounded because a double carries more than twice f32's precision. */
    public static float f32Sqrt(float a) {
        return canonical((float) Math.sqrt(a));
    }

    /** The lesser; NaN if either is NaN; {@code -0.0 < +0.0}. */
    public static float f32Min(float a, float b) {
        return canonical(Math.min(a, b));
    }

    /** The greater; NaN if either is NaN; {@code +0.0 > -0.0}. */
    public static float f32Max(float a, float b) {
        return canonical(Math.max(a, b));
    }

    public static double f64Ceil(double a) {
        return canonical(Math.ceil(a));
    }

    public static double f64Floor(double a) {
        return canonical(Math.floor(a));
    }

    public static double f64Trunc(double a) {
        return canonical(a < 0 ? Math.ceil(a) : Math.floor(a));
    }

    public static double f64Nearest(double a) {
        return canonical(Math.rint(a));
    }

    public static double f64Sqrt(double a) {
        return canonical(Math.sqrt(a));
    }

    public static double f64Min(double a, double b) {
        return canonical(Math.min(a, b));
    }

    public static double f64Max(double a, double b) {
        return canonical(Math.max(a, b));
    }

    /** {@code a}'s magnitude with {@code b}'s sign, on raw bits (NaN payloads kept). */
    public static long f32CopysignBits(long a, long b) {
        return (a & 0x7FFFFFFFL) | (b & 0x80000000L);
    }

    /** {@code a}'s magnitude with {@code b}'s sign, on raw bits (NaN payloads kept). */
    public static long f64CopysignBits(long a, long b) {
        return (a & Long.MAX_VALUE) | (b & Long.MIN_VALUE);
    }

    // ---- float to integer, trapping ----

    /** Truncates toward zero; traps on NaN (invalid conversion) and outside [-2^31, 2^31). */
    public static int i32TruncF32S(float a) {
        if (a >= -TWO_31_F && a < TWO_31_F) {
            return (int) a;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    /** Truncates toward zero; traps on NaN and unless -1 < a < 2^32. */
    public static int i32TruncF32U(float a) {
        if (a > -1.0f && a < TWO_32_F) {
            return (int) (long) a;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    /** Truncates toward zero; traps on NaN and unless -2^31-1 < a < 2^31. */
    public static int i32TruncF64S(double a) {
        if (a > -TWO_31 - 1.0 && a < TWO_31) {
            return (int) a;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    /** Truncates toward zero; traps on NaN and unless -1 < a < 2^32. */
    public static int i32TruncF64U(double a) {
        if (a > -1.0 && a < TWO_32) {
            return (int) (long) a;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    /** Truncates toward zero; traps on NaN and outside [-2^63, 2^63). */
    public static long i64TruncF32S(float a) {
        if (a >= -TWO_63_F && a < TWO_63_F) {
            return (long) a;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    /** Truncates toward zero; traps on NaN and unless -1 < a < 2^64. */
    public static long i64TruncF32U(float a) {
        if (a > -1.0f && a < TWO_64_F) {
            return a < TWO_63_F ? (long) a : (long) (a - TWO_63_F) | Long.MIN_VALUE;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    /** Truncates toward zero; traps on NaN and outside [-2^63, 2^63). */
    public static long i64TruncF64S(double a) {
        if (a >= -TWO_63 && a < TWO_63) {
            return (long) a;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    /** Truncates toward zero; traps on NaN and unless -1 < a < 2^64. */
    public static long i64TruncF64U(double a) {
        if (a > -1.0 && a < TWO_64) {
            return a < TWO_63 ? (long) a : (long) (a - TWO_63) | Long.MIN_VALUE;
        }
        throw a != a ? TrapSignal.INVALID_CONVERSION : TrapSignal.OVERFLOW;
    }

    // ---- float to integer, saturating (NaN gives 0) ----

    /** Java's float-to-int cast already saturates and maps NaN to 0. */
    public static int i32TruncSatF32S(float a) {
        return (int) a;
    }

    public static int i32TruncSatF32U(float a) {
        return a >= TWO_32_F ? -1 : a > 0 ? (int) (long) a : 0;
    }

    public static int i32TruncSatF64S(double a) {
        return (int) a;
    }

    public static int i32TruncSatF64U(double a) {
        return a >= TWO_32 ? -1 : a > 0 ? (int) (long) a : 0;
    }

    public static long i64TruncSatF32S(float a) {
        return (long) a;
    }

    public static long i64TruncSatF32U(float a) {
        if (a >= TWO_64_F) {
            return -1L;
        }
        if (a >= TWO_63_F) {
            return (long) (a - TWO_63_F) | Long.MIN_VALUE;
        }
        return a > 0 ? (long) a : 0;
    }

    public static long i64TruncSatF64S(double a) {
        return (long) a;
    }

    public static long i64TruncSatF64U(double a) {
        if (a >= TWO_64) {
            return -1L;
        }
        if (a >= TWO_63) {
            return (long) (a - TWO_63) | Long.MIN_VALUE;
        }
        return a > 0 ? (long) a : 0;
    }

    // ---- integer to float (unsigned sources; signed ones are plain Java casts) ----

    /** Unsigned {@code a}, rounded to nearest (Java's long-to-float cast rounds to nearest). */
    public static float f32ConvertI32U(int a) {
        return (float) (a & 0xFFFFFFFFL);
    }

    /**
     * Unsigned {@code a}, rounded to nearest. A value with the top bit set is halved first, keeping
     * the lost bit as a sticky bit so the single rounding step still rounds correctly.
     */
    public static float f32ConvertI64U(long a) {
        if (a >= 0) {
            return (float) a;
        }
        return (float) ((a >>> 1) | (a & 1)) * 2.0f;
    }

    /** Unsigned {@code a}, exactly. */
    public static double f64ConvertI32U(int a) {
        return (double) (a & 0xFFFFFFFFL);
    }

    /** Unsigned {@code a}, rounded to nearest (see {@link #f32ConvertI64U}). */
    public static double f64ConvertI64U(long a) {
        if (a >= 0) {
            return (double) a;
        }
        return (double) ((a >>> 1) | (a & 1)) * 2.0;
    }

    /** {@code a} rounded to nearest f32; NaN canonical. */
    public static float f32DemoteF64(double a) {
        return canonical((float) a);
    }

    /** {@code a} as f64 (exact); NaN canonical. */
    public static double f64PromoteF32(float a) {
        return canonical((double) a);
    }

    // ---- memory ----

    /**
     * The effective address of an access of {@code width} bytes at register value {@code address}
     * (read as unsigned) plus static offset {@code offset} (unsigned), checked against a memory
     * of {@code size} bytes; computed in 64 bits so nothing wraps.
     *
     * @throws TrapSignal out of bounds unless {@code ea + width <= size}
     */
    public static int effectiveAddress(int address, int offset, int width, int size) {
        long ea = (address & 0xFFFFFFFFL) + (offset & 0xFFFFFFFFL);
        if (ea > size - width) {
            throw TrapSignal.OUT_OF_BOUNDS;
        }
        return (int) ea;
    }
}
