package dev.cella.jit;

/** Assembly text for float raw bits that reads back to exactly the same bits (NaN payloads included). */
final class Floats {
    private Floats() {}

    static String formatF32(int bits) {
        float f = Float.intBitsToFloat(bits);
        if (f != f) {
            return nan(bits < 0, bits & 0x7fffff, 0x400000);
        }
        if (Float.isInfinite(f)) {
            return f < 0 ? "-inf" : "inf";
        }
        return Float.toString(f);
    }

    static String formatF64(long bits) {
        double d = Double.longBitsToDouble(bits);
        if (d != d) {
            return nan(bits < 0, bits & 0xfffffffffffffL, 0x8000000000000L);
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
}
