package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.vm.SuspendRequest;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A delta carries a changed page as its changed byte runs ({@link PageRuns}): sparse changes
 * over many pages travel in a few bytes each and still make the whole checkpoint byte for byte;
 * runs at the page's edges, merged across small gaps, and the whole-page fallback; forged runs
 * refused when read.
 */
class CheckpointDeltaRunsTest {
    private static final int PAGE = PageRuns.PAGE;
    private static final int PAGES = 64;

    private static final Module MODULE = Runs.assemble("""
            memory 64 64
            export func main "_start"
            func main() {
                reg n: i32, one: i32
                i32.const n, 100000
                i32.const one, 1
            spin:
                i32.sub n, n, one
                br_if n, spin
                ret
            }
            """);

    /** A base taken of a suspended cell (read back from its bytes), then {@code change} made to the cell's memory. */
    private record Pair(Cell cell, Checkpoint base) {}

    private static Pair changed(Consumer<byte[]> change) {
        Cell cell = Cell.create(MODULE, CellConfig.builder().build());
        if (cell.run(SuspendRequest.atFuelUsed(50)).isPresent()) {
            throw new AssertionError("the program ended before it was suspended");
        }
        byte[] memory = cell.memory().array();
        new Random(7).nextBytes(memory); // a base with every page non-zero
        Arrays.fill(memory, 5 * PAGE, 7 * PAGE, (byte) 0); // and one zero page
        memory[6 * PAGE + 10] = 1; // and one with two bytes
        memory[6 * PAGE + 40_000] = 2;
        Checkpoint base = Checkpoint.fromBytes(Checkpoint.capture(cell).toBytes(false), "base");
        change.accept(memory);
        return new Pair(cell, base);
    }

    /** Checks that delta {@code d} over the pair's base is the whole capture, read back and restored into a prepared cell. */
    private static void assertMakesTheWhole(Pair p, CheckpointDelta d) {
        byte[] whole = Checkpoint.capture(p.cell()).toBytes(false);
        assertArrayEquals(whole, d.over(p.base()).toBytes(false), "over the base");
        try (Cell restored = d.restoreInto(CheckpointDelta.prepare(p.base(), MODULE, CellConfig.builder().build()))) {
            assertArrayEquals(whole, Checkpoint.capture(restored).toBytes(false), "restored into a prepared cell");
        }
        try (CheckpointDelta.Prepared prepared = CheckpointDelta.prepare(p.base(), MODULE, CellConfig.builder().build())) {
            Checkpoint next = prepared.advance(d);
            assertArrayEquals(whole, next.toBytes(false), "advanced");
        }
    }

    private static CheckpointDelta delta(Pair p) {
        return CheckpointDelta.fromBytes(CheckpointDelta.capture(p.cell(), p.base()).toBytes(null), "d", null, 1 << 30);
    }

    @Test
    void sparseChangesInEveryPageTravelAsRunsAndMakeTheWholeCheckpoint() {
        Pair unchanged = changed(m -> { });
        Pair p = changed(m -> {
            for (int page = 0; page < PAGES; page++) {
                int at = page * PAGE;
                m[at]++; // the page's first byte
                m[at + PAGE - 1]++; // its last
                m[at + 1000 + page]++; // one in the middle
                m[at + 3000] ^= 0x11; // and three nearby, merged into one run
                m[at + 3010] ^= 0x11;
                m[at + 3020] ^= 0x11;
            }
        });
        try (Cell c = p.cell(); Cell u = unchanged.cell()) {
            CheckpointDelta d = delta(p);
            assertEquals(PAGES, d.changedPages());
            CheckpointCodec.SavedInstance s = d.contents().instance();
            for (int i = 0; i < PAGES; i++) {
                assertArrayEquals(new int[] {0, 1, 1000 + i, 1, 3000, 21, PAGE - 1, 1}, s.runs(i), "page " + i);
            }
            assertMakesTheWhole(p, d);
            // Each page costs its index, run count, four run headers and 24 bytes: 4 + 4 + 32 + 24.
            int extra = d.toBytes(null).length - CheckpointDelta.capture(u, unchanged.base()).toBytes(null).length;
            assertEquals(PAGES * 64, extra, "the bytes the changes add to a delta without any");
            assertTrue(extra < PAGES * PAGE / 500, "far below the pages' " + PAGES * PAGE + " bytes");
        }
    }

