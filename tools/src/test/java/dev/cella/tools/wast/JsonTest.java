package dev.cella.tools.wast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void readsTheValuesWast2jsonWrites() {
        Object v = Json.parse("{\"commands\": [{\"type\": \"module\", \"line\": 3, \"name\": null},"
                + " true, false, -2.5e1, 18446744073709551615, \"a\\\"b\\\\c\\/\\n\\u00e9\"], \"empty\": {}, \"none\": []}",
                "test");
        Map<?, ?> root = (Map<?, ?>) v;
        List<?> commands = (List<?>) root.get("commands");
        Map<?, ?> first = (Map<?, ?>) commands.get(0);
        assertEquals("module", first.get("type"));
        assertEquals(3L, first.get("line"));
        assertTrue(first.containsKey("name"));
        assertNull(first.get("name"));
        assertEquals(true, commands.get(1));
        assertEquals(false, commands.get(2));
        assertEquals(-25.0, commands.get(3));
        assertEquals(1.8446744073709552E19, commands.get(4));
        assertEquals("a\"b\\c/\n\u00e9", commands.get(5));
        assertEquals(Map.of(), root.get("empty"));
        assertEquals(List.of(), root.get("none"));
    }

    @Test
    void keepsTheOrderOfMembers() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"z\": 1, \"a\": 2, \"m\": 3}", "test");
        assertEquals(List.of("z", "a", "m"), List.copyOf(m.keySet()));
    }

    @Test
    void namesTheCharacterWhereTheSyntaxBreaks() {
        WastException e = assertThrows(WastException.class, () -> Json.parse("{\"a\": [1, 2,, 3]}", "x.json"));
        assertTrue(e.getMessage().startsWith("x.json: bad JSON at character 12"), e.getMessage());
        assertThrows(WastException.class, () -> Json.parse("{\"a\": 1} trailing", "x.json"));
        assertThrows(WastException.class, () -> Json.parse("\"unterminated", "x.json"));
        assertThrows(WastException.class, () -> Json.parse("[\"\\q\"]", "x.json"));
        assertThrows(WastException.class, () -> Json.parse("", "x.json"));
    }
}
