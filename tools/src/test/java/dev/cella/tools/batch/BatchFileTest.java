package dev.cella.tools.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.MemoryPool;
import dev.cella.sandbox.sched.SchedulingPolicy;
import dev.cella.tools.MountSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch file format: every key, the value syntaxes, and errors that name file and line. */
class BatchFileTest {
    private static final Path FILE = Path.of("/jobs/batch.txt");

    private static BatchFile parse(String text) {
        return BatchFile.parse(text, FILE);
    }

    private static void assertRejected(String text, String message) {
        BatchFileException e = assertThrows(BatchFileException.class, () -> parse(text));
        assertTrue(e.getMessage().contains(message), "message: " + e.getMessage());
    }

    @Test
    void parsesEveryGuestKeyAndResolvesPathsAgainstTheBatchDirectory() {
        BatchFile b = parse("""
                # a comment line, then a guest with every key
                name=big binary=guests/fib.casm args="27 'two words' x" weight=2 fuel=5G memory=16M \
                timeout=1500ms engine=jit stdin=in.txt stdout=out/big.txt stderr=/tmp/big.err mount=data:/data:ro \
                mount=/scratch:/scratch:rw mount=/ref:/ref  # and a trailing comment
                """.replace("\\\n", ""));
        assertEquals(1, b.guests().size());
        BatchFile.Guest g = b.guests().get(0);
        assertEquals(2, g.line());
        assertEquals("big", g.name());
        assertEquals(Path.of("/jobs/guests/fib.casm"), g.binary());
        assertEquals("guests/fib.casm", g.argv0());
        assertEquals(List.of("27", "two words", "x"), g.args());
        assertEquals(2, g.weight());
        assertEquals(5_000_000_000L, g.fuel());
        assertEquals(16L << 20, g.memory());
        assertEquals(Duration.ofMillis(1500), g.timeout());
        assertEquals(EngineKind.JIT, g.engine());
        assertEquals(Path.of("/jobs/in.txt"), g.stdin());
        assertEquals(Path.of("/jobs/out/big.txt"), g.stdout());
        assertEquals(Path.of("/tmp/big.err"), g.stderr());
        assertEquals(List.of(new MountSpec("/jobs/data", "/data", true), new MountSpec("/scratch", "/scratch", false),
                new MountSpec("/ref", "/ref", true)), g.mounts(), "read-only unless :rw, as for cella run --mount");
    }

    @Test
    void defaultsApplyToKeysLeftOut() {
        BatchFile b = parse("binary=spin.cel\n");
        BatchFile.Guest g = b.guests().get(0);
        assertEquals("spin#1", g.name());
        assertEquals(List.of(), g.args());
        assertEquals(1, g.weight());
        assertEquals(0, g.share());
        assertEquals(-1, g.fuel());
        assertEquals(-1, g.memory());
        assertNull(g.timeout());
        assertEquals(EngineKind.INTERP, g.engine());
        assertNull(g.stdout());
        assertEquals(new BatchFile.Settings(0, 0, SchedulingPolicy.FAIR_SHARE, MemoryPool.UNLIMITED), b.settings());
    }

    @Test
    void schedulerLineSetsThreadsSlicePolicyAndPool() {
        BatchFile b = parse("""
                scheduler threads=3 slice=2M policy=static pool=1GiB
                name=a binary=a.casm share=25%
                name=b binary=b.casm share=0.5
                """);
        assertEquals(new BatchFile.Settings(3, 2_000_000, SchedulingPolicy.STATIC, 1L << 30), b.settings());
        assertEquals(0.25, b.guests().get(0).share(), 1e-12);
        assertEquals(0.5, b.guests().get(1).share(), 1e-12);
    }

    @Test
    void copiesExpandIntoNumberedGuests() {
        BatchFile b = parse("name=w binary=w.casm copies=3 weight=4\nname=x binary=x.casm\n");
        assertEquals(List.of("w-1", "w-2", "w-3", "x"), b.guests().stream().map(BatchFile.Guest::name).toList());
        assertTrue(b.guests().stream().limit(3).allMatch(g -> g.weight() == 4 && g.line() == 1));
    }

    @Test
    void numbersTakeSeparatorsExponentsAndSuffixes() {
        assertEquals(1_000_000_000L, parse("binary=a fuel=1e9").guests().get(0).fuel());
        assertEquals(1_500_000L, parse("binary=a fuel=1.5M").guests().get(0).fuel());
        assertEquals(12_345L, parse("binary=a fuel=12_345").guests().get(0).fuel());
        assertEquals(3_000L, parse("binary=a fuel=3k").guests().get(0).fuel());
        assertEquals(512L << 10, parse("binary=a memory=512K").guests().get(0).memory());
        assertEquals(2L << 30, parse("binary=a memory=2G").guests().get(0).memory());
        assertEquals(100L, parse("binary=a memory=100B").guests().get(0).memory());
        assertEquals(Duration.ofMinutes(2), parse("binary=a timeout=2m").guests().get(0).timeout());
        assertEquals(Duration.ofHours(1), parse("binary=a timeout=1h").guests().get(0).timeout());
    }

    @Test
    void quotedValuesKeepSpacesAndEscapes() {
        BatchFile b = parse("name=\"with space\" binary=\"dir with space/g.casm\" args=\"say \\\"hi\\\"\"\n");
        BatchFile.Guest g = b.guests().get(0);
        assertEquals("with space", g.name());
        assertEquals(Path.of("/jobs/dir with space/g.casm"), g.binary());
        assertEquals(List.of("say", "\"hi\""), g.args());
    }

