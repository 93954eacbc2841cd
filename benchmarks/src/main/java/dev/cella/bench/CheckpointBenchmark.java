package dev.cella.bench;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.durable.Segment;
import dev.cella.vm.SuspendRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Checkpoint and restore of a cell with 16 MiB of memory, every page written (with a sequence
 * that does not compress, so the figure is not flattered): capturing the suspended cell,
 * writing the checkpoint file, and reading the file back into a new, suspended cell; and the
 * pause of a durable run at a segment's end (docs/durable.md): capture, encode with a key, make
 * the segment, and its wire form. The file's size, exact and the same every time, is printed once
 * by the set-up (CheckpointSizeTest checks it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CheckpointBenchmark {
    /** Fills the 256 pages with a non-zero, incompressible pattern, then spins. */
    static final String FILL_16_MIB = """
            memory 256 256
            export func main "_start"
            func main() {
                reg a: i32, end: i32, eight: i32, v: i64, step: i64, n: i32, one: i32
                i32.const end, 16777216
                i32.const eight, 8
                i64.const v, 0x0123456789ABCDEF
                i64.const step, 0x9E3779B97F4A7C15
            fill:
                i32.br_ge_u a, end, filled
                i64.store a, 0, v
                i64.add v, v, step
                i32.add a, a, eight
                br fill
            filled:
                i32.const n, 100000
                i32.const one, 1
            spin:
                i32.sub n, n, one
                br_if n, spin
                ret
            }
            """;

    /** Fuel after which the memory is full (5 units per 8 bytes and the entry block), plus a margin. */
    static final long POINT = 5L * (16 << 20) / 8 + 1000;

    /** Whether the payload is deflated (it does not shrink here: the pattern is incompressible). */
    @Param({"false"})
    public boolean deflate;

    /** A replication key, as a cluster would give {@code DurableRun.Builder.checkpointKey}. */
    private static final byte[] KEY = "a key for the benchmark's checkpoints".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private Cell cell;
    private Segment segment;
    private Checkpoint checkpoint;
    private Path file;

    @Setup
    public void setUp() throws IOException {
        Module module = Assembler.assemble(FILL_16_MIB, "fill16mib.casm");
        Verifier.verify(module);
        cell = Cell.create(module, CellConfig.builder().build());
        if (cell.run(SuspendRequest.atFuelUsed(POINT)).isPresent()) {
            throw new IllegalStateException("the fill program ended before its checkpoint");
        }
        checkpoint = Checkpoint.capture(cell);
        file = Files.createTempFile("cella-bench", ".ckpt");
        checkpoint.write(file, deflate);
        segment = durableSegmentPause();
        System.err.printf("checkpoint of 16 MiB: %,d bytes (deflate %s)%n", Files.size(file), deflate);
    }

    @TearDown
    public void tearDown() throws IOException {
        cell.close();
        Files.deleteIfExists(file);
    }

    /** Captures the suspended cell into a checkpoint in memory. */
    @Benchmark
    public Checkpoint capture() {
        return Checkpoint.capture(cell);
    }

    /** Captures the cell and writes the checkpoint file (replacing it). */
    @Benchmark
    public Path captureAndWriteFile() {
        Checkpoint.capture(cell).write(file, deflate);
        return file;
    }

    /** Reads the checkpoint file and restores a new, suspended cell from it. */
    @Benchmark
    public Cell readFileAndRestore() {
        Checkpoint c = Checkpoint.read(file);
        Cell restored = c.restore(c.configBuilder().build());
        restored.close();
        return restored;
    }

    /**
     * The pause of a durable run at the end of a segment, while the cell does not run: capture the
     * suspended cell, encode the checkpoint with a key (no deflation, DurableRun's default) and
     * make the segment (which copies the bytes in), as {@code DurableRun} does.
     */
    @Benchmark
    public Segment durableSegmentPause() {
        byte[] bytes = Checkpoint.capture(cell).toBytes(false, KEY);
        return new Segment("bench", 1, cell.instance().fuelUsed(), bytes, new byte[0], new byte[0], Optional.empty());
    }

    /** A segment's wire form with a key ({@code Segment.toBytes}), what a commit sink replicates. */
    @Benchmark
    public byte[] segmentWireForm() {
        return segment.toBytes(KEY);
    }
}
