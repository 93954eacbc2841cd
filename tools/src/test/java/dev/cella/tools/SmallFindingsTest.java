package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 7 (the parts about limits and malformed input): each input gives one clean
 * line and the exit code docs/cli.md gives its kind, never 70.
 */
class SmallFindingsTest {
    @TempDir
    Path tmp;

    private static void assertFailure(CliRunner.Result r, int code, String expected) {
        assertEquals(code, r.code(), r::toString);
        assertTrue(r.err().startsWith("cella: ") && r.err().contains(expected), r::toString);
        assertFalse(r.err().contains("internal error") || r.err().contains("\tat "), r::toString);
    }

    @Test
    void aCallDepthOverTheEnginesCapIsRefusedNamingTheMaximum() {
        CliRunner.Result r = cella("run", "--max-call-depth", "100000000", example("fib.casm"), "3");
        assertFailure(r, ExitCode.USAGE.code, "4194304");
        assertEquals("2\n", cella("run", "--max-call-depth", "4194304", example("fib.casm"), "3").out());
    }

    @Test
    void aNulByteInAnyArgumentIsAUsageError() {
        assertFailure(cella("run", example("args.casm"), "a\0b"), ExitCode.USAGE.code, "NUL");
        assertFailure(cella("run", "--env", "A=x\0y", example("args.casm")), ExitCode.USAGE.code, "NUL");
        for (String[] args : new String[][] {
            {"run", example("args.casm") + "\0x"},
            {"run", "--stdin", "in\0put", example("hello.casm")},
            {"run", "--mount", "a\0b:/in", example("hello.casm")},
            {"run", "--checkpoint-at", "5", "--checkpoint-file", "f\0", example("hello.casm")},
            {"resume", "f\0.ckpt"},
            {"verify", "x\0.casm"},
        }) {
            CliRunner.Result r = cella(args);
            assertTrue(r.code() == ExitCode.USAGE.code || r.code() == ExitCode.NO_INPUT.code, r::toString);
            assertFalse(r.err().contains("internal error"), r::toString);
        }
    }

    @Test
    void aWasmFileWithADamagedMagicIsOneLineOfMalformedWasm() throws IOException {
        Path bad = Files.write(tmp.resolve("bad.wasm"), new byte[] {0, 'a', 's', 'x', 1, 0, 0, 0});
        CliRunner.Result r = cella("run", bad.toString());
        assertFailure(r, ExitCode.MALFORMED_BINARY.code, "offset 0");
        assertEquals(1, r.err().lines().count(), r::toString);
    }
}
