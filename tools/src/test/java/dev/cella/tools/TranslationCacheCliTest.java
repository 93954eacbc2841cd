package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.cellaWithInput;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.tools.batch.BatchRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk cache of WebAssembly translations as {@code cella run} and {@code cella batch} use
 * it (docs/cli.md "Translation cache"): hit on the second run, never trusted, optional, and
 * never a reason for a run to fail.
 */
class TranslationCacheCliTest {
    @TempDir
    Path tmp;

    private static final byte[] INPUT = "b\nc\na\n".getBytes(StandardCharsets.UTF_8);

    /** {@code cella run --stats sortlines.wasm} with extra options; checks the output, returns standard error. */
    static String runSort(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--stdin", "-"));
        args.addAll(List.of(options));
        if (!args.contains("--stats=json")) {
            args.add("--stats");
        }
        args.add(example("wasm/sortlines.wasm"));
        CliRunner.Result r = cellaWithInput(INPUT, args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertEquals("a\nb\nc\n", r.out());
        return r.err();
    }

    private static List<Path> cached(Path dir) throws IOException {
        Path modules = dir.resolve("modules");
        if (!Files.isDirectory(modules)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(modules)) {
            return files.sorted().toList();
        }
    }

    @Test
    void theSecondRunReadsTheTranslationFromTheCache() throws IOException {
        Path dir = tmp.resolve("cache");
        assertTrue(runSort("--cache-dir", dir.toString()).contains("\nmodule          translated\n"));
        List<Path> files = cached(dir);
        assertEquals(1, files.size(), files.toString());
        assertTrue(files.get(0).getFileName().toString().matches("[0-9a-f]{64}-[0-9a-f]{16}\\.translation"), files.toString());
        assertTrue(runSort("--cache-dir", dir.toString()).contains("\nmodule          from cache\n"));
        assertTrue(runSort("--cache-dir", dir.toString(), "--stats=json").contains("\"module\":\"from cache\""));
    }

    @Test
    void aDamagedOrTamperedCacheFileIsAMissAndIsRewritten() throws IOException {
        Path dir = tmp.resolve("cache");
        runSort("--cache-dir", dir.toString());
        Path file = cached(dir).get(0);
        byte[] good = Files.readAllBytes(file);
        // Cut short, empty, a byte flipped in the checksum, the header, the middle and the end.
        List<byte[]> bad = new java.util.ArrayList<>();
        bad.add(java.util.Arrays.copyOf(good, good.length / 2));
        bad.add(new byte[0]);
        for (int at : new int[] {4, good.length / 3, good.length / 2, good.length - 1}) {
            byte[] b = good.clone();
            b[at] ^= (byte) 0x5a;
            bad.add(b);
        }
        for (byte[] b : bad) {
            Files.write(file, b);
            assertTrue(runSort("--cache-dir", dir.toString()).contains("\nmodule          translated\n"));
            assertArrayEquals(good, Files.readAllBytes(file), "a miss rewrites the file");
        }
        // A good file under another key's name is a miss too: the same program with a custom
        // section appended has another key.
        byte[] wasm = Files.readAllBytes(Path.of(example("wasm/sortlines.wasm")));
        byte[] other = java.util.Arrays.copyOf(wasm, wasm.length + 4);
        System.arraycopy(new byte[] {0, 2, 1, 'x'}, 0, other, wasm.length, 4);
        Path otherWasm = Files.write(tmp.resolve("other.wasm"), other);
        Path otherDir = tmp.resolve("other-cache");
        CliRunner.Result first = cellaWithInput(INPUT, "run", "--stdin", "-", "--cache-dir", otherDir.toString(),
                otherWasm.toString());
        assertEquals("a\nb\nc\n", first.out(), first.toString());
        Path otherFile = cached(otherDir).get(0);
        Files.copy(file, otherFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRunner.Result again = cellaWithInput(INPUT, "run", "--stdin", "-", "--stats", "--cache-dir",
                otherDir.toString(), otherWasm.toString());
        assertTrue(again.err().contains("module          translated"), again.toString());
        assertEquals(List.of(file), cached(dir), "no temporary files are left behind");
    }

    @Test
    void noCacheWritesNothing() throws IOException {
        Path dir = tmp.resolve("cache");
        assertTrue(runSort("--cache-dir", dir.toString(), "--no-cache").contains("module          translated"));
        assertFalse(Files.exists(dir));
    }

    @Test
    void anUnwritableCacheDirectoryDoesNotFailTheRun() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        for (int i = 0; i < 2; i++) {
            assertTrue(runSort("--cache-dir", notADir.toString()).contains("module          translated"));
        }
        assertEquals("x", Files.readString(notADir));
        Path readOnly = Files.createDirectories(tmp.resolve("ro"));
        assertTrue(readOnly.toFile().setWritable(false, false));
        try {
            runSort("--cache-dir", readOnly.toString());
            runSort("--cache-dir", readOnly.toString());
        } finally {
            readOnly.toFile().setWritable(true, false);
        }
    }

    @Test
    void batchUsesTheCache() throws IOException {
        Path dir = tmp.resolve("cache");
        Files.copy(Path.of(example("wasm/sortlines.wasm")), tmp.resolve("sort.wasm"));
        Path batch = Files.writeString(tmp.resolve("batch.txt"), "name=a binary=sort.wasm\nname=b binary=sort.wasm\n");
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int code = BatchRunner.run(batch, new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                    new dev.cella.images.TranslationCache(dir));
            assertEquals(BatchRunner.OK, code, bytes.toString(StandardCharsets.UTF_8));
            assertEquals(1, cached(dir).size());
        }
        assertEquals(0, cella("batch", "--no-cache", batch.toString()).code());
        assertEquals(1, cached(dir).size());
    }
}
