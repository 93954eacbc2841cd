package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link UnmeteredDispatch} is generated from {@link Dispatch} by {@link UnmeteredDispatchGenerator}:
 * this test fails the build when the file differs from what the generator makes of Dispatch
 * (run it with {@code -Dcella.regenerate=true} to rewrite the file instead), and checks what the
 * generator does with its markers.
 */
class UnmeteredDispatchSourceTest {
    private static String dispatch() throws IOException {
        return Files.readString(UnmeteredDispatchGenerator.sourceDirectory().resolve("Dispatch.java"),
                StandardCharsets.UTF_8);
    }

    @Test
    void unmeteredDispatchIsWhatTheGeneratorMakesOfDispatch() throws IOException {
        String expected = UnmeteredDispatchGenerator.generate(dispatch());
        Path target = UnmeteredDispatchGenerator.sourceDirectory().resolve("UnmeteredDispatch.java");
        if (Boolean.getBoolean("cella.regenerate")) {
            Files.writeString(target, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.readString(target, StandardCharsets.UTF_8);
        assertTrue(expected.equals(actual), "UnmeteredDispatch.java is not what Dispatch.java generates: edit"
                + " Dispatch.java only, then run UnmeteredDispatchGenerator (or this test with -Dcella.regenerate=true)");
    }

    @Test
    void theGeneratedLoopIsMarkedGeneratedGuardsTheChargeAndCopiesTheSwitchVerbatim() throws IOException {
        String dispatch = dispatch();
        String unmetered = UnmeteredDispatchGenerator.generate(dispatch);
        assertTrue(unmetered.startsWith("// GENERATED FILE: do not edit."), "marked as generated");
        assertFalse(unmetered.contains(UnmeteredDispatchGenerator.MARKER), "no marker is left in the copy");
        assertTrue(unmetered.contains("final class UnmeteredDispatch {\n    private UnmeteredDispatch() {}\n"));
        assertFalse(unmetered.contains("class Dispatch"));
        assertTrue(unmetered.contains("if (code[pc] == Op.FUEL) {\n                    int cost = code[pc + 1];"));
        assertTrue(unmetered.contains("credit = m.poll(credit, cost) - cost;"), "the countdown polls");
        assertFalse(unmetered.contains("m.refuel("));
        assertTrue(unmetered.contains("credit = m.callHostUnmetered(f, r, code, at, fp, credit);"), "host calls");
        // Every case line of Dispatch is in the copy, in the same order, with only the host call renamed.
        String cases = dispatch.substring(dispatch.indexOf("switch (code[pc]) {"), dispatch.indexOf("m.callHost("));
        assertTrue(unmetered.contains(cases.substring(0, cases.lastIndexOf("// @generate"))), "the switch was copied");
    }

    @Test
    void theGeneratorFollowsMarkersNotProse() {
        String source = """
                package p;
                // @generate:unmetered-header-begin
                /** Any words at all. */
                final class Dispatch {
                // @generate:unmetered-header-end
                    void run() {
                        // @generate:unmetered-rename m.refuel m.poll
                        x = m.refuel(1);
                        // @generate:unmetered-guard-begin
                        pc += 2;
                        // @generate:unmetered-guard-end
                    }
                }
                """;
        String out = UnmeteredDispatchGenerator.generate(source);
        assertEquals(UnmeteredDispatchGenerator.GENERATED + "package p;\n" + UnmeteredDispatchGenerator.HEADER
                + "    void run() {\n"
                + "        x = m.poll(1);\n"
                + "        // Unmetered: only check sites have a FUEL header; charge the countdown there.\n"
                + "        if (code[pc] == Op.FUEL) {\n"
                + "            pc += 2;\n"
                + "        }\n"
                + "    }\n"
                + "}\n", out);
    }

    @Test
    void aMissingOrMisplacedMarkerIsReportedNotSilentlyCopied() {
        String noGuard = "// @generate:unmetered-header-begin\nfinal class Dispatch {\n// @generate:unmetered-header-end\n}\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnmeteredDispatchGenerator.generate(noGuard));
        assertTrue(e.getMessage().contains("guard-begin/end"), e.getMessage());
        String strayRename = "// @generate:unmetered-rename m.refuel m.poll\nx = m.other(1);\n";
        e = assertThrows(IllegalArgumentException.class, () -> UnmeteredDispatchGenerator.generate(strayRename));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        String unknown = "// @generate:unmetered-frobnicate\n";
        e = assertThrows(IllegalArgumentException.class, () -> UnmeteredDispatchGenerator.generate(unknown));
        assertTrue(e.getMessage().contains("frobnicate"), e.getMessage());
    }
}
