package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.cella.sandbox.Accounting;
import dev.cella.sandbox.Outcome;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link JsonWriter}, and the {@code --stats=json} report built with it, read back by {@link JsonReader}. */
class JsonWriterTest {
    @Test
    void theReaderRejectsWhatIsNotJson() {
        for (String bad : new String[] {"{\"a\":1,}", "[1,]", "\"a\nb\"", "\"\\x\"", "{\"a\":1,\"a\":2}", "01",
            "{a:1}", "[1] 2", "\"open"}) {
            assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
        }
        assertEquals(Map.of("a", List.of(1L, "x", true)), JsonReader.parse(" {\"a\": [1, \"x\", true]} "));
    }

    @Test
    void nestedObjectsAndArraysGetTheirCommas() {
        String json = new JsonWriter().beginObject()
                .name("n").value(-3)
                .name("s").value((String) null)
                .name("empty").beginArray().endArray()
                .name("list").beginArray().value(1).beginObject().name("k").value("v").endObject().value(2).endArray()
                .name("last").beginObject().endObject()
                .endObject().toString();
        assertEquals("{\"n\":-3,\"s\":null,\"empty\":[],\"list\":[1,{\"k\":\"v\"},2],\"last\":{}}", json);
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(json);
        assertEquals(List.of("n", "s", "empty", "list", "last"), List.copyOf(m.keySet()));
    }

    @Test
    void everyCharacterThatNeedsItIsEscaped() {
        String nasty = "q\"b\\s/n\nr\rt\tb\bf\fnul\0esc\u001bdel\u007f é 𝄞";
        String json = new JsonWriter().beginObject().name(nasty).value(nasty).endObject().toString();
        assertEquals("{\"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\fnul\\u0000esc\\u001bdel\u007f é 𝄞\":", json.substring(0,
                json.indexOf(':') + 1));
        assertEquals(Map.of(nasty, nasty), JsonReader.parse(json));
    }

    @Test
    void loneSurrogatesAreEscapedSoTheTextStaysValidUtf8() {
        String lone = "a\ud800b\udc00c";
        String json = new JsonWriter().value(lone).toString();
        assertEquals("\"a\\ud800b\\udc00c\"", json);
        assertEquals(lone, JsonReader.parse(json));
    }

    @Test
    void anyStringSurvivesTheRoundTrip() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200))
                .forAll(strings().allPossible().ofLengthBetween(0, 40))
                .checkAssert(s -> assertEquals(List.of(s, Map.of(s, s)),
                        JsonReader.parse(new JsonWriter().beginArray().value(s).beginObject().name(s).value(s)
                                .endObject().endArray().toString())));
    }

    @Test
    void theAccountingReportHasEveryFieldInOrderAndEscapesTheEnding() {
        Accounting a = new Accounting(Outcome.ERROR, -1, "a \"quoted\"\nline\u0001", null, 7, 65536, 1, 2, 3, 4, 5,
                6, 8, 9, 10, 11);
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(StatsReport.json(a, null, null));
        List<String> fields = Arrays.stream(Accounting.class.getRecordComponents()).map(c -> c.getName()).toList();
        assertEquals(fields, List.copyOf(m.keySet()), "one member per accounting field, in declaration order");
        assertEquals("ERROR", m.get("outcome"));
        assertEquals("a \"quoted\"\nline\u0001", m.get("ending"));
        assertEquals(null, m.get("quota"));
        assertEquals(7L, m.get("fuelUsed"));
        assertEquals(11L, m.get("cpuNanos"));
    }

    @Test
    void statsJsonOfARunParsesWithTheEnginesFunctions() {
        CliRunner.Result interp = cella("run", "--stats=json", example("hello.casm"));
        assertEquals(0, interp.code(), interp::toString);
        Map<?, ?> i = (Map<?, ?>) JsonReader.parse(interp.err());
        assertEquals("EXITED", i.get("outcome"));
        assertEquals(14L, i.get("stdoutBytesWritten"));
        assertFalse(i.containsKey("functions"), "the interpreter reports no functions");

        CliRunner.Result jit = cella("run", "--engine", "jit", "--stats=json", example("fib.casm"), "15");
        assertEquals(0, jit.code(), jit::toString);
        Map<?, ?> j = (Map<?, ?>) JsonReader.parse(jit.err());
        List<?> functions = assertInstanceOf(List.class, j.get("functions"));
        assertTrue(functions.contains(Map.of("function", 4L, "name", "main", "tier", "compiled", "regions", 0L,
                "interpretedEntries", 0L, "detail", "")), functions.toString());
        assertTrue(functions.stream().anyMatch(f -> ((Map<?, ?>) f).get("tier").equals("host")), functions.toString());
    }
}
