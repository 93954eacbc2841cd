package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.cellaWithInput;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.verify.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cella run x.wasm}, {@code cella import} and {@code cella wast}. */
class WasmCommandsTest {
    @TempDir
    Path tmp;

    private static final String WORDS = "pear\napple\nfig\napple\n";

    @Test
    void runTranslatesAWasmProgramOnTheFlyOnEveryEngine() {
        for (String engine : new String[] {"interp", "jit", "auto"}) {
            CliRunner.Result r = cellaWithInput(WORDS.getBytes(StandardCharsets.UTF_8), "run", "--engine", engine,
                    "--stdin", "-", example("wasm/sortlines.wasm"));
            assertEquals(0, r.code(), engine + ": " + r.err());
            assertEquals("apple\napple\nfig\npear\n", r.out(), engine);
        }
    }

    @Test
    void importWritesAVerifiedBinaryThatRunsLikeTheWasm() throws IOException {
        Path out = tmp.resolve("sortlines.cel");
        CliRunner.Result r = cella("import", example("wasm/sortlines.wasm"), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Verifier.verify(ModuleReader.read(Files.readAllBytes(out)));
        CliRunner.Result run = cellaWithInput(WORDS.getBytes(StandardCharsets.UTF_8), "run", "--stdin", "-",
                out.toString(), "-r");
        assertEquals(0, run.code(), run.err());
        assertEquals("pear\nfig\napple\napple\n", run.out());
    }

    @Test
    void importRejectsMalformedWasmNamingTheOffset() throws IOException {
        Path bad = tmp.resolve("bad.wasm");
        byte[] wasm = Files.readAllBytes(Path.of(example("wasm/sortlines.wasm")));
        byte[] truncated = java.util.Arrays.copyOf(wasm, 40);
        Files.write(bad, truncated);
        CliRunner.Result r = cella("import", bad.toString(), "-o", tmp.resolve("x.cel").toString());
        assertEquals(ExitCode.MALFORMED_BINARY.code, r.code(), r.err());
        assertTrue(r.err().contains("offset"), r.err());
    }

    @Test
    void importRefusesAFileThatIsNotWasm() {
        CliRunner.Result r = cella("import", example("hello.casm"));
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
    }

    @Test
    void wastRunsAConvertedScriptAndReportsPerKind() throws IOException {
        Path json = Path.of("../wasm-import/src/test/resources/wast/i32/i32.json");
        CliRunner.Result r = cella("wast", "--engine", "jit", json.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("assert_return"), r.out());
        assertTrue(r.out().contains("0 failed"), r.out());
    }

    @Test
    void wastOfAMissingFileIsMissingInput() {
        CliRunner.Result r = cella("wast", tmp.resolve("none.wast").toString());
        assertEquals(ExitCode.NO_INPUT.code, r.code(), r.err());
    }

    @Test
    void disasmShowsTheTranslationOfAWasmModule() throws IOException {
        CliRunner.Result r = cella("disasm", example("wasm/sortlines.wasm"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"wasi_snapshot_preview1\""), r.out().substring(0, 400));
        byte[] copy = Files.readAllBytes(Path.of(example("wasm/sortlines.wasm")));
        assertArrayEquals(new byte[] {0, 'a', 's', 'm'}, java.util.Arrays.copyOf(copy, 4));
    }
}
