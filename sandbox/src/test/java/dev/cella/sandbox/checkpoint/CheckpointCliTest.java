package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.RunResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calls behind {@code cella run --checkpoint-at N --checkpoint-file F} and {@code cella resume F}. */
class CheckpointCliTest {
    private static final GuestGenerator.Program PROGRAM = GuestGenerator.generate(5);
    private static final Module MODULE = Runs.assemble(PROGRAM.source());

    @TempDir
    Path dir;

    @Test
    void runStopsAtThePointWritingAFileThatResumeRunsToTheEnd() throws IOException {
        for (EngineKind engine : EngineKind.values()) {
            Runs.Ran expected = Runs.uninterrupted(MODULE, Runs.EngineChoice.INTERPRETER);
            long point = expected.result().accounting().fuelUsed() / 2;
            Path file = dir.resolve(engine + ".ckpt");
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            CheckpointCli.Outcome o = CheckpointCli.runWithCheckpoint(MODULE, Runs.config().stdout(first).engine(engine)
                    .build(), point, file, true);
            assertTrue(o.checkpointed());
            assertNull(o.result());
            assertEquals(Files.size(file), o.bytes());
            assertTrue(o.fuelUsed() <= point && o.fuelUsed() > 0, "stopped at " + o.fuelUsed());
            assertEquals(o.fuelUsed(), Checkpoint.read(file).fuelUsed());
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            RunResult r = CheckpointCli.resume(file, b -> b.stdout(rest));
            assertEquals(expected.stdout(), Runs.text(first) + Runs.text(rest), engine.name());
            assertEquals(expected.result().exitStatus(), r.exitStatus());
            assertEquals(expected.result().accounting().fuelUsed(), r.accounting().fuelUsed());
        }
    }

    @Test
    void aProgramThatEndsBeforeThePointEndsAsUsualAndWritesNoFile() {
        Runs.Ran expected = Runs.uninterrupted(MODULE, Runs.EngineChoice.INTERPRETER);
        Path file = dir.resolve("never.ckpt");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointCli.Outcome o = CheckpointCli.runWithCheckpoint(MODULE, Runs.config().stdout(out).build(),
                expected.result().accounting().fuelUsed() + 1, file, false);
        assertFalse(o.checkpointed());
        assertFalse(Files.exists(file));
        assertEquals(expected.stdout(), Runs.text(out));
        assertEquals(expected.result().exitStatus(), o.result().exitStatus());
    }

    @Test
    void resumeCanCheckpointAgainIntoTheSameFile() {
        Runs.Ran expected = Runs.uninterrupted(MODULE, Runs.EngineChoice.INTERPRETER);
        long total = expected.result().accounting().fuelUsed();
        Path file = dir.resolve("chain.ckpt");
        StringBuilder printed = new StringBuilder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(CheckpointCli.runWithCheckpoint(MODULE, Runs.config().stdout(out).build(), total / 3, file, false)
                .checkpointed());
        printed.append(Runs.text(out));
        ByteArrayOutputStream middle = new ByteArrayOutputStream();
        CheckpointCli.Outcome again = CheckpointCli.resumeWithCheckpoint(file, b -> b.stdout(middle), 2 * total / 3, file,
                false);
        assertTrue(again.checkpointed());
        assertTrue(again.fuelUsed() > total / 3, "made progress: " + again.fuelUsed());
        printed.append(Runs.text(middle));
        ByteArrayOutputStream last = new ByteArrayOutputStream();
        RunResult r = CheckpointCli.resume(file, b -> b.stdout(last));
        printed.append(Runs.text(last));
        assertEquals(expected.stdout(), printed.toString());
        assertEquals(total, r.accounting().fuelUsed());
    }
}
