package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.SuspendRequest;
import org.junit.jupiter.api.Test;

/**
 * A cell with 16 MiB of memory, every page written: its checkpoint holds the 256 pages and little
 * else, and restores them byte for byte (the JMH benchmark CheckpointBenchmark times it).
 */
class CheckpointSizeTest {
    /** Fills the 256 pages with a non-zero pattern, then spins (where the checkpoint is taken). */
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

    /** The fuel after which the memory is full: 5 units per 8 bytes, plus the entry block. */
    static final long FILLED = 5L * (16 << 20) / 8 + 20;

    /** A cell of {@link #FILL_16_MIB} suspended in its spin loop. */
    static Cell suspendedFullCell(Module module) {
        Cell cell = Cell.create(module, CellConfig.builder().build());
        if (cell.run(SuspendRequest.atFuelUsed(FILLED + 1000)).isPresent()) {
            throw new AssertionError("the fill program ended before its checkpoint");
        }
        return cell;
    }

    @Test
    void sixteenMebibytesOfMemoryCheckpointToItsPagesPlusAFewKilobytes() {
        Module module = Runs.assemble(FILL_16_MIB);
        try (Cell cell = suspendedFullCell(module)) {
            byte[] memory = cell.memory().snapshot();
            for (int page = 0; page < 256; page++) {
                assertTrue(memory[page * 65_536 + 8] != 0 || memory[page * 65_536 + 9] != 0, "page " + page + " filled");
            }
            Checkpoint c = Checkpoint.capture(cell);
            long pages = 256L * (4 + 65_536);
            assertTrue(c.payloadSize() > pages && c.payloadSize() < pages + 4096,
                    "payload " + c.payloadSize() + " bytes for " + pages + " bytes of pages");
            byte[] file = c.toBytes(false);
            assertEquals(CheckpointFile.HEADER_SIZE + c.payloadSize(), file.length);
            Checkpoint back = Checkpoint.fromBytes(file, "16 MiB");
            try (Cell restored = back.restore(back.configBuilder().build())) {
                assertArrayEquals(memory, restored.memory().snapshot());
                RunResult r = restored.resume(null).orElseThrow();
                assertEquals(Outcome.EXITED, r.outcome());
                assertEquals(16L << 20, r.accounting().peakMemoryBytes());
            }
        }
    }
}
