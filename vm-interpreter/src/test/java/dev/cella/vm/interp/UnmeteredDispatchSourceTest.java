package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link UnmeteredDispatch} is generated from {@link Dispatch}, so that the interpreter's
 * instruction semantics live in one file. This test is the generator: it derives the unmetered
 * loop from Dispatch's source and fails if the file differs; run it with {@code
 * -Dcella.regenerate=true} to rewrite the file instead. The derivation replaces three exact
 * passages (the class header, the run method's first sentence and the charge after the switch)
 * and renames the two slow paths whose unmetered forms are separate methods ({@code m.refuel}
 * to {@code m.poll}, {@code m.callHost} to {@code m.callHostUnmetered}); if Dispatch changes one
 * of them, the test says which rule to update.
 */
class UnmeteredDispatchSourceTest {
    private static final String DIR = "src/main/java/dev/cella/vm/interp/";

    private static final String METERED_HEADER_START = "/**\n * The interpreter's dispatch loop";
    private static final String METERED_HEADER_END = "final class Dispatch {\n    private Dispatch() {}\n";

    private static final String UNMETERED_HEADER = """
            /**
             * The dispatch loop for unmetered instances. GENERATED from {@link Dispatch} by {@code
             * UnmeteredDispatchSourceTest}: do not edit; edit Dispatch and rerun that test with {@code
             * -Dcella.regenerate=true}.
             *
             * <p>It is Dispatch (see its invariants) with two changes. Unmetered code (see {@link Decoder})
             * has FUEL headers only at check sites, pc 0 and backward-branch targets, and a branch, call or
             * return to any other leader lands on the leader's instruction itself; so the code after the
             * switch charges a header only if pc is on one, and {@code credit} is the countdown to the next
             * poll of the interrupt hook, not fuel. Per block entered that is one compare instead of a
             * charge, and falling through into a leader that is not a check site costs nothing. And it calls
             * the unmetered slow paths, {@link Machine#poll} and {@link Machine#callHostUnmetered}, where
             * Dispatch calls {@link Machine#refuel} and {@link Machine#callHost}.
             */
            final class UnmeteredDispatch {
                private UnmeteredDispatch() {}
            """;

    private static final String METERED_RUN_DOC = """
                 * Runs from decoded position {@code pc} (a FUEL header) of {@code code}, the code of the
                 * active function {@code m.func}, with its frame at {@code fp} of the register stack {@code r}
                 * ({@code m.regs}), until the entry frame returns or the machine's suspend request fires.
            """;

    private static final String UNMETERED_RUN_DOC = """
                 * Runs from decoded position {@code pc} (a block leader: its FUEL header if it has one, else
                 * its instruction) of {@code code}, the code of the active function {@code m.func}, with its
                 * frame at {@code fp} of the register stack {@code r} ({@code m.regs}), until the entry frame
                 * returns or the machine's suspend request fires.
            """;

    private static final String CHARGE_COMMENT =
            "                // Enter the block whose FUEL header is at pc: charge its cost, or trap there.\n";
    private static final String CHARGE_END = "                pc += 2;\n";
    private static final String REFUEL_CALL = "m.refuel(";
    private static final String HOST_CALL = "m.callHost(";

    /**
     * UnmeteredDispatch's source, derived from Dispatch's.
     *
     * @throws IllegalArgumentException naming the rule whose passage is not in Dispatch exactly once
     */
    static String unmeteredSource(String dispatch) {
        int start = once(dispatch, METERED_HEADER_START, "the class header");
        int end = once(dispatch, METERED_HEADER_END, "the class declaration") + METERED_HEADER_END.length();
        String s = dispatch.substring(0, start) + UNMETERED_HEADER + dispatch.substring(end);
        once(s, METERED_RUN_DOC, "run's first sentence");
        s = s.replace(METERED_RUN_DOC, UNMETERED_RUN_DOC);
        int from = once(s, CHARGE_COMMENT, "the charge after the switch");
        int to = s.indexOf(CHARGE_END, from);
        if (to < 0) {
            throw new IllegalArgumentException("Dispatch's charge after the switch no longer ends with pc += 2");
        }
        to += CHARGE_END.length();
        StringBuilder guarded = new StringBuilder()
                .append("                // Unmetered: only check sites have a FUEL header; charge the countdown there.\n")
                .append("                if (code[pc] == Op.FUEL) {\n");
        for (String line : s.substring(from + CHARGE_COMMENT.length(), to).split("\n")) {
            guarded.append("    ").append(line).append('\n');
        }
        guarded.append("                }\n");
        s = s.substring(0, from) + guarded + s.substring(to);
        once(s, REFUEL_CALL, "the call of m.refuel");
        once(s, HOST_CALL, "the call of m.callHost");
        return s.replace(REFUEL_CALL, "m.poll(").replace(HOST_CALL, "m.callHostUnmetered(");
    }

    /** The index of the only occurrence of {@code passage} in {@code s}. */
    private static int once(String s, String passage, String rule) {
        int i = s.indexOf(passage);
        if (i < 0 || s.indexOf(passage, i + 1) >= 0) {
            throw new IllegalArgumentException("Dispatch.java no longer has " + rule + " exactly once as this"
                    + " generator expects: update UnmeteredDispatchSourceTest's rule for it");
        }
        return i;
    }

    /** The main source file {@code name} of this package, from the module's or the project's directory. */
    private static Path source(String name) {
        Path dir = Path.of(DIR);
        return (Files.isDirectory(dir) ? dir : Path.of("vm-interpreter", DIR)).resolve(name);
    }

    @Test
    void unmeteredDispatchIsDispatchWithTheChargeGuarded() throws IOException {
        String dispatch = Files.readString(source("Dispatch.java"), StandardCharsets.UTF_8);
        String expected = unmeteredSource(dispatch);
        Path target = source("UnmeteredDispatch.java");
        if (Boolean.getBoolean("cella.regenerate")) {
            Files.writeString(target, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.readString(target, StandardCharsets.UTF_8);
        assertTrue(expected.equals(actual), "UnmeteredDispatch.java is not what Dispatch.java generates: edit"
                + " Dispatch.java only, then rerun UnmeteredDispatchSourceTest with -Dcella.regenerate=true");
    }

    @Test
    void theGeneratedLoopHasTheGuardedChargeAndDispatchsSwitchVerbatim() throws IOException {
        String dispatch = Files.readString(source("Dispatch.java"), StandardCharsets.UTF_8);
        String unmetered = unmeteredSource(dispatch);
        assertTrue(unmetered.contains("if (code[pc] == Op.FUEL) {\n                    int cost = code[pc + 1];"));
        assertTrue(unmetered.contains("final class UnmeteredDispatch {"));
        assertTrue(unmetered.contains("credit = m.poll(credit, cost) - cost;"), "the countdown polls");
        assertTrue(unmetered.contains("credit = m.callHostUnmetered(f, r, code, at, fp, credit);"), "host calls");
        // Every case line of Dispatch is in the copy, in the same order, with only the host call renamed.
        String cases = dispatch.substring(dispatch.indexOf("switch (code[pc]) {"), dispatch.indexOf(CHARGE_COMMENT));
        assertTrue(unmetered.contains(cases.replace(HOST_CALL, "m.callHostUnmetered(")), "the switch was copied");
    }

    @Test
    void aChangedPassageInDispatchIsReportedNotSilentlyCopied() {
        String broken = "/**\n * The interpreter's dispatch loop\n */\nfinal class Dispatch {\n    private Dispatch() {}\n}\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> unmeteredSource(broken));
        assertTrue(e.getMessage().contains("run's first sentence"), e.getMessage());
    }
}
