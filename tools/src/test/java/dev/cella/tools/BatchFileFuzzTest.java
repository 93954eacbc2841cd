package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cella.tools.batch.BatchFile;
import dev.cella.tools.batch.BatchFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (issue 13, "tests that must exist"): mutated batch files either parse to a valid batch
 * or fail with a {@link BatchFileException} naming the file and line, never another exception; a
 * few mutated batches that parse run through {@code cella batch} without exit 70.
 */
class BatchFileFuzzTest {
    private static final int MUTANTS = 3000;
    /** Values a mutation puts in place of a value: huge, negative, malformed, paths that escape, NULs. */
    private static final String[] VALUES = {"", "0", "-1", "1e999", "1e-3", "99999999999999999999999", "9223372036854775807",
        "9223372036854775808", "18446744073709551616G", "1_000_000_000_000T", "0.5", "NaN", "Infinity", "1%", "1e2%",
        "\u0000", "a\u0000b", "/etc:/etc", "/:/", "/etc:/a/../..", "x:/:rw", "::", ":/a", "/a:", "..:/up:rw",
        "/etc:relative", "\"", "\"unterminated", "'", "fair", "static", "jit", "auto", "interp", "JIT", "10ms",
        "99999999999999999h", "1s", "copies=3", "#", "\t", "\r", "é", "\uFFFF", "\uD800"};
    private static final String[] KEYS = {"name", "binary", "args", "weight", "share", "fuel", "memory", "timeout",
        "engine", "stdin", "stdout", "stderr", "mount", "copies", "threads", "slice", "policy", "pool", "scheduler"};

    @TempDir
    Path tmp;

    /** A valid batch using every key, with guests that finish within their fuel. */
    private String valid() throws IOException {
        Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(tmp.resolve("out"));
        Files.writeString(tmp.resolve("in.txt"), "words\n");
        return "# a valid batch\n"
                + "scheduler threads=2 slice=10k policy=fair pool=64M\n"
                + "name=a binary=" + CliRunner.example("fib.casm") + " args=\"18\" weight=2 fuel=1M memory=1M"
                + " timeout=2s engine=interp stdout=out/a.txt\n"
                + "name=b binary=" + CliRunner.example("hello.casm") + " share=50% fuel=100k engine=jit"
                + " stdin=in.txt stderr=out/b.err mount=data:/data mount=out:/out:rw\n"
                + "name=c binary=" + CliRunner.example("args.casm") + " args=\"x 'two words'\" copies=2 fuel=200k"
                + " engine=auto timeout=500ms\n";
    }

    @Test
    void mutatedBatchFilesParseOrFailNamingTheirLine() throws IOException {
        String valid = valid();
        Path file = tmp.resolve("batch.txt");
        Random r = new Random(13);
        int parsed = 0;
        for (int i = 0; i < MUTANTS; i++) {
            String text = mutate(r, valid);
            try {
                check(BatchFile.parse(text, file), text);
                parsed++;
            } catch (BatchFileException e) {
                String message = e.getMessage();
                boolean namesLine = Pattern.compile("^" + Pattern.quote(file.toString()) + ":(\\d+): .+")
                        .matcher(message).find();
                boolean noGuest = message.equals(file + ": the batch describes no guest");
                assertTrue(namesLine || noGuest, "message without file:line: " + message + "\n--- batch ---\n" + text);
                assertFalse(message.contains("\n"), "one line: " + message);
            } catch (RuntimeException e) {
                fail("mutant " + i + " threw " + e + "\n--- batch ---\n" + text, e);
            }
        }
        assertTrue(parsed > MUTANTS / 20 && parsed < MUTANTS - MUTANTS / 20,
                "the mutations should give both valid and invalid batches: " + parsed + " of " + MUTANTS + " parsed");
    }

    @Test
    void mutatedBatchesThatRunNeverEndInAnInternalError() throws IOException {
        String valid = valid();
        Path file = tmp.resolve("batch.txt");
        Random r = new Random(70);
        int ran = 0;
        for (int tries = 0; ran < 8 && tries < 2000; tries++) {
            String text = mutate(r, valid);
            if (ran < 4 && !runsBriefly(text, file)) {
                continue; // half the runs are batches that parse and stay bounded in time
            }
            if (ran >= 4 && parses(text, file)) {
                continue; // the other half fail to parse or to load
            }
            Files.write(file, text.getBytes(StandardCharsets.UTF_8)); // a lone surrogate becomes '?'
            CliRunner.Result result = CliRunner.cella("batch", file.toString());
            assertNotEquals(ExitCode.INTERNAL.code, result.code(), text + "\n" + result);
            assertFalse(result.err().contains("at dev.cella") || result.err().contains("Exception"), text + "\n" + result);
            ran++;
        }
        assertEquals(8, ran, "found enough mutants of each kind");
    }

