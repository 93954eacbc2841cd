package dev.cella.tools;

import static dev.cella.tools.CliRunner.cellaWithInput;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * zlib's minigzip built with {@code -msimd128} (examples/minigzip-simd): its vectorized deflate
 * must produce, in a cell on every engine, exactly the bytes the same sources built natively
 * produce, and inflate them back to the input.
 */
class MinigzipSimdExampleTest {
    private static byte[] file(String name) throws IOException {
        return Files.readAllBytes(Path.of(example(name)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"interp", "jit", "auto"})
    void compressesLikeTheNativeBuildAndDecompresses(String engine) throws IOException {
        byte[] input = file("bzip2/sample1.ref");
        byte[] nativeGz = file("minigzip-simd/sample1.ref.gz");
        CliRunner.Result c = cellaWithInput(input, "run", "--engine", engine, "--stdin", "-",
                example("minigzip-simd/minigzip.wasm"), "-9");
        assertEquals(0, c.code(), c::toString);
        assertArrayEquals(nativeGz, c.outBytes());

        CliRunner.Result d = cellaWithInput(nativeGz, "run", "--engine", engine, "--stdin", "-",
                example("minigzip-simd/minigzip.wasm"), "-d");
        assertEquals(0, d.code(), d::toString);
        assertArrayEquals(input, d.outBytes());
    }
}
