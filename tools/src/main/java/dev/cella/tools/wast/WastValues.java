package dev.cella.tools.wast;

import java.util.List;
import java.util.Map;

/**
 * Values in wast2json's JSON: {@code {"type": "i32", "value": "4294967295"}}, the value being
 * the unsigned decimal of the raw bits, or for expected floats {@code nan:canonical} or {@code
 * nan:arithmetic}. Values are raw bits in Cella's representation (see {@link dev.cella.isa.ValType}).
 */
final class WastValues {
    private WastValues() {}

    /** Throws {@link SkipCommand} for value types Cella has no counterpart for (v128, references). */
    static void checkSupported(Map<String, Object> value) {
        String type = (String) value.get("type");
        if (!type.equals("i32") && !type.equals("i64") && !type.equals("f32") && !type.equals("f64")) {
            throw new SkipCommand(type.equals("v128") ? "SIMD" : "reference types (values in assertions)",
                    "values of type " + type + " (not supported by the importer)");
        }
    }

    /** The raw bits of an argument. */
    static long argument(Map<String, Object> value) {
        checkSupported(value);
        String type = (String) value.get("type");
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
            default -> Long.toUnsignedString(bits);
        };
    }
}