    @Test
    void aPageChangedThroughoutTravelsWholeAndPagesFromOrToZeroAsRuns() {
        Pair p = changed(m -> {
            byte[] noise = new byte[PAGE];
            new Random(11).nextBytes(noise);
            System.arraycopy(noise, 0, m, 2 * PAGE, PAGE); // page 2: all new
            m[5 * PAGE + 77] = 9; // page 5, zero in the base
            m[6 * PAGE + 10] = 0; // page 6 zero again: dropped from the whole checkpoint
            m[6 * PAGE + 40_000] = 0;
            m[7 * PAGE + 3] = (byte) (m[7 * PAGE + 3] == 0 ? 1 : 0); // page 7: one byte, maybe to zero, the rest not
            m[9 * PAGE + 5] ^= 1; // page 9: one byte
        });
        try (Cell c = p.cell()) {
            CheckpointDelta d = delta(p);
            CheckpointCodec.SavedInstance s = d.contents().instance();
            assertArrayEquals(new int[] {2, 5, 6, 7, 9}, s.pageIndexes());
            assertNull(s.runs(0), "page 2 goes whole");
            assertArrayEquals(new int[] {77, 1}, s.runs(1));
            assertArrayEquals(new int[] {10, 1, 40_000, 1}, s.runs(2));
            assertArrayEquals(new int[] {5, 1}, s.runs(4));
            assertMakesTheWhole(p, d);
            int[] merged = d.over(p.base()).contents().instance().pageIndexes();
            assertEquals(PAGES - 1, merged.length, "page 6 is zero: " + Arrays.toString(merged));
            assertTrue(Arrays.binarySearch(merged, 6) < 0 && Arrays.binarySearch(merged, 7) >= 0, Arrays.toString(merged));
        }
    }

    @Test
    void runsAreFoundAtTheEdgesMergedAcrossSmallGapsAndGiveWayToTheWholePage() {
        byte[] a = new byte[3 * PAGE];
        byte[] b = new byte[PAGE];
        int at = PAGE; // the page compared lies inside a larger array
        assertNull(PageRuns.diff(a, at, b, 0));
        a[at] = 1;
        a[at + PAGE - 1] = 1;
        assertArrayEquals(new int[] {0, 1, PAGE - 1, 1}, PageRuns.diff(a, at, b, 0));
        a[at + 100] = 1;
        a[at + 100 + PageRuns.GAP] = 1; // GAP - 1 equal bytes between: one run
        a[at + 200] = 1;
        a[at + 201 + PageRuns.GAP] = 1; // GAP equal bytes between: two runs
        assertArrayEquals(new int[] {0, 1, 100, PageRuns.GAP + 1, 200, 1, 201 + PageRuns.GAP, 1, PAGE - 1, 1},
                PageRuns.diff(a, at, b, 0));
        // A long run over half the page, or the page in short runs over half: whole.
        Arrays.fill(a, at, at + PAGE / 2 + 1, (byte) 3);
        assertSame(PageRuns.WHOLE, PageRuns.diff(a, at, b, 0));
        Arrays.fill(a, at, at + PAGE, (byte) 0);
        for (int i = 0; i < PAGE; i += 4 * PageRuns.GAP) {
            Arrays.fill(a, at + i, at + i + 2 * PageRuns.GAP + 2, (byte) 5); // runs of 66 with gaps of 62
        }
        assertSame(PageRuns.WHOLE, PageRuns.diff(a, at, b, 0));
        Arrays.fill(a, at, at + PAGE, (byte) 0);
        for (int i = 0; i < PAGE; i += PageRuns.GAP + 1) {
            a[at + i] = 7; // GAP equal bytes apart: 1986 runs of one byte, 18 KiB, under half
        }
        int[] runs = PageRuns.diff(a, at, b, 0);
        assertEquals(2 * ((PAGE + PageRuns.GAP) / (PageRuns.GAP + 1)), runs.length);
    }

