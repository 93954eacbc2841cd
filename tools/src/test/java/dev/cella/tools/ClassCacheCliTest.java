package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JIT's class cache as {@code cella run} uses it (docs/cli.md "Class cache"): the second run
 * defines the classes the first generated, {@code --stats} says how many, a damaged file is a
 * miss, and {@code --no-cache} keeps none.
 */
class ClassCacheCliTest {
    @TempDir
    Path tmp;

    private static final Pattern LINE = Pattern.compile("\nclasses +(\\d+) functions from the class cache, (\\d+) generated\n");

    /** {@code cella run --engine jit --stats sortlines.wasm} with extra options; its standard error. */
    private static String runSort(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("--engine", "jit"));
        args.addAll(List.of(options));
        return TranslationCacheCliTest.runSort(args.toArray(String[]::new));
    }

    /** The two counts of the {@code classes} line of {@code --stats}. */
    private static int[] counts(String stats) {
        Matcher m = LINE.matcher(stats);
        assertTrue(m.find(), stats);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("classes"))) {
            return s.toList();
        }
    }

    @Test
    void theSecondRunDefinesTheClassesTheFirstGenerated() throws IOException {
        Path dir = tmp.resolve("cache");
        int[] first = counts(runSort("--cache-dir", dir.toString()));
        assertEquals(0, first[0]);
        assertTrue(first[1] > 0);
        List<Path> files = files(dir);
        assertEquals(1, files.size(), files.toString());
        assertTrue(files.get(0).getFileName().toString().matches("wasm-[0-9a-f]{64}-[0-9a-f]{16}-[0-9a-f]{16}f\\d+\\.classes"),
                files.toString());
        assertEquals(first[1], counts(runSort("--cache-dir", dir.toString()))[0]);
        assertTrue(runSort("--cache-dir", dir.toString(), "--stats=json")
                .contains("\"classCache\":{\"fromCache\":" + first[1] + ",\"generated\":0}"));

        // A damaged file is a miss: the classes are generated again and the file rewritten.
        byte[] good = Files.readAllBytes(files.get(0));
        byte[] bad = good.clone();
        bad[good.length / 2] ^= 0x20;
        Files.write(files.get(0), bad);
        assertEquals(0, counts(runSort("--cache-dir", dir.toString()))[0]);
        assertEquals(first[1], counts(runSort("--cache-dir", dir.toString()))[0]);
        assertEquals(1, files(dir).size(), "no temporary files are left behind");
    }

    private static final Pattern CODE = Pattern.compile(
            "\ncode +(\\d+) classes, (\\d+) KB: class cache (\\d+) ms, generating (\\d+) ms, defining (\\d+) ms \\(CPU\\)\n");

    /**
     * The {@code code} line of {@code --stats} counts the classes defined in both runs, generated
     * in the first and taken from the class cache in the second (docs/cli.md, "Engine debugging").
     */
    @Test
    void theCodeLineCountsTheClassesDefinedWhereverTheyCameFrom() {
        Path dir = tmp.resolve("cache");
        Matcher first = CODE.matcher(runSort("--cache-dir", dir.toString()));
        assertTrue(first.find());
        Matcher second = CODE.matcher(runSort("--cache-dir", dir.toString()));
        assertTrue(second.find());
        assertTrue(Integer.parseInt(first.group(1)) > 0, first.group());
        assertEquals(first.group(1), second.group(1), "the same classes, defined from the cache");
        String json = runSort("--cache-dir", dir.toString(), "--stats=json");
        assertTrue(json.matches("(?s).*\"code\":\\{\"classes\":" + first.group(1)
                + ",\"bytes\":\\d+,\"cacheNanos\":\\d+,\"generateNanos\":\\d+,\"defineNanos\":\\d+}.*"), json);
    }

    @Test
    void noCacheKeepsNoClasses() {
        Path dir = tmp.resolve("cache");
        String stats = runSort("--cache-dir", dir.toString(), "--no-cache");
        assertFalse(stats.contains("\nclasses "), stats);
        assertFalse(Files.exists(dir));
    }
}
