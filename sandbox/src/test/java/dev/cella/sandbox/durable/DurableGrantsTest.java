package dev.cella.sandbox.durable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.Stdin;
import dev.cella.sandbox.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed durable run takes mounts and quotas from its caller, never from the checkpoint:
 * files.casm (docs in the file) reads a read-only mount /in and writes a writable mount /out, and
 * a run of it that crashed is resumed without the mounts, with a smaller fuel budget, and with
 * the mounts on other host directories.
 */
class DurableGrantsTest {
    private static final Module FILES = DurableRunTest.resource("/checkpoint/files.casm");
    private static final String EXPECTED = "abcdWXYZefghwxyzijkl12340123456789" + "7";
    private static final String INPUT = "WXYZwxyz1234";

    @TempDir
    Path dir;

    /** The configuration with /in and /out on {@code host}'s subdirectories and {@code fuel}. */
    private static CellConfig config(Path host, long fuel) {
        return CellConfig.builder().mount(host.resolve("in"), "/in", true).mount(host.resolve("out"), "/out", false)
                .stdin(Stdin.of(INPUT)).fuel(fuel).build();
    }

    private Path hostDirs(String name) throws IOException {
        Path host = dir.resolve(name);
        Files.createDirectories(host.resolve("in"));
        Files.createDirectories(host.resolve("out"));
        Files.writeString(host.resolve("in").resolve("in.txt"), "abcdefghijklmnop");
        return host;
    }

    /** A copy of {@code from}'s files under a new directory {@code name}. */
    private Path copy(Path from, String name) {
        Path to = dir.resolve(name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    private static DurableRun.Builder run(CellConfig config, Ledger ledger) {
        return DurableRun.builder("files", FILES, config).segmentFuel(150).commitSink(ledger).outputSink(ledger);
    }

    private static Ledger copyOf(Ledger ledger) {
        Ledger c = new Ledger();
        c.committed.addAll(ledger.committed);
        c.released.addAll(ledger.released);
        return c;
    }

    @Test
    void aResumedRunTakesMountsAndQuotasFromItsCallerNotFromTheCheckpoint() throws IOException {
        Path first = hostDirs("first");
        Ledger ledger = new Ledger().crashAt(3, Ledger.Crash.STORED_THEN_THROWS);
        assertThrows(DurableRunException.class, () -> run(config(first, CellConfig.UNLIMITED), ledger).build().run());
        Segment last = ledger.last();
        assertEquals(3, last.seq());
        assertFalse(last.isFinal());
        assertFalse(ledger.lastReleased());
        String outAtCrash = Files.readString(first.resolve("out").resolve("out.txt"));

        // Without the mounts: the checkpoint brings none, so the restore is refused, releasing nothing.
        CheckpointException bare = assertThrows(CheckpointException.class,
                () -> run(CellConfig.builder().stdin(Stdin.of(INPUT)).build(), ledger).resumeFrom(last, false).build().run());
        assertEquals(CheckpointException.Kind.CONFIG_MISMATCH, bare.kind());
        assertFalse(ledger.lastReleased(), "a failed restore releases nothing");

        // A smaller fuel budget than the first run's: the caller's budget ends the program.
        Ledger poorer = copyOf(ledger);
        long budget = last.fuelUsed() + 300;
        Segment starved = run(config(copy(first, "starved"), budget), poorer).resumeFrom(last, false).build().run();
        assertEquals(Outcome.QUOTA_EXCEEDED, starved.ending().orElseThrow().outcome());
        assertTrue(starved.fuelUsed() <= budget, starved.toString());

        // The same mounts on other host directories (a copy, as another host would have): the
        // resumed run writes there, and the first run's directory is left as the crash left it.
        Path second = copy(first, "second");
        Segment end = run(config(second, CellConfig.UNLIMITED), ledger).resumeFrom(last, false).build().run();
        assertEquals(new Segment.Ending(Outcome.EXITED, 0, null), end.ending().orElseThrow());
        assertArrayEquals(EXPECTED.getBytes(StandardCharsets.UTF_8), ledger.stdout());
        assertEquals("abcdefghijkl", Files.readString(second.resolve("out").resolve("out.txt")));
        assertEquals(outAtCrash, Files.readString(first.resolve("out").resolve("out.txt")));
    }
}
