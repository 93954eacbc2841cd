package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.cellaWithInput;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock bzip2 1.0.8 (examples/bzip2, built from unmodified sources) in a cell on the
 * interpreter: the equivalent of its own {@code make test} for sample1 at level 1, through a
 * mounted directory and through standard input and output. Its outputs must equal the reference
 * files byte for byte.
 */
class Bzip2ExampleTest {
    @TempDir
    Path tmp;

    private static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(Path.of(example("bzip2/" + name)));
    }

    @Test
    void compressesAndDecompressesFilesInAMountedDirectory() throws IOException {
        Files.write(tmp.resolve("sample1.ref"), sample("sample1.ref"));
        String mount = tmp + ":/d:rw";

        // -k keeps the input; the output gets the input's attributes (path_filestat_set_times).
        CliRunner.Result c = cella("run", "--engine", "interp", "--mount", mount,
                example("bzip2/bzip2.wasm"), "-1", "-k", "/d/sample1.ref");
        assertEquals(0, c.code(), c::toString);
        assertArrayEquals(sample("sample1.bz2"), Files.readAllBytes(tmp.resolve("sample1.ref.bz2")));
        assertArrayEquals(sample("sample1.ref"), Files.readAllBytes(tmp.resolve("sample1.ref")));

        // Without -k bzip2 deletes the input once the output is complete.
        Files.move(tmp.resolve("sample1.ref.bz2"), tmp.resolve("copy.bz2"));
        CliRunner.Result d = cella("run", "--engine", "interp", "--mount", mount,
                example("bzip2/bzip2.wasm"), "-d", "/d/copy.bz2");
        assertEquals(0, d.code(), d::toString);
        assertArrayEquals(sample("sample1.ref"), Files.readAllBytes(tmp.resolve("copy")));
        assertFalse(Files.exists(tmp.resolve("copy.bz2")));
    }

    @Test
    void compressesAndDecompressesAPipe() throws IOException {
        CliRunner.Result c = cellaWithInput(sample("sample1.ref"), "run", "--engine", "interp", "--stdin", "-",
                example("bzip2/bzip2.wasm"), "-1", "-c");
        assertEquals(0, c.code(), c::toString);
        assertArrayEquals(sample("sample1.bz2"), c.outBytes());

        CliRunner.Result d = cellaWithInput(sample("sample1.bz2"), "run", "--engine", "interp", "--stdin", "-",
                example("bzip2/bzip2.wasm"), "-dc");
        assertEquals(0, d.code(), d::toString);
        assertArrayEquals(sample("sample1.ref"), d.outBytes());
    }
}
