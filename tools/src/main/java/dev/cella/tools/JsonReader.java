package dev.cella.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of JSON text (RFC 8259), written apart from {@link JsonWriter} so that tests of
 * the writer are not checked by its own logic; the wast runner reads wast2json's files with it. Objects
 * become {@code Map<String, Object>} (member order kept), arrays {@code List<Object>}, strings
 * {@code String}, integers that fit {@code Long}, other numbers {@code Double}, {@code true}/{@code false}
 * {@code Boolean}, null {@code null}. Anything not valid JSON (a trailing comma, an unescaped
 * control character, a bad escape, a repeated member, text after the value) is rejected with
 * {@link IllegalArgumentException} naming the offset.
 */
public final class JsonReader {
    private final String text;
    private int pos;

    private JsonReader(String text) {
        this.text = text;
    }

    /**
     * The value {@code text} holds, surrounded by whitespace at most.
     *
     * @throws IllegalArgumentException naming the offset of the first thing that is not JSON
     */
    public static Object parse(String text) {
        JsonReader c = new JsonReader(text);
        c.space();
        Object v = c.value();
        c.space();
        if (c.pos != text.length()) {
            throw c.error("text after the value");
        }
        return v;
    }

    private Object value() {
        if (pos >= text.length()) {
            throw error("end of text where a value was expected");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> out = new LinkedHashMap<>();
        pos++;
        space();
        if (peek('}')) {
            pos++;
            return out;
        }
        while (true) {
            space();
            if (!peek('"')) {
                throw error("expected a member name");
            }
            String name = string();
            space();
            expect(':');
            space();
            if (out.containsKey(name)) {
                throw error("member '" + name + "' repeated");
            }
            out.put(name, value());
            space();
            if (peek(',')) {
                pos++;
                continue;
            }
            expect('}');
            return out;
        }
    }

    private List<Object> array() {
        List<Object> out = new ArrayList<>();
        pos++;
        space();
        if (peek(']')) {
            pos++;
            return out;
        }
        while (true) {
            space();
            out.add(value());
            space();
            if (peek(',')) {
                pos++;
                continue;
            }
            expect(']');
            return out;
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character " + (int) c + " in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek('-')) {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digits || (text.charAt(digits) == '0' && pos - digits > 1)) {
            throw error("bad number");
        }
        boolean integer = true;
        if (peek('.') || peek('e') || peek('E')) {
            integer = false;
            while (pos < text.length() && "0123456789.eE+-".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }
        String n = text.substring(start, pos);
        try {
            if (integer) {
                try {
                    return Long.parseLong(n);
                } catch (NumberFormatException tooLarge) {
                    return Double.parseDouble(n); // an integer past a long, as wast2json writes u64 maxima
                }
            }
            return Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw error("bad number " + n);
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("expected " + word);
        }
        pos += word.length();
        return value;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void space() {
        while (pos < text.length() && " \t\n\r".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("bad JSON at character " + pos + ": " + what);
    }
}
