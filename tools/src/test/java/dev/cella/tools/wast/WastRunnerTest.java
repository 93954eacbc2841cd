package dev.cella.tools.wast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Engines;
import dev.cella.vm.TrapKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner itself: that it fails what is wrong, skips what it cannot run, and drives wast2json. */
class WastRunnerTest {
    @TempDir
    Path dir;

    /** A script over i32.0.wasm of the suite (exports add, div_s... of two i32). */
    private Path script(String commands) throws IOException {
        Files.copy(WastSuiteTest.resource("i32").resolveSibling("i32.0.wasm"), dir.resolve("m.wasm"));
        Files.copy(WastSuiteTest.resource("i32").resolveSibling("i32.1.wasm"), dir.resolve("invalid.wasm"));
        Files.copy(WastSuiteTest.resource("memory").resolveSibling("memory.8.wasm"), dir.resolve("uninstantiable.wasm"));
        // A shared memory: a feature the importer rejects as unsupported.
        Files.write(dir.resolve("threads.wasm"), new byte[] {0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 5, 4, 1, 3, 1, 1});
        Path json = dir.resolve("s.json");
        Files.writeString(json, "{\"source_filename\": \"s.wast\", \"commands\": [" + commands + "]}");
        return json;
    }

    private static String invoke(String field, int a, int b) {
        return "{\"type\": \"invoke\", \"field\": \"" + field + "\", \"args\": [{\"type\": \"i32\", \"value\": \"" + a
                + "\"}, {\"type\": \"i32\", \"value\": \"" + b + "\"}]}";
    }

    @Test
    void countsPassesFailuresAndSkipsPerKind() throws IOException {
        Path json = script(String.join(",",
                "{\"type\": \"module\", \"line\": 1, \"filename\": \"m.wasm\"}",
                "{\"type\": \"assert_return\", \"line\": 2, \"action\": " + invoke("add", 1, 1)
                        + ", \"expected\": [{\"type\": \"i32\", \"value\": \"2\"}]}",
                "{\"type\": \"assert_return\", \"line\": 3, \"action\": " + invoke("add", 1, 1)
                        + ", \"expected\": [{\"type\": \"i32\", \"value\": \"3\"}]}",
                "{\"type\": \"assert_trap\", \"line\": 4, \"action\": " + invoke("div_s", 1, 0)
                        + ", \"text\": \"integer divide by zero\"}",
                "{\"type\": \"assert_trap\", \"line\": 5, \"action\": " + invoke("div_s", 1, 0)
                        + ", \"text\": \"integer overflow\"}",
                "{\"type\": \"assert_trap\", \"line\": 6, \"action\": " + invoke("div_s", 4, 2)
                        + ", \"text\": \"integer overflow\"}",
                "{\"type\": \"assert_invalid\", \"line\": 7, \"filename\": \"invalid.wasm\", \"text\": \"type mismatch\"}",
                "{\"type\": \"assert_invalid\", \"line\": 8, \"filename\": \"m.wasm\", \"text\": \"type mismatch\"}",
                "{\"type\": \"assert_malformed\", \"line\": 9, \"filename\": \"x.wat\", \"text\": \"unexpected token\"}",
                "{\"type\": \"assert_uninstantiable\", \"line\": 10, \"filename\": \"uninstantiable.wasm\", \"text\": \"x\"}",
                "{\"type\": \"module\", \"line\": 11, \"filename\": \"threads.wasm\"}",
                "{\"type\": \"assert_return\", \"line\": 12, \"action\": " + invoke("add", 1, 1)
                        + ", \"expected\": [{\"type\": \"i32\", \"value\": \"2\"}]}",
                "{\"type\": \"assert_return\", \"line\": 13, \"action\": {\"type\": \"invoke\", \"field\": \"f\","
                        + " \"args\": [{\"type\": \"v128\", \"value\": [\"0\"]}]}, \"expected\": []}"));
        WastReport r = new WastRunner().runJson(json);
        assertEquals(Map.of(
                "assert_invalid", new WastReport.Tally(1, 1, 0),
                "assert_malformed", new WastReport.Tally(0, 0, 1),
                "assert_return", new WastReport.Tally(1, 1, 2),
                "assert_trap", new WastReport.Tally(1, 2, 0),
                "assert_uninstantiable", new WastReport.Tally(1, 0, 0),
                "module", new WastReport.Tally(1, 0, 1)), r.byKind(), r::toText);
        assertEquals(5, r.passed());
        assertEquals(4, r.failed());
        assertEquals(4, r.skipped());
        assertEquals(3, r.failures().get(0).line());
        assertTrue(r.failures().get(0).message().contains("expected i32 3, got i32 2"), r::toText);
        assertTrue(r.skips().stream().anyMatch(n -> n.line() == 11 && n.message().contains("threads (shared memory)")), r::toText);
        assertTrue(r.toText().startsWith(json + ": 5 passed, 4 failed, 4 skipped (text-format module: 1, threads (shared memory): 3)\n"),
                r::toText);
        assertEquals(Map.of("threads (shared memory)", 3, "text-format module", 1), r.skipsByReason());
    }

