package dev.cella.bench.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.wasm.WasmImporter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every corpus program runs on Cella's interpreter with its small arguments and prints exactly
 * what the native build printed (expected/NAME.test.out), so a committed module, a manifest line
 * or an engine change that breaks a real program fails the build. (The timed runs of
 * `bin/bench corpus` check their own outputs the same way.)
 */
class CorpusTest {
    /** Surefire runs in the module directory, where the corpus is. */
    private static final Path DIR = Path.of("corpus");

    /** Translated modules by file: Lua and QuickJS serve several runs, translated once. */
    private static final Map<String, Module> MODULES = new HashMap<>();

    @Test
    void manifestListsEveryProgramWithItsExpectedOutputs() {
        List<Corpus.Program> programs = Corpus.load(DIR);
        assertFalse(programs.isEmpty());
        for (Corpus.Program p : programs) {
            assertFalse(p.expected(false).length == 0, p.name());
            assertFalse(p.expected(true).length == 0, p.name());
        }
    }

    @TestFactory
    Stream<DynamicTest> eachProgramPrintsTheNativeOutputOnTheInterpreter() {
        return Corpus.load(DIR).stream().map(p -> DynamicTest.dynamicTest(p.name(), () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            RunResult r = Cell.create(MODULES.computeIfAbsent(p.wasm(), w -> WasmImporter.translate(p.wasmBytes())),
                    p.config(p.testArgs(), EngineKind.INTERP, out, err)).run();
            String diagnosis = r + " stderr: " + err.toString(StandardCharsets.UTF_8);
            assertEquals(Outcome.EXITED, r.outcome(), diagnosis);
            assertEquals(0, r.exitStatus(), diagnosis);
            assertEquals(new String(p.expected(true), StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8),
                    p.name());
        }));
    }
}
