package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.SuspendRequest;
import java.io.ByteArrayOutputStream;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The checkpoint property: for generated programs and random checkpoint points, running to the
 * end equals checkpointing at the point, restoring from the checkpoint's bytes into a new cell
 * and running that to the end, on every engine: the same output, exit, fuel, counters and files.
 */
class CheckpointPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    private static Gen<Runs.EngineChoice> engines() {
        var available = java.util.List.of(Runs.EngineChoice.values());
        return integers().between(0, available.size() - 1).map(available::get);
    }

    @Test
    void checkpointRestoreAndResumeEqualsTheUninterruptedRun() {
        qt().withExamples(EXAMPLES)
                .forAll(longs().all().map(GuestGenerator::generate), integers().between(0, 1000), engines(), booleans().all())
                .checkAssert((program, permille, engine, deflate) -> {
                    Module module = Runs.assemble(program.source());
                    Runs.Ran expected = Runs.uninterrupted(module, engine);
                    long point = expected.result().accounting().fuelUsed() * permille / 1000;
                    String what = program + " on " + engine + " checkpointed at " + point;
                    ByteArrayOutputStream first = new ByteArrayOutputStream();
                    byte[] bytes;
                    try (Cell cell = Cell.create(engine.image.apply(module), Runs.config().stdout(first).build())) {
                        Optional<RunResult> ended = cell.run(SuspendRequest.atFuelUsed(point));
                        if (ended.isPresent()) {
                            assertEquals(1000, permille, what + ": ended before its point");
                            new Runs.Ran(ended.get(), Runs.text(first), Runs.file(cell.fileSystem(), "log.txt"))
                                    .assertSameAs(expected, what);
                            return;
                        }
                        // Past the point only by the charge of a bulk memory instruction that crossed it
                        // (SuspendRequest), which is at most the memory's size / 64.
                        long memory = cell.instance().memory() == null ? 0 : cell.instance().memory().size();
                        assertTrue(cell.instance().fuelUsed() <= point + dev.cella.vm.BulkWork.units(memory),
                                what + ": stopped past its point");
                        bytes = Checkpoint.capture(cell).toBytes(deflate);
                    }
                    ByteArrayOutputStream rest = new ByteArrayOutputStream();
                    Checkpoint checkpoint = Checkpoint.fromBytes(bytes, "checkpoint");
                    try (Cell restored = checkpoint.restore(engine.image.apply(module),
                            checkpoint.configBuilder().stdout(rest).build())) {
                        assertTrue(restored.isSuspended());
                        RunResult r = restored.resume(null).orElseThrow();
                        new Runs.Ran(r, Runs.text(first) + Runs.text(rest), Runs.file(restored.fileSystem(), "log.txt"))
                                .assertSameAs(expected, what);
                    }
                });
    }

    @Test
    void theCheckpointedCellItselfGoesOnUndisturbedAfterTheCapture() {
        qt().withExamples(Math.max(1, EXAMPLES / 4))
                .forAll(longs().all().map(GuestGenerator::generate), integers().between(0, 999))
                .checkAssert((program, permille) -> {
                    Module module = Runs.assemble(program.source());
                    Runs.Ran expected = Runs.uninterrupted(module, Runs.EngineChoice.INTERPRETER);
                    long point = expected.result().accounting().fuelUsed() * permille / 1000;
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    try (Cell cell = Cell.create(module, Runs.config().stdout(out).build())) {
                        assertFalse(cell.run(SuspendRequest.atFuelUsed(point)).isPresent());
                        Checkpoint.capture(cell);
                        RunResult r = cell.resume(null).orElseThrow();
                        new Runs.Ran(r, Runs.text(out), Runs.file(cell.fileSystem(), "log.txt"))
                                .assertSameAs(expected, program + " resumed in place at " + point);
                    }
                });
    }

    @Test
    void repeatedCheckpointsOfOneRunChainToTheUninterruptedResult() {
        qt().withExamples(Math.max(1, EXAMPLES / 8))
                .forAll(longs().all().map(GuestGenerator::generate), integers().between(2, 6))
                .checkAssert((program, pieces) -> {
                    Module module = Runs.assemble(program.source());
                    Runs.Ran expected = Runs.uninterrupted(module, Runs.EngineChoice.INTERPRETER);
                    long step = expected.result().accounting().fuelUsed() / pieces + 1;
                    StringBuilder printed = new StringBuilder();
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    Cell cell = Cell.create(module, Runs.config().stdout(out).build());
                    Optional<RunResult> ended = cell.run(SuspendRequest.atFuelUsed(step));
                    int restores = 0;
                    while (ended.isEmpty()) {
                        byte[] bytes = Checkpoint.capture(cell).toBytes(false);
                        cell.close();
                        printed.append(Runs.text(out));
                        out = new ByteArrayOutputStream();
                        Checkpoint c = Checkpoint.fromBytes(bytes, "piece " + restores);
                        cell = c.restore(c.configBuilder().stdout(out).build());
                        restores++;
                        ended = cell.resume(SuspendRequest.atFuelUsed(c.fuelUsed() + step));
                    }
                    printed.append(Runs.text(out));
                    new Runs.Ran(ended.get(), printed.toString(), Runs.file(cell.fileSystem(), "log.txt"))
                            .assertSameAs(expected, program + " in " + pieces + " pieces");
                    cell.close();
                    // A growth's charge (SuspendRequest: bulk charges may cross a point) can carry a
                    // piece past the next point, so only programs that never grow stop at every one.
                    boolean grows = program.source().contains("memory.grow");
                    assertTrue(grows || restores >= pieces - 1, program + ": only " + restores + " restores");
                });
    }
}
