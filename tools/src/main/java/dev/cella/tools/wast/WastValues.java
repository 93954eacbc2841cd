package dev.cella.tools.wast;

import java.util.List;
import java.util.Map;

/**
 * Values in wast2json's JSON: {@code {"type": "i32", "value": "4294967295"}}, the value being
 * the unsigned decimal of the raw bits, or for expected floats {@code nan:canonical} or {@code
 * nan:arithmetic}. Values are raw bits in Cella's representation (see {@link dev.cella.isa.ValType}).
 * References: {@code {"type": "externref", "value": "N"}} is the script's host reference N, raw
 * bits N + 1 (the runner's handles are the numbers themselves); {@code "null"} is 0; an expected
 * reference without a value is any non-null one.
 */
final class WastValues {
    private WastValues() {}

    /** Throws {@link SkipCommand} for value types Cella has no counterpart for (v128). */
    static void checkSupported(Map<String, Object> value) {
        String type = (String) value.get("type");
        if (!type.equals("i32") && !type.equals("i64") && !type.equals("f32") && !type.equals("f64")
                && !reference(type)) {
            throw new SkipCommand(type.equals("v128") ? "SIMD" : "value type " + type,
                    "values of type " + type + " (not supported by the importer)");
        }
    }

    private static boolean reference(String type) {
        return type.equals("funcref") || type.equals("externref");
    }

    /** The raw bits of reference {@code value} ("null" or a host reference's number). */
    private static long referenceBits(String value) {
        return value.equals("null") ? 0 : Long.parseUnsignedLong(value) + 1;
    }

    /** The raw bits of an argument. */
    static long argument(Map<String, Object> value) {
        checkSupported(value);
        String type = (String) value.get("type");
        if (reference(type)) {
            return referenceBits((String) value.get("value"));
        }
        long bits = Long.parseUnsignedLong((String) value.get("value"));
        return switch (type) {
            case "i32" -> (int) bits;
            case "f32" -> bits & 0xFFFFFFFFL;
            default -> bits;
        };
    }

    /**
     * Compares results with the expected values.
     *
     * @return null if they match, else a description of the difference
     */
    @SuppressWarnings("unchecked")
    static String compare(List<Object> expected, long[] actual) {
        if (expected.size() != actual.length) {
            return "expected " + expected.size() + " result(s), got " + actual.length;
        }
        for (int i = 0; i < actual.length; i++) {
            Map<String, Object> e = (Map<String, Object>) expected.get(i);
            String type = (String) e.get("type");
            String value = (String) e.get("value");
            if (!matches(type, value, actual[i])) {
                return "result " + i + ": expected " + type + " " + value + ", got " + type + " " + show(type, actual[i]);
            }
        }
        return null;
    }

    private static boolean matches(String type, String value, long bits) {
        if (reference(type)) {
            // No value: any non-null reference. A funcref's bits name a function of the module.
            return value == null ? bits != 0 : type.equals("externref") ? referenceBits(value) == bits
                    : value.equals("null") && bits == 0;
        }
        boolean f32 = type.equals("f32");
        if (value.equals("nan:canonical")) {
            return f32 ? (bits & 0x7FFFFFFFL) == 0x7FC00000L : (bits & Long.MAX_VALUE) == 0x7FF8000000000000L;
        }
        if (value.equals("nan:arithmetic")) {
            return f32 ? (bits & 0x7FC00000L) == 0x7FC00000L : (bits & 0x7FF8000000000000L) == 0x7FF8000000000000L;
        }
        long want = Long.parseUnsignedLong(value);
        return switch (type) {
            case "i32", "f32" -> (int) want == (int) bits;
            default -> want == bits;
        };
    }

    private static String show(String type, long bits) {
        return switch (type) {
            case "i32" -> Integer.toUnsignedString((int) bits);
            case "f32" -> Integer.toUnsignedString((int) bits) + " (" + Float.intBitsToFloat((int) bits) + ")";
            case "f64" -> Long.toUnsignedString(bits) + " (" + Double.longBitsToDouble(bits) + ")";
            case "funcref", "externref" -> bits == 0 ? "null" : type.equals("externref")
                    ? Long.toUnsignedString(bits - 1) : "function " + (bits - 1);
            default -> Long.toUnsignedString(bits);
        };
    }
}
