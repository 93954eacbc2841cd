package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cella run --checkpoint-at} and {@code cella resume}: the two halves make the whole run. */
class CheckpointCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void aRunCheckpointedAndResumedPrintsWhatTheWholeRunPrints() throws Exception {
        // The guest prints its argv[0] too: run a copy at a path of fixed length, so where the
        // checkpoint falls in the output does not depend on where the project is checked out.
        Path guest = Files.copy(Path.of(example("args.casm")), tmp.resolve("args.casm"));
        for (String engine : new String[] {"interp", "jit", "auto"}) {
            CliRunner.Result whole = cella("run", "--engine", engine, "--stats=json", guest.toString(), "one", "two",
                    "three");
            assertEquals(0, whole.code(), whole.err());
            Matcher fuel = Pattern.compile("\"fuelUsed\":(\\d+)").matcher(whole.err());
            assertTrue(fuel.find(), whole.err());
            long half = Long.parseLong(fuel.group(1)) / 2;
            Path file = tmp.resolve(engine + ".ckpt");
            CliRunner.Result first = cella("run", "--engine", engine, "--checkpoint-at", Long.toString(half),
                    "--checkpoint-file", file.toString(), guest.toString(), "one", "two", "three");
            assertEquals(0, first.code(), first.err());
            assertTrue(first.err().contains("checkpoint at fuel"), first.err());
            assertTrue(Files.exists(file));
            CliRunner.Result rest = cella("resume", file.toString());
            assertEquals(0, rest.code(), rest.err());
            assertEquals(whole.out(), first.out() + rest.out(), engine);
            assertTrue(!first.out().isEmpty() && !rest.out().isEmpty(),
                    "the checkpoint falls inside the output: " + first.out() + " | " + rest.out());
        }
    }

    @Test
    void resumeCarriesTheGuestsExitStatus() {
        Path file = tmp.resolve("trap.ckpt");
        CliRunner.Result first = cella("run", "--checkpoint-at", "5", "--checkpoint-file", file.toString(),
                example("trap.casm"));
        assertEquals(0, first.code(), first.err());
        CliRunner.Result rest = cella("resume", file.toString());
        assertEquals(ExitCode.TRAP.code, rest.code(), rest.err());
    }

    @Test
    void aCorruptCheckpointIsRejectedAsMalformed() throws IOException {
        Path file = tmp.resolve("fib.ckpt");
        assertEquals(0, cella("run", "--checkpoint-at", "1000", "--checkpoint-file", file.toString(),
                example("fib.casm"), "20").code());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(file, bytes);
        CliRunner.Result r = cella("resume", file.toString());
        assertEquals(ExitCode.MALFORMED_BINARY.code, r.code(), r.err());
        assertTrue(r.err().startsWith("cella: "), r.err());
    }

    @Test
    void theCheckpointOptionsGoTogether() {
        CliRunner.Result r = cella("run", "--checkpoint-at", "10", example("hello.casm"));
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
    }

    @Test
    void resumingAMissingFileIsMissingInput() {
        assertEquals(ExitCode.NO_INPUT.code, cella("resume", tmp.resolve("none").toString()).code());
    }
}