    @Test
    void errorsNameTheFileAndLine() {
        assertRejected("binary=a\nname=b binary=b wieght=2\n", "/jobs/batch.txt:2: unknown key 'wieght'");
        assertRejected("\n\nname=b args=1\n", "batch.txt:3: a guest needs binary=FILE");
        assertRejected("name=a binary=a\nname=a binary=b\n", "batch.txt:2: a guest named 'a' already exists");
        assertRejected("binary=a weight=0\n", "batch.txt:1: weight must be from 1 to 1000000, not 0");
        assertRejected("binary=a fuel=lots\n", "batch.txt:1: fuel must be a whole number, not 'lots'");
        assertRejected("binary=a fuel=1.5\n", "fuel must be a whole number, not '1.5'");
        assertRejected("binary=a fuel=-5\n", "fuel must not be negative");
        assertRejected("binary=a memory=12X\n", "memory must be a whole number, not '12X'");
        assertRejected("binary=a share=150%\n", "share must be in (0, 1]");
        assertRejected("binary=a timeout=10\n", "timeout must be a whole number with ms, s, m or h");
        assertRejected("binary=a engine=fast\n", "batch.txt:1: 'fast' is not an engine (expected interp, jit or auto)");
        assertRejected("binary=a args=\"open\n", "batch.txt:1: unterminated quote starting at column 15");
        assertRejected("binary=a args=\"x\"y\n", "expected a space after the closing quote");
        assertRejected("binary=a weight=2 weight=3\n", "key 'weight' given twice");
        assertRejected("binary=a lonely\n", "expected key=value, found 'lonely'");
        assertRejected("binary=a mount=nocolon\n", "batch.txt:1: 'nocolon' is not a mount (expected HOST:GUEST");
        assertRejected("binary=a mount=d:rel\n", "the guest path 'rel' must be absolute");
        assertRejected("binary=a args=\"'half\"\n", "unterminated single quote in args");
        assertRejected("scheduler policy=random\nbinary=a\n", "batch.txt:1: policy must be fair or static");
        assertRejected("scheduler threads=2\nscheduler slice=1M\nbinary=a\n", "batch.txt:2: a second scheduler line");
        assertRejected("scheduler threads=0\nbinary=a\n", "threads must be from 1 to 4096");
        assertRejected("scheduler binary=a\n", "unknown key 'binary'");
        assertRejected("# nothing\n\n", "the batch describes no guest");
    }

    @Test
    void aMissingBatchFileIsMissingInput(@TempDir Path dir) {
        BatchFileException e = assertThrows(BatchFileException.class, () -> BatchFile.read(dir.resolve("none.txt")));
        assertTrue(e.missingInput());
        assertTrue(e.getMessage().startsWith("cannot read batch file"), e.getMessage());
    }

    @Test
    void readsAFileFromDisk(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.txt");
        Files.writeString(f, "name=x binary=x.casm\r\nname=y binary=sub/y.cel\r\n");
        BatchFile b = BatchFile.read(f);
        assertEquals(dir.resolve("sub/y.cel").toAbsolutePath(), b.guests().get(1).binary());
        assertEquals(2, b.guests().get(1).line());
    }

    @Test
    void aNulInAPathIsAnErrorNamingTheLine() {
        // A NUL made Path.resolve throw InvalidPathException out of the parser (exit 70): found by BatchFileFuzzTest.
        assertRejected("binary=hello.casm\nbinary=a\u0000b.casm\n", "batch.txt:2: binary is not a valid path");
        assertRejected("binary=hello.casm stdout=out\u0000.txt\n", "batch.txt:1: stdout is not a valid path");
        assertRejected("binary=hello.casm stdin=\"a\u0000\"\n", "batch.txt:1: stdin is not a valid path");
    }

    @Test
    void aBinaryThatNamesNoFileIsAnErrorNamingTheLine() {
        // The default name is the binary's stem; "/" has none and the parser threw NullPointerException
        // (exit 70): found by BatchFileFuzzTest.
        assertRejected("binary=/\n", "batch.txt:1: binary '/' names no file");
        assertRejected("binary=a.casm\nbinary=../../../..\n", "batch.txt:2: binary '../../../..' names no file");
    }

    @Test
    void anEmptyNameIsAnErrorNamingTheLine() {
        // The scheduler refuses an empty cell name, which cella batch reported as exit 70: found by BatchFileFuzzTest.
        assertRejected("binary=a.casm\nname= binary=a.casm\n", "batch.txt:2: name must not be empty");
        assertRejected("name=\"\" binary=a.casm copies=2\n", "batch.txt:1: name must not be empty");
    }

    @Test
    void anyWeightFuelAndMemoryWrittenOutParsesBack() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200))
                .forAll(integers().between(1, CellSpec.MAX_WEIGHT), longs().between(0, Long.MAX_VALUE / 2),
                        longs().between(0, (1L << 40)))
                .checkAssert((weight, fuel, kib) -> {
                    String fuelText = String.format("%,d", fuel).replace(',', '_');
                    BatchFile.Guest g = parse("binary=g.casm weight=" + weight + " fuel=" + fuelText + " memory="
                            + kib + "K").guests().get(0);
                    assertEquals((int) weight, g.weight());
                    assertEquals((long) fuel, g.fuel());
                    assertEquals(kib * 1024, g.memory());
                });
    }
}