    private static boolean parses(String text, Path file) {
        try {
            BatchFile.parse(text, file);
            return true;
        } catch (BatchFileException e) {
            return false;
        }
    }

    /** True if the batch parses, every guest has a fuel and a timeout bound, and writes only under its directory. */
    private boolean runsBriefly(String text, Path file) {
        BatchFile b;
        try {
            b = BatchFile.parse(text, file);
        } catch (BatchFileException e) {
            return false;
        }
        if (b.guests().size() > 6) {
            return false;
        }
        for (BatchFile.Guest g : b.guests()) {
            boolean bounded = g.fuel() >= 0 && g.fuel() <= 2_000_000
                    || g.timeout() != null && g.timeout().compareTo(Duration.ofSeconds(2)) <= 0;
            boolean writesInside = (g.stdout() == null || g.stdout().startsWith(tmp))
                    && (g.stderr() == null || g.stderr().startsWith(tmp))
                    && g.mounts().stream().allMatch(m -> m.readOnly() || Path.of(m.hostPath()).startsWith(tmp));
            if (!bounded || !writesInside) {
                return false;
            }
        }
        return true;
    }

    /** The invariants of a parsed batch. */
    private static void check(BatchFile b, String text) {
        String[] lines = text.split("\r?\n", -1);
        assertFalse(b.guests().isEmpty(), text);
        Set<String> names = new HashSet<>();
        for (BatchFile.Guest g : b.guests()) {
            assertTrue(names.add(g.name()), "unique names: " + g.name());
            assertFalse(g.name().isEmpty(), "a cell needs a name (CellSpec)");
            assertTrue(g.line() >= 1 && g.line() <= lines.length, "line " + g.line());
            assertTrue(g.weight() >= 1, "weight " + g.weight());
            assertTrue(g.share() >= 0 && g.share() <= 1, "share " + g.share());
            assertTrue(g.fuel() >= -1 && g.memory() >= -1, "fuel " + g.fuel() + ", memory " + g.memory());
            assertTrue(g.timeout() == null || !g.timeout().isNegative(), "timeout " + g.timeout());
        }
        assertTrue(b.settings().threads() >= 0 && b.settings().sliceFuel() >= 0, "settings " + b.settings());
    }

    /** One to three edits of the text: lines, characters, values and keys. */
    private static String mutate(Random r, String text) {
        String s = text;
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            s = edit(r, s);
        }
        return s;
    }

    private static String edit(Random r, String s) {
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        int at = r.nextInt(lines.size());
        String line = lines.get(at);
        switch (r.nextInt(9)) {
            case 0 -> lines.remove(at);
            case 1 -> lines.add(r.nextInt(lines.size() + 1), line); // a duplicate line: names repeat
            case 2 -> {
                return s.substring(0, r.nextInt(s.length() + 1)); // truncation
            }
            case 3 -> {
                int i = r.nextInt(s.length() + 1); // a random character, NUL and controls included
                return s.substring(0, i) + (char) pick(r, 0, '"', '\'', '=', ' ', '#', '\n', r.nextInt(0x3000))
                        + s.substring(i);
            }
            case 4 -> { // a value replaced
                int eq = line.indexOf('=', r.nextInt(line.length() + 1));
                if (eq >= 0) {
                    int end = line.indexOf(' ', eq);
                    lines.set(at, line.substring(0, eq + 1) + VALUES[r.nextInt(VALUES.length)]
                            + (end < 0 ? "" : line.substring(end)));
                }
            }
            case 5 -> lines.set(at, line + " " + KEYS[r.nextInt(KEYS.length)] + "=" + VALUES[r.nextInt(VALUES.length)]);
            case 6 -> lines.set(at, line + " mount=" + VALUES[r.nextInt(VALUES.length)]);
            case 7 -> { // a character deleted
                if (!line.isEmpty()) {
                    int i = r.nextInt(line.length());
                    lines.set(at, line.substring(0, i) + line.substring(i + 1));
                }
            }
            default -> lines.set(at, line.replaceAll("name=\\w+", "name=" + pick(r, "a", "b", "c-1", "", "\u0000")));
        }
        return String.join("\n", lines);
    }

    private static int pick(Random r, int... options) {
        return options[r.nextInt(options.length)];
    }

    private static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }
}
