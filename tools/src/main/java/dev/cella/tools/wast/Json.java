package dev.cella.tools.wast;

import dev.cella.tools.JsonReader;

/**
 * Reads the JSON files wast2json writes, with the tools' one strict reader ({@link JsonReader}):
 * objects become {@code Map<String, Object>} (in order), arrays {@code List<Object>}, strings
 * {@code String}, integers {@code Long}, other numbers {@code Double}, and true, false and null
 * their Java values.
 */
final class Json {
    private Json() {}

    /**
     * Parses {@code text}, a complete JSON document.
     *
     * @param source names the text in messages
     * @throws WastException naming the source and the character offset of the first syntax error
     */
    static Object parse(String text, String source) {
        try {
            return JsonReader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new WastException(source + ": " + e.getMessage(), e);
        }
    }
}
