package dev.cella.tools;

/**
 * Writes one JSON text (RFC 8259) in order: objects, arrays, names and values, with the commas
 * and the string escaping done here once. Every string, names included, is escaped: quote and
 * backslash, control characters ({@code \n}, {@code \r}, {@code \t}, {@code \b}, {@code \f},
 * else {@code \}{@code u00XX}), and lone surrogates (as {@code \}{@code uXXXX}, so the text stays
 * valid UTF-8 when printed).
 *
 * <p>The caller nests calls correctly (a name before each value in an object); the writer does
 * not check it, as its only callers are the command's fixed reports.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** True after a value or a closed container: the next element needs a comma first. */
    private boolean needComma;

    JsonWriter beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    JsonWriter beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** The name of the next member of the current object. */
    JsonWriter name(String name) {
        comma();
        string(name);
        out.append(':');
        needComma = false;
        return this;
    }

    /** A string value, or {@code null} for null. */
    JsonWriter value(String value) {
        comma();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        needComma = true;
        return this;
    }

    JsonWriter value(long value) {
        comma();
        out.append(value);
        needComma = true;
        return this;
    }

    /** The text written so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || loneSurrogate(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** True if {@code s[i]} is a surrogate that is not half of a valid pair. */
    private static boolean loneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
    }
}
