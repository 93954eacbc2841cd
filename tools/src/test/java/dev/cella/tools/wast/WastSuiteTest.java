package dev.cella.tools.wast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Engines;
import dev.cella.vm.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs our own WebAssembly scripts on the interpreter, the JIT and the tiered engine: every
 * command must pass, none may be skipped. The scripts are the importer's test data and stay in
 * wasm-import (src/test/wast, converted by its regen.sh into src/test/resources/wast, which
 * wasm-import's own tests read too); the build passes their folder as {@code cella.wasm.tests}.
 */
class WastSuiteTest {
    /** The scripts, by name; every converted script must be listed, so none is silently left out. */
    private static final List<String> SCRIPTS = List.of("binary", "br_table_large", "bulk", "calls", "control",
            "conversions", "exceptions", "float", "i32", "i64", "memory", "quality", "tag_linking", "translation",
            "v128_signatures");

    /** wasm-import's src/test folder. */
    static final Path TESTS = Path.of(System.getProperty("cella.wasm.tests", "../wasm-import/src/test"));

    static Path resource(String name) {
        Path json = TESTS.resolve("resources/wast/" + name + "/" + name + ".json");
        if (!Files.isRegularFile(json)) {
            throw new AssertionError("missing test resource " + json + " (run wasm-import/src/test/wast/regen.sh)");
        }
        return json;
    }

    private static Stream<DynamicTest> suite(String engine, Function<Module, Engine> engines) {
        WastRunner runner = new WastRunner(engines);
        return SCRIPTS.stream().map(name -> DynamicTest.dynamicTest(name + ".wast passes on the " + engine, () -> {
            WastReport report = runner.runJson(resource(name));
            assertEquals(0, report.failed(), report::toText);
            assertEquals(0, report.skipped(), report::toText);
            assertTrue(report.passed() >= 5, report::toText);
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyScriptPassesOnTheInterpreter() {
        return suite("interpreter", m -> Engines.create(m, EngineKind.INTERP));
    }

    @TestFactory
    Stream<DynamicTest> everyScriptPassesOnTheJit() {
        return suite("JIT", m -> Engines.create(m, EngineKind.JIT));
    }

    @TestFactory
    Stream<DynamicTest> everyScriptPassesOnTheTieredEngine() {
        return suite("tiered engine", m -> Engines.create(m, EngineKind.AUTO));
    }

    @Test
    void everyScriptSourceHasItsConvertedFormAndIsRun() throws IOException {
        Path dir = resource("i32").getParent().getParent();
        try (Stream<Path> converted = Files.list(dir)) {
            assertEquals(SCRIPTS, converted.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> sources = Files.list(TESTS.resolve("wast"))) {
            assertEquals(SCRIPTS, sources.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".wast")).map(n -> n.substring(0, n.length() - 5)).sorted().toList());
        }
    }
}
