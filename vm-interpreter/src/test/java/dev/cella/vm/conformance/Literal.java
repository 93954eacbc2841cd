package dev.cella.vm.conformance;

import dev.cella.isa.ValType;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Typed value literals of conformance scripts ({@code i32:-7}, {@code f32:nan:0x200000}): the
 * literal syntax of {@code docs/assembly.md}, read independently of the assembler so that the
 * two readings check each other.
 */
final class Literal {
    private static final Pattern DEC_INT = Pattern.compile("[0-9](_?[0-9])*");
    private static final Pattern HEX_INT = Pattern.compile("0[xX][0-9a-fA-F](_?[0-9a-fA-F])*");
    private static final Pattern DEC_FLOAT = Pattern.compile("[0-9][0-9_]*(\\.[0-9_]*)?([eE][+-]?[0-9_]+)?");
    private static final Pattern HEX_FLOAT = Pattern.compile("0[xX][0-9a-fA-F_]+(\\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?");

    private Literal() {}

    /**
     * Reads {@code TYPE:LITERAL}.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    static Script.Value value(String text) {
        int colon = text.indexOf(':');
        ValType type = colon < 0 ? null : ValType.fromText(text.substring(0, colon));
        if (type == null) {
            throw new IllegalArgumentException("expected a typed value such as i32:7 or f64:nan, found '" + text + "'");
        }
        return new Script.Value(type, bits(type, text.substring(colon + 1)));
    }

    /**
     * The raw bits (in the engines' representation) of a literal of type {@code type}.
     *
     * @throws IllegalArgumentException if the text is not a literal of that type or is out of range
     */
    static long bits(ValType type, String text) {
        return switch (type) {
            case I32 -> (int) integer(text, 32);
            case I64, FUNCREF, EXTERNREF -> integer(text, 64);
            case F32 -> Integer.toUnsignedLong((int) floating(text, 8, 23));
            case F64 -> floating(text, 11, 52);
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    /** Signed or unsigned integer of {@code width} bits: {@code -2^(w-1) .. 2^w-1}; the low bits. */
    private static long integer(String text, int width) {
        boolean negative = text.startsWith("-");
        String body = negative || text.startsWith("+") ? text.substring(1) : text;
        BigInteger v;
        if (HEX_INT.matcher(body).matches()) {
            v = new BigInteger(body.substring(2).replace("_", ""), 16);
        } else if (DEC_INT.matcher(body).matches()) {
            v = new BigInteger(body.replace("_", ""));
        } else {
            throw new IllegalArgumentException("'" + text + "' is not an integer literal");
        }
        if (negative) {
            v = v.negate();
        }
        BigInteger min = BigInteger.ONE.shiftLeft(width - 1).negate();
        BigInteger limit = BigInteger.ONE.shiftLeft(width);
        if (v.compareTo(min) < 0 || v.compareTo(limit) >= 0) {
            throw new IllegalArgumentException("i" + width + " literal " + text + " is out of range");
        }
        return v.longValue();
    }

    /** A float of the given exponent and mantissa widths, as raw bits (low bits of the result). */
    private static long floating(String text, int exponentBits, int mantissaBits) {
        boolean negative = text.startsWith("-");
        String body = negative || text.startsWith("+") ? text.substring(1) : text;
        long sign = negative ? 1L << (exponentBits + mantissaBits) : 0;
        long infinity = ((1L << exponentBits) - 1) << mantissaBits;
        long mantissaMask = (1L << mantissaBits) - 1;
        if (body.equals("inf")) {
            return sign | infinity;
        }
        if (body.equals("nan")) {
            return sign | infinity | 1L << (mantissaBits - 1);
        }
        if (body.startsWith("nan:")) {
            long payload = integer(body.substring(4), 64);
            if (!body.substring(4).startsWith("0x") || payload == 0 || (payload & ~mantissaMask) != 0) {
                throw new IllegalArgumentException("NaN payload in '" + text + "' must be hexadecimal in 1..0x"
                        + Long.toHexString(mantissaMask));
            }
            return sign | infinity | payload;
        }
        String plain = body.replace("_", "");
        String javaText;
        if (HEX_FLOAT.matcher(body).matches()) {
            javaText = plain.matches("(?i).*p.*") ? plain : plain + "p0";
        } else if (DEC_FLOAT.matcher(body).matches()) {
            javaText = plain;
        } else {
            throw new IllegalArgumentException("'" + text + "' is not a float literal");
        }
        // Java rounds both decimal and hexadecimal text to nearest, ties to even, directly to the
        // target width (no double rounding through double for f32).
        if (mantissaBits == 23) {
            return sign | Integer.toUnsignedLong(Float.floatToRawIntBits(Float.parseFloat(javaText)));
        }
        return sign | Double.doubleToRawLongBits(Double.parseDouble(javaText));
    }

    /** The literal text of a value, with its bits in hex where the text alone could hide them. */
    static String format(ValType type, long bits) {
        return switch (type) {
            case I32 -> "i32:" + (int) bits + String.format(" (0x%08x)", (int) bits);
            case I64 -> "i64:" + bits + String.format(" (0x%016x)", bits);
            case FUNCREF, EXTERNREF -> type + ":" + bits;
            case F32 -> {
                float f = Float.intBitsToFloat((int) bits);
                yield "f32:" + (Float.isNaN(f) ? "nan" : Float.isInfinite(f) ? (f > 0 ? "inf" : "-inf") : Float.toString(f))
                        + String.format(" (0x%08x)", (int) bits);
            }
            case F64 -> {
                double d = Double.longBitsToDouble(bits);
                yield "f64:" + (Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d))
                        + String.format(" (0x%016x)", bits);
            }
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }
}