    private WastReport run(String... commands) throws IOException {
        Path json = script(String.join(",", commands));
        // A module importing function f of module M, type [] -> [].
        Files.write(dir.resolve("imports.wasm"), new byte[] {0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                2, 7, 1, 1, 'M', 1, 'f', 0, 0});
        return new WastRunner().runJson(json);
    }

    private static String module(int line, String file) {
        return "{\"type\": \"module\", \"line\": " + line + ", \"filename\": \"" + file + "\"}";
    }

    private static String assertReturn(int line, String field, int a, int b, int expected) {
        return "{\"type\": \"assert_return\", \"line\": " + line + ", \"action\": " + invoke(field, a, b)
                + ", \"expected\": [{\"type\": \"i32\", \"value\": \"" + expected + "\"}]}";
    }

    @Test
    void aSkippedModulesAssertionsAreSkippedUnderItsReasonEvenWhenWrong() throws IOException {
        // 1 + 1 is not 3, but the module was not run, so the assertion is neither passed nor failed.
        WastReport r = run(module(1, "threads.wasm"), assertReturn(2, "add", 1, 1, 3), assertReturn(3, "add", 1, 1, 2));
        assertEquals(0, r.passed(), r::toText);
        assertEquals(0, r.failed(), r::toText);
        assertEquals(Map.of("threads (shared memory)", 3), r.skipsByReason(), r::toText);
        assertTrue(r.skips().get(1).message().startsWith("threads (shared memory): its module was not loaded"), r::toText);
    }

    @Test
    void aRejectedInvalidModuleIsAPassWhateverTheImporterSaysIsWrong() throws IOException {
        WastReport r = run(
                "{\"type\": \"assert_invalid\", \"line\": 1, \"filename\": \"threads.wasm\", \"text\": \"x\"}",
                "{\"type\": \"assert_malformed\", \"line\": 2, \"filename\": \"threads.wasm\", \"text\": \"x\"}",
                "{\"type\": \"assert_invalid\", \"line\": 3, \"filename\": \"invalid.wasm\", \"text\": \"x\"}");
        assertEquals(3, r.passed(), r::toText);
        assertEquals(0, r.skipped(), r::toText);
    }

    @Test
    void registeringASkippedModuleIsSkippedAndSoAreModulesImportingFromIt() throws IOException {
        WastReport r = run(module(1, "threads.wasm"),
                "{\"type\": \"register\", \"line\": 2, \"as\": \"M\"}", module(3, "imports.wasm"));
        assertEquals(0, r.passed(), r::toText);
        assertEquals(new WastReport.Tally(0, 0, 1), r.byKind().get("register"), r::toText);
        assertEquals(new WastReport.Tally(0, 0, 2), r.byKind().get("module"), r::toText);
        assertEquals(Map.of("threads (shared memory)", 3), r.skipsByReason(), r::toText);
    }

    @Test
    void aModuleThatFailsToLoadFailsItsDependents() throws IOException {
        WastReport r = run(module(1, "invalid.wasm"), assertReturn(2, "add", 1, 1, 2),
                "{\"type\": \"register\", \"line\": 3, \"as\": \"M\"}", module(4, "imports.wasm"),
                "{\"type\": \"assert_trap\", \"line\": 5, \"action\": " + invoke("div_s", 1, 0)
                        + ", \"text\": \"integer divide by zero\"}");
        assertEquals(0, r.passed(), r::toText);
        assertEquals(0, r.skipped(), r::toText);
        assertEquals(List.of(1, 2, 3, 4, 5), r.failures().stream().map(WastReport.Note::line).toList(), r::toText);
        assertTrue(r.failures().get(1).message().startsWith("its module was not loaded: invalid wasm module"),
                r::toText);
    }

