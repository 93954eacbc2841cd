package dev.cella.isa.text;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Numeric and string literals: reading them as {@code docs/assembly.md} defines and writing them
 * so that they read back to the identical bits. Readers return null for text that is not a
 * literal of the wanted kind and throw {@link RangeException} for a literal out of range, so the
 * parser can word the error with the token's position.
 */
final class Literals {
    /** A literal that is well-formed but does not fit; the message says what the range is. */
    static final class RangeException extends RuntimeException {
        RangeException(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern DEC_INT = Pattern.compile("[0-9](_?[0-9])*");
    private static final Pattern HEX_INT = Pattern.compile("0[xX][0-9a-fA-F](_?[0-9a-fA-F])*");
    private static final Pattern DEC_FLOAT = Pattern.compile(
            "[0-9](_?[0-9])*(\\.([0-9](_?[0-9])*)?)?([eE][+-]?[0-9](_?[0-9])*)?");
    private static final Pattern HEX_FLOAT = Pattern.compile(
            "0[xX][0-9a-fA-F](_?[0-9a-fA-F])*(\\.([0-9a-fA-F](_?[0-9a-fA-F])*)?)?([pP][+-]?[0-9](_?[0-9])*)?");

    private static final BigInteger TWO_32 = BigInteger.ONE.shiftLeft(32);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /** The f32 NaN that arithmetic produces: only the quiet bit of the mantissa is set. */
    static final int CANONICAL_NAN_F32 = 0x7fc00000;
    /** The f64 NaN that arithmetic produces: only the quiet bit of the mantissa is set. */
    static final long CANONICAL_NAN_F64 = 0x7ff8000000000000L;

    private Literals() {}

    /** The value of an integer literal (sign, decimal or hex digits, '_' between digits), or null. */
    static BigInteger integer(String text) {
        boolean negative = text.startsWith("-");
        String body = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        BigInteger v;
        if (HEX_INT.matcher(body).matches()) {
            v = new BigInteger(body.substring(2).replace("_", ""), 16);
        } else if (DEC_INT.matcher(body).matches()) {
            v = new BigInteger(body.replace("_", ""));
        } else {
            return null;
        }
        return negative ? v.negate() : v;
    }

    /** An i32 literal: signed or unsigned 32-bit, {@code -2^31 .. 2^32-1}; the low 32 bits. */
    static Integer i32(String text) {
        BigInteger v = integer(text);
        if (v == null) {
            return null;
        }
        if (v.compareTo(TWO_32) >= 0 || v.signum() < 0 && v.bitLength() > 31) {
            throw new RangeException("i32 literal " + text + " out of range (-2^31 .. 2^32-1)");
        }
        return v.intValue();
    }

    /** An i64 literal: signed or unsigned 64-bit, {@code -2^63 .. 2^64-1}; the low 64 bits. */
    static Long i64(String text) {
        BigInteger v = integer(text);
        if (v == null) {
            return null;
        }
        if (v.compareTo(TWO_64) >= 0 || v.signum() < 0 && v.bitLength() > 63) {
            throw new RangeException("i64 literal " + text + " out of range (-2^63 .. 2^64-1)");
        }
        return v.longValue();
    }

    /** An unsigned 32-bit literal ({@code 0 .. 2^32-1}) for offsets, sizes and pcs. */
    static Long u32(String text, String what) {
        BigInteger v = integer(text);
        if (v == null) {
            return null;
        }
        if (v.signum() < 0 || v.compareTo(TWO_32) >= 0) {
            throw new RangeException("literal " + text + " out of range (0 .. 2^32-1) for " + what);
        }
        return v.longValue();
    }

    /** The raw bits of an f32 literal, zero-extended to a long, or null if it is not a float literal. */
    static Long f32(String text) {
        return parseFloat(text, false);
    }

    /** The raw bits of an f64 literal, or null if it is not a float literal. */
    static Long f64(String text) {
        return parseFloat(text, true);
    }

    private static Long parseFloat(String text, boolean wide) {
        boolean negative = text.startsWith("-");
        String body = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        int mantissaBits = wide ? 52 : 23;
        long signBit = negative ? (wide ? Long.MIN_VALUE : 0x80000000L) : 0;
        long expBits = wide ? 0x7ff0000000000000L : 0x7f800000L;
        if (body.equals("inf")) {
            return signBit | expBits;
        }
        if (body.equals("nan")) {
            return signBit | (wide ? CANONICAL_NAN_F64 : CANONICAL_NAN_F32);
        }
        if (body.startsWith("nan:")) {
            String p = body.substring(4);
            if (!HEX_INT.matcher(p).matches()) {
                return null;
            }
            BigInteger payload = new BigInteger(p.substring(2).replace("_", ""), 16);
            if (payload.signum() == 0 || payload.bitLength() > mantissaBits) {
                throw new RangeException("NaN payload " + p + " out of range (1 .. 2^" + mantissaBits + "-1)");
            }
            return signBit | expBits | payload.longValue();
        }
        String javaText;
        if (HEX_FLOAT.matcher(body).matches()) {
            String digits = body.replace("_", "");
            javaText = digits.indexOf('p') < 0 && digits.indexOf('P') < 0 ? digits + "p0" : digits;
        } else if (DEC_FLOAT.matcher(body).matches()) {
            javaText = body.replace("_", "");
        } else {
            return null;
        }
        javaText = (negative ? "-" : "") + javaText;
        // Java parses both forms with correct rounding, directly to the target width.
        if (wide) {
            double d = Double.parseDouble(javaText);
            if (Double.isInfinite(d)) {
                throw new RangeException("f64 literal " + text + " out of range");
            }
            return Double.doubleToRawLongBits(d);
        }
        float f = Float.parseFloat(javaText);
        if (Float.isInfinite(f)) {
            throw new RangeException("f32 literal " + text + " out of range");
        }
        return Float.floatToRawIntBits(f) & 0xFFFFFFFFL;
    }

    /** Text for the f32 with raw bits {@code bits} that {@link #f32} reads back to the same bits. */
    static String formatF32(int bits) {
        float f = Float.intBitsToFloat(bits);
        if (Float.isNaN(f)) {
            return nan(bits < 0, bits & 0x7fffff, CANONICAL_NAN_F32 & 0x7fffff);
        }
        if (Float.isInfinite(f)) {
            return f < 0 ? "-inf" : "inf";
        }
        return Float.toString(f);
    }

    /** Text for the f64 with raw bits {@code bits} that {@link #f64} reads back to the same bits. */
    static String formatF64(long bits) {
        double d = Double.longBitsToDouble(bits);
        if (Double.isNaN(d)) {
            return nan(bits < 0, bits & 0xfffffffffffffL, CANONICAL_NAN_F64 & 0xfffffffffffffL);
        }
        if (Double.isInfinite(d)) {
            return d < 0 ? "-inf" : "inf";
        }
        return Double.toString(d);
    }

    private static String nan(boolean negative, long payload, long canonical) {
        String sign = negative ? "-" : "";
        return payload == canonical ? sign + "nan" : sign + "nan:0x" + Long.toHexString(payload);
    }

    /**
     * A string literal holding {@code bytes}: printable ASCII as itself, the usual escapes for
     * tab, line feed, carriage return, NUL, quote and backslash, and {@code \xHH} for the rest.
     */
    static String quote(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length + 2).append('"');
        for (byte b : bytes) {
            int c = b & 0xFF;
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case 0 -> sb.append("\\0");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
