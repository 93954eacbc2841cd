package dev.cella.sandbox.checkpoint;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.SuspendRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Test helper: what {@code cella run --checkpoint-at FUEL --checkpoint-file F} and {@code cella
 * resume F} do (docs/checkpoint.md shows the commands), as calls the checkpoint tests make. The
 * command line itself lives in tools ({@code RunCommand}, {@code ResumeCommand}).
 */
final class CheckpointCli {
    private CheckpointCli() {}

    /**
     * How a run with a checkpoint point ended: either the program ended first ({@link #result}),
     * or it was checkpointed into {@link #file} and stopped.
     *
     * @param result the program's result if it ended before the point, else null
     * @param file the checkpoint written, or null if the program ended first
     * @param fuelUsed the fuel used when the run stopped (ended or checkpointed)
     * @param bytes the checkpoint file's size, or 0
     */
    public record Outcome(RunResult result, Path file, long fuelUsed, long bytes) {
        /** True if a checkpoint was written. */
        public boolean checkpointed() {
            return file != null;
        }
    }

    /**
     * Runs {@code module}'s program in a new cell with {@code config} until its fuel used would
     * pass {@code fuelPoint} (see {@link SuspendRequest#atFuelUsed}); there it writes a checkpoint
     * to {@code file} and stops the cell. A program that ends first ends as {@link Cell#run()}
     * would have it, and no file is written.
     *
     * @throws CheckpointException IO if the file cannot be written
     * @throws dev.cella.vm.LinkException as {@link Cell#create} does
     * @throws dev.cella.sandbox.QuotaExceeded as {@link Cell#create} does
     */
    public static Outcome runWithCheckpoint(Module module, CellConfig config, long fuelPoint, Path file, boolean deflate) {
        Objects.requireNonNull(file, "file");
        try (Cell cell = Cell.create(module, config)) {
            return checkpointOrEnd(cell, cell.run(SuspendRequest.atFuelUsed(fuelPoint)), file, deflate);
        }
    }

    /**
     * Restores the checkpoint in {@code file} and runs the program to its end. The configuration
     * is the checkpoint's program inputs ({@link Checkpoint#configBuilder()}) with what {@code
     * overrides} adds: stdio, and the quotas, mounts and grants, which the checkpoint never gives.
     *
     * @return the program's result, exactly as an uninterrupted run would have ended
     * @throws CheckpointException if the file is not a readable, intact checkpoint of this format,
     *     or does not fit the configuration (see {@link Checkpoint#restore(Module, CellConfig)})
     */
    public static RunResult resume(Path file, UnaryOperator<CellConfig.Builder> overrides) {
        Checkpoint checkpoint = Checkpoint.read(file);
        try (Cell cell = checkpoint.restore(overrides.apply(checkpoint.configBuilder()).build())) {
            return cell.resume(null).orElseThrow();
        }
    }

    /**
     * Restores the checkpoint in {@code file} and runs it until fuel point {@code fuelPoint}
     * again, where it writes a new checkpoint to {@code next} ({@code cella resume F
     * --checkpoint-at N --checkpoint-file G}); {@code next} may be {@code file} itself.
     *
     * @throws CheckpointException as {@link #resume} and {@link #runWithCheckpoint} do
     */
    public static Outcome resumeWithCheckpoint(Path file, UnaryOperator<CellConfig.Builder> overrides, long fuelPoint,
            Path next, boolean deflate) {
        Checkpoint checkpoint = Checkpoint.read(file);
        try (Cell cell = checkpoint.restore(overrides.apply(checkpoint.configBuilder()).build())) {
            return checkpointOrEnd(cell, cell.resume(SuspendRequest.atFuelUsed(fuelPoint)), next, deflate);
        }
    }

    private static Outcome checkpointOrEnd(Cell cell, Optional<RunResult> ended, Path file, boolean deflate) {
        if (ended.isPresent()) {
            return new Outcome(ended.get(), null, cell.instance().fuelUsed(), 0);
        }
        Checkpoint.capture(cell).write(file, deflate);
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new CheckpointException(CheckpointException.Kind.IO, "cannot read the size of " + file + ": " + e, e);
        }
        return new Outcome(null, file, cell.instance().fuelUsed(), bytes);
    }
}
