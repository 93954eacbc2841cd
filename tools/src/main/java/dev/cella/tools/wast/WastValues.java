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
 * A v128 is {@code {"type": "v128", "lane_type": "i32", "value": ["1", "2", "3", "4"]}} (lane 0
 * first, each lane as above) and travels as two i64 values, low half first, as Cella passes it.
 */
final class WastValues {
    private WastValues() {}

    /** Throws {@link SkipCommand} for value types Cella has no counterpart for. */
    static void checkSupported(Map<String, Object> value) {
        String type = (String) value.get("type");
        if (!type.equals("i32") && !type.equals("i64") && !type.equals("f32") && !type.equals("f64")
                && !reference(type) && !type.equals("v128")) {
            throw new SkipCommand("value type " + type,
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

    /** The raw bits of an argument: one value, or two for a v128 (low half first). */
    static long[] arguments(Map<String, Object> value) {
        checkSupported(value);
        if (value.get("type").equals("v128")) {
            return v128((String) value.get("lane_type"), lanes(value), null);
        }
        return new long[] {argument(value)};
    }

    @SuppressWarnings("unchecked")
    private static List<String> lanes(Map<String, Object> value) {
        return (List<String>) value.get("value");
    }

    private static int laneBits(String laneType) {
        return Integer.parseInt(laneType.substring(1));
    }

    /**
     * The two halves of a v128 with lanes {@code lanes} of type {@code laneType}; a NaN pattern
     * lane is 0, or, if {@code patterns} is not null, recorded there by lane index.
     */
    private static long[] v128(String laneType, List<String> lanes, String[] patterns) {
        int width = laneBits(laneType);
        long mask = width == 64 ? -1L : (1L << width) - 1;
        long[] out = new long[2];
        for (int i = 0; i < lanes.size(); i++) {
            String v = lanes.get(i);
            if (v.startsWith("nan:")) {
                if (patterns != null) {
                    patterns[i] = v;
                }
                continue;
            }
            long bits = Long.parseUnsignedLong(v) & mask;
            int at = i * width;
            out[at / 64] |= bits << (at % 64);
        }
        return out;
    }

    /** The raw bits of a scalar argument. */
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
        int values = 0;
        for (Object e : expected) {
            values += ((Map<String, Object>) e).get("type").equals("v128") ? 2 : 1;
        }
        if (values != actual.length) {
            return "expected " + expected.size() + " result(s), got " + actual.length + " value(s)";
        }
        int at = 0;
        for (int i = 0; i < expected.size(); i++) {
            Map<String, Object> e = (Map<String, Object>) expected.get(i);
            String type = (String) e.get("type");
            if (type.equals("v128")) {
                String mismatch = compareV128(e, actual[at], actual[at + 1]);
                if (mismatch != null) {
                    return "result " + i + ": " + mismatch;
                }
                at += 2;
                continue;
            }
            String value = (String) e.get("value");
            if (!matches(type, value, actual[at])) {
                return "result " + i + ": expected " + type + " " + value + ", got " + type + " " + show(type, actual[at]);
            }
            at++;
        }
        return null;
    }

    /** Compares a v128 result lane by lane (a float lane may expect a NaN pattern). */
    private static String compareV128(Map<String, Object> e, long lo, long hi) {
        String laneType = (String) e.get("lane_type");
        List<String> lanes = lanes(e);
        int width = laneBits(laneType);
        long mask = width == 64 ? -1L : (1L << width) - 1;
        for (int i = 0; i < lanes.size(); i++) {
            int at = i * width;
            long bits = ((at < 64 ? lo : hi) >>> (at % 64)) & mask;
            String want = lanes.get(i);
            String scalar = laneType.startsWith("f") ? laneType : width == 64 ? "i64" : "i32";
            if (!matches(scalar, want, bits)) {
                return "v128 lane " + i + " (" + laneType + "): expected " + want + ", got "
                        + Long.toUnsignedString(bits) + " (all lanes: " + String.format("%016x%016x", hi, lo) + ")";
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