    @Test
    void aModuleSharingMemoryWithASkippedModuleIsSkippedAfterwards() throws IOException {
        // exports.wasm: function f returning 7 and table t; shares.wasm imports M.m as a shared
        // memory (threads), which the importer skips.
        Files.write(dir.resolve("exports.wasm"), new byte[] {0, 0x61, 0x73, 0x6D, 1, 0, 0, 0,
                1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2, 1, 0, 4, 4, 1, 0x70, 0, 1,
                7, 9, 2, 1, 'f', 0, 0, 1, 't', 1, 0, 10, 6, 1, 4, 0, 0x41, 7, 0x0B});
        Files.write(dir.resolve("shares.wasm"), new byte[] {0, 0x61, 0x73, 0x6D, 1, 0, 0, 0,
                2, 9, 1, 1, 'M', 1, 'm', 2, 3, 1, 1});
        String f = "{\"type\": \"assert_return\", \"line\": %d, \"action\": {\"type\": \"invoke\", \"module\": \"$A\","
                + " \"field\": \"f\", \"args\": []}, \"expected\": [{\"type\": \"i32\", \"value\": \"7\"}]}";
        WastReport r = run("{\"type\": \"module\", \"line\": 1, \"name\": \"$A\", \"filename\": \"exports.wasm\"}",
                "{\"type\": \"register\", \"line\": 2, \"as\": \"M\"}",
                String.format(f, 3), module(4, "shares.wasm"), String.format(f, 5));
        assertEquals(new WastReport.Tally(1, 0, 1), r.byKind().get("assert_return"), r::toText);
        assertEquals(Map.of("threads (shared memory)", 2), r.skipsByReason(), r::toText);
        assertTrue(r.skips().get(1).message().contains("shares a table, memory or global"), r::toText);
    }

    @Test
    void findsTheModulesABinaryImportsATableMemoryOrMutableGlobalFrom() {
        // Imports: function A.f, table B.t, memory C.m (with a maximum), immutable global D.g, mutable global E.g.
        byte[] b = {0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 37, 5,
                1, 'A', 1, 'f', 0, 0, 1, 'B', 1, 't', 1, 0x70, 0, 1, 1, 'C', 1, 'm', 2, 1, 1, 2,
                1, 'D', 1, 'g', 3, 0x7F, 0, 1, 'E', 1, 'g', 3, 0x7F, 1};
        assertEquals(Set.of("B", "C", "E"), SharedImports.of(b));
        assertEquals(Set.of(), SharedImports.of(new byte[] {0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 2, 9, 1}));
    }

    @Test
    void namesSkipReasonsWithoutOffsetsOrSizes() {
        assertEquals("relaxed SIMD", SkipCommand.category("relaxed SIMD (opcode 0xfd 256)"));
        assertEquals("memory import", SkipCommand.category("memory import spectest.memory (a Cella module owns it)"));
        assertEquals("a function with N locals", SkipCommand.category("a function with 70000 locals"));
        assertEquals("reference types (more than one table)",
                SkipCommand.category("reference types (more than one table)"));
    }

    @Test
    void matchesTrapTextsByTheirKindsMessage() {
        assertTrue(WastSession.trapMatches(TrapKind.UNREACHABLE, "unreachable executed"));
        assertTrue(WastSession.trapMatches(TrapKind.OUT_OF_BOUNDS_MEMORY, "out of bounds memory access"));
        assertTrue(!WastSession.trapMatches(TrapKind.INTEGER_OVERFLOW, "integer divide by zero"));
    }

    @Test
    void convertsAWastScriptWithWast2json() throws IOException {
        // A stand-in for wast2json that writes a prepared conversion where -o says.
        Path prepared = script("{\"type\": \"module\", \"line\": 1, \"filename\": \"m.wasm\"},"
                + "{\"type\": \"assert_return\", \"line\": 2, \"action\": " + invoke("mul", 6, 7)
                + ", \"expected\": [{\"type\": \"i32\", \"value\": \"42\"}]}");
        Path tool = dir.resolve("fake-wast2json");
        Files.writeString(tool, "#!/bin/sh\n# usage: fake-wast2json SCRIPT -o OUT.json\nout=$3\n"
                + "cp " + prepared + " \"$out\"\ncp " + dir.resolve("m.wasm") + " \"$(dirname \"$out\")/m.wasm\"\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        Path wast = Files.writeString(dir.resolve("t.wast"), "(module)");
        WastReport r = new WastRunner(m -> Engines.create(m, EngineKind.INTERP), tool).run(wast);
        assertEquals(2, r.passed(), r::toText);
        assertEquals(wast.toString(), r.source());
    }

    @Test
    void saysWhatIsMissingWhenWast2jsonIsNotThere() throws IOException {
        Path wast = Files.writeString(dir.resolve("t.wast"), "(module)");
        WastException e = assertThrows(WastException.class,
                () -> new WastRunner(m -> Engines.create(m, EngineKind.INTERP), dir.resolve("no-wast2json")).run(wast));
        assertTrue(e.getMessage().contains("apt-get install wabt"), e.getMessage());
    }

    @Test
    void reportsAScriptThatWast2jsonRejects() throws IOException {
        Path tool = dir.resolve("failing-wast2json");
        Files.writeString(tool, "#!/bin/sh\necho 't.wast:1:2: error: unexpected token' >&2\nexit 1\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        Path wast = Files.writeString(dir.resolve("t.wast"), "(modul)");
        WastException e = assertThrows(WastException.class,
                () -> new WastRunner(m -> Engines.create(m, EngineKind.INTERP), tool).run(wast));
        assertTrue(e.getMessage().contains("unexpected token"), e.getMessage());
    }
}