    /**
     * A well-framed delta (fresh checksums, as a peer without a key could send) whose runs are
     * forged is refused when read (INVALID), before any of it is applied.
     */
    @Test
    void forgedRunsAreRefusedBeforeAnythingIsWritten() {
        Pair p = changed(m -> {
            for (int i = 100; i < 104; i++) {
                m[3 * PAGE + i]++;
            }
            m[3 * PAGE + 1000]++;
            m[3 * PAGE + 1001]++;
        });
        byte[] bytes;
        try (Cell c = p.cell()) {
            bytes = CheckpointDelta.capture(c, p.base()).toBytes(null);
        }
        // The entry: after the tag, length, base length and CRC (8 each), the page count and the
        // number of pages: the index, the run count, then (start, length) pairs.
        int memory = CheckpointDeltaTest.indexOfSection(bytes, CheckpointCodec.MEMORY_RUNS);
        int entry = memory + 1 + 8 + 8 + 8 + 4 + 4;
        int runs = entry + 4;
        int[] wrote = new int[6];
        for (int i = 0; i < 6; i++) {
            wrote[i] = get32(bytes, entry + 4 * i);
        }
        // Page 3, two runs at 100 and 1000 (a run is followed eight bytes at a time, so it may
        // take in a few equal bytes after the changed ones).
        assertArrayEquals(new int[] {3, 2, 100, 1000}, new int[] {wrote[0], wrote[1], wrote[2], wrote[4]},
                Arrays.toString(wrote));
        assertTrue(wrote[3] >= 4 && wrote[3] < 16 && wrote[5] >= 2 && wrote[5] < 16, Arrays.toString(wrote));
        CheckpointDelta.fromBytes(bytes, "good", null, 1 << 30).over(p.base()); // the untouched one applies
        int[][] forgeries = {
            {runs + 4, PAGE - 2}, // the first run past the page's end
            {runs + 4, PAGE}, // starting at the page's end
            {runs + 4, -5}, // a negative start
            {runs + 8, 0}, // an empty run
            {runs + 8, -1}, // a negative length
            {runs + 8, Integer.MAX_VALUE}, // a length that overflows the start
            {runs + 12, 101}, // the second run overlapping the first
            {runs + 12, 50}, // before it
            {runs + 16, 64_000}, // its bytes past the section's end
            {runs, 3}, // a run more than there are
            {runs, -1}, // a negative count
        };
        try (CheckpointDelta.Prepared prepared = CheckpointDelta.prepare(p.base(), MODULE, CellConfig.builder().build())) {
            for (int[] f : forgeries) {
                byte[] bad = bytes.clone();
                CheckpointDeltaTest.put32(bad, f[0], f[1]);
                byte[] reframed = CheckpointDeltaTest.reframe(bad);
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> CheckpointDelta.fromBytes(reframed, "forged", null, 1 << 30), "at " + f[0] + ": " + f[1]);
                assertEquals(CheckpointException.Kind.INVALID, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains("forged"), e.getMessage());
            }
            // The prepared cell is untouched: the good delta still restores into it.
            CheckpointDelta good = CheckpointDelta.fromBytes(bytes, "good", null, 1 << 30);
            try (Cell restored = good.restoreInto(prepared)) {
                assertNotNull(restored);
            }
        }
    }

    private static int get32(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (b[at + i] & 0xFF) << (8 * i);
        }
        return v;
    }
}
