package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.Stdin;
import dev.cella.vm.SuspendRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Descriptors and files across a checkpoint, at every point of a run of files.casm: an unlinked
 * file a descriptor still holds, a hole in the descriptor table, offsets in a read-only host file
 * and a writable one (host files are opened again by path, never copied), and stdin's position.
 */
class CheckpointFilesTest {
    private static final String EXPECTED = "abcdWXYZefghwxyzijkl12340123456789" + "7";
    private static final String INPUT = "WXYZwxyz1234";

    @TempDir
    Path dir;

    private static Module module() {
        try (InputStream in = CheckpointFilesTest.class.getResourceAsStream("/checkpoint/files.casm")) {
            return Runs.assemble(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh /in (holding in.txt) and empty /out for trial {@code name}. */
    private CellConfig.Builder config(String name, ByteArrayOutputStream stdout) throws IOException {
        Path in = Files.createDirectories(dir.resolve(name).resolve("in"));
        Path out = Files.createDirectories(dir.resolve(name).resolve("out"));
        Files.writeString(in.resolve("in.txt"), "abcdefghijklmnop");
        return CellConfig.builder().mount(in, "/in", true).mount(out, "/out", false).stdin(Stdin.of(INPUT))
                .stdout(stdout);
    }

    private Path out(String name) {
        return dir.resolve(name).resolve("out").resolve("out.txt");
    }

    @Test
    void everyCheckpointPointRestoresDescriptorsOffsetsAndFiles() throws IOException {
        Module module = module();
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        long total;
        try (Cell cell = Cell.create(module, config("whole", whole).build())) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome(), r.accounting().ending());
            total = r.accounting().fuelUsed();
        }
        assertEquals(EXPECTED, Runs.text(whole));
        assertEquals("abcdefghijkl", Files.readString(out("whole")));
        int trials = 0;
        for (long point = 0; point < total; point += Math.max(1, total / 60)) {
            String name = "at" + point;
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            byte[] bytes;
            try (Cell cell = Cell.create(module, config(name, first).build())) {
                Optional<RunResult> ended = cell.run(SuspendRequest.atFuelUsed(point));
                assertTrue(ended.isEmpty(), "ended before " + point);
                bytes = Checkpoint.capture(cell).toBytes(false);
            }
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            Checkpoint c = Checkpoint.fromBytes(bytes, name);
            // The restore gives the mounts itself (a checkpoint grants nothing): the same directories.
            try (Cell cell = c.restore(c.configBuilder().mount(dir.resolve(name).resolve("in"), "/in", true)
                    .mount(dir.resolve(name).resolve("out"), "/out", false).stdin(Stdin.of(INPUT)).stdout(rest).build())) {
                RunResult r = cell.resume(null).orElseThrow();
                assertEquals(Outcome.EXITED, r.outcome(), name + ": " + r.accounting().ending());
                assertEquals(total, r.accounting().fuelUsed(), name);
            }
            assertEquals(EXPECTED, Runs.text(first) + Runs.text(rest), name);
            assertEquals("abcdefghijkl", Files.readString(out(name)), name + ": the host file");
            trials++;
        }
        assertTrue(trials >= 50, "only " + trials + " points tried");
    }

    @Test
    void aMountAtTheRootAndTheHostFileUnderItCarryOver() throws IOException {
        GuestGenerator.Program program = GuestGenerator.generate(21);
        Module module = Runs.assemble(program.source());
        Path whole = Files.createDirectories(dir.resolve("root-whole"));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        long total;
        try (Cell cell = Cell.create(module, CellConfig.builder().mount(whole, "/", false).stdout(expected).build())) {
            total = cell.run().accounting().fuelUsed();
        }
        for (int k = 1; k < 6; k++) {
            long point = total * k / 6;
            Path root = Files.createDirectories(dir.resolve("root-" + k));
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            byte[] bytes;
            try (Cell cell = Cell.create(module, CellConfig.builder().mount(root, "/", false).stdout(first).build())) {
                assertTrue(cell.run(SuspendRequest.atFuelUsed(point)).isEmpty(), program + " ended before " + point);
                bytes = Checkpoint.capture(cell).toBytes(false);
            }
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            Checkpoint c = Checkpoint.fromBytes(bytes, "root mount");
            try (Cell cell = c.restore(c.configBuilder().mount(root, "/", false).stdout(rest).build())) {
                assertEquals(total, cell.resume(null).orElseThrow().accounting().fuelUsed());
            }
            assertEquals(Runs.text(expected), Runs.text(first) + Runs.text(rest), program + " at " + point);
            assertEquals(Files.readString(whole.resolve("log.txt")), Files.readString(root.resolve("log.txt")),
                    program + " at " + point + ": the host file");
        }
    }
}
