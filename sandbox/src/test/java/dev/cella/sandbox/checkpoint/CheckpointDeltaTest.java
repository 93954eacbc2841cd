package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.SuspendRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A delta over a base is exactly the whole checkpoint taken at the same point: the same bytes,
 * restoring to the same memory, registers and fuel, and running on to the same end; and a delta
 * that is not its base's, is damaged, forged or names pages outside the memory is refused with a
 * typed error.
 */
class CheckpointDeltaTest {
    /**
     * Twelve rounds; round r grows the memory by a page, writes a word into the new page, zeroes
     * the word written into the previous round's page (which turns all zero again), rewrites a
     * word of page 0 and spins; so between two checkpoints pages change, appear, and turn zero.
     */
    static final String ROUNDS = """
            memory 2 32
            export func main "_start"
            func main() {
                reg r: i32, rounds: i32, one: i32, old: i32, a: i32, prev: i32, shift: i32, v: i64, zero: i64, n: i32, page0: i32
                i32.const rounds, 12
                i32.const one, 1
                i32.const shift, 16
                i32.const page0, 4000
                i64.const v, 0x0123456789ABCDEF
                i64.const zero, 0
            round:
                i32.br_ge_u r, rounds, done
                memory.grow old, one
                i32.shl a, old, shift
                i64.store a, 8, v
                br_if r, clear
                br skip
            clear:
                i32.const n, 65536
                i32.sub prev, a, n
                i64.store prev, 8, zero
            skip:
                i64.store page0, 0, v
                i64.add v, v, v
                i32.const n, 10000
            spin:
                i32.sub n, n, one
                br_if n, spin
                i32.add r, r, one
                br round
            done:
                ret
            }
            """;

    private static final Module MODULE = Runs.assemble(ROUNDS);

    /** A cell of {@link #ROUNDS} suspended at {@code fuel}. */
    private static Cell at(long fuel) {
        Cell cell = Cell.create(MODULE, CellConfig.builder().build());
        if (cell.run(SuspendRequest.atFuelUsed(fuel)).isPresent()) {
            throw new AssertionError("the program ended before " + fuel);
        }
        return cell;
    }

    /**
     * The fuel points the checkpoints are taken at: the first before any grow, then a seventh of
     * the run apart, so that each interval spans the start of a round (a twelfth of the run).
     */
    private static final long[] POINTS = points();

    private static long[] points() {
        long total;
        try (Cell cell = Cell.create(MODULE, CellConfig.builder().build())) {
            total = cell.run().accounting().fuelUsed();
        }
        return new long[] {5, total / 7, 2 * total / 7, 3 * total / 7, 4 * total / 7, 6 * total / 7};
    }

    private static Checkpoint base(long fuel) {
        try (Cell cell = at(fuel)) {
            // Read back from its bytes, as a member that received it holds it.
            return Checkpoint.fromBytes(Checkpoint.capture(cell).toBytes(false), "base");
        }
    }

    @Test
    void aDeltaOverItsBaseIsTheWholeCheckpointByteForByteAndRunsOnTheSame() {
        for (int i = 0; i < POINTS.length; i++) {
            Checkpoint base = base(POINTS[i]);
            for (int j = i; j < POINTS.length; j++) {
                String where = "base at " + POINTS[i] + ", delta at " + POINTS[j];
                byte[] whole;
                byte[] delta;
                try (Cell cell = at(POINTS[j])) {
                    whole = Checkpoint.capture(cell).toBytes(false);
                    delta = CheckpointDelta.capture(cell, base).toBytes(null);
                }
                assertTrue(CheckpointDelta.isDelta(delta), where);
                assertFalse(CheckpointDelta.isDelta(whole), where);
                Checkpoint merged = CheckpointDelta.fromBytes(delta, "delta", null, 1 << 30).over(base);
                try (Cell restored = merged.restore(MODULE, CellConfig.builder().build());
                        Cell direct = Checkpoint.fromBytes(whole, "whole").restore(MODULE, CellConfig.builder().build())) {
                    // The restored cell's own checkpoint is the source's: memory, registers, fuel.
                    assertArrayEquals(whole, Checkpoint.capture(restored).toBytes(false), where + ": restored cell");
                    RunResult a = restored.resume(null).orElseThrow();
                    RunResult b = direct.resume(null).orElseThrow();
                    assertEquals(b.outcome(), a.outcome(), where);
                    assertEquals(b.exitStatus(), a.exitStatus(), where);
                    assertEquals(b.accounting().fuelUsed(), a.accounting().fuelUsed(), where);
                    assertArrayEquals(direct.memory().snapshot(), restored.memory().snapshot(), where + ": memory at the end");
                }
                // Restored into a cell prepared with the base's memory: only the delta's pages written.
                CheckpointDelta.Prepared prepared = CheckpointDelta.prepare(base, MODULE, CellConfig.builder().build());
                try (Cell patched = CheckpointDelta.fromBytes(delta, "delta", null, 1 << 30).restoreInto(prepared);
                        Cell direct = Checkpoint.fromBytes(whole, "whole").restore(MODULE, CellConfig.builder().build())) {
                    assertArrayEquals(whole, Checkpoint.capture(patched).toBytes(false), where + ": patched cell");
                    RunResult a = patched.resume(null).orElseThrow();
                    RunResult b = direct.resume(null).orElseThrow();
                    assertEquals(b.accounting().fuelUsed(), a.accounting().fuelUsed(), where);
                    assertArrayEquals(direct.memory().snapshot(), patched.memory().snapshot(), where + ": patched, at the end");
                }
                assertThrows(IllegalStateException.class, () -> CheckpointDelta.fromBytes(delta, "again", null, 1 << 30)
                        .restoreInto(prepared), "a prepared cell is used once");
                // Restored before its bytes were asked for, and the bytes still are the whole one's.
                assertArrayEquals(whole, merged.toBytes(false), where + ": bytes");
            }
        }
    }

    @Test
    void everyChangedPageTravelsAndOnlyThose() {
        for (int i = 0; i + 1 < POINTS.length; i++) {
            byte[] before;
            try (Cell cell = at(POINTS[i])) {
                before = cell.memory().snapshot();
            }
            Checkpoint base = base(POINTS[i]);
            try (Cell cell = at(POINTS[i + 1])) {
                byte[] now = cell.memory().snapshot();
                List<Integer> changed = new ArrayList<>();
                for (int p = 0; p < now.length / 65_536; p++) {
                    byte[] was = p * 65_536 < before.length
                            ? java.util.Arrays.copyOfRange(before, p * 65_536, (p + 1) * 65_536) : new byte[65_536];
                    if (!java.util.Arrays.equals(was, java.util.Arrays.copyOfRange(now, p * 65_536, (p + 1) * 65_536))) {
                        changed.add(p);
                    }
                }
                CheckpointDelta d = CheckpointDelta.capture(cell, base);
                List<Integer> sent = java.util.Arrays.stream(d.contents().instance().pageIndexes()).boxed().toList();
                assertEquals(changed, sent, "between " + POINTS[i] + " and " + POINTS[i + 1]);
                assertEquals(changed.size(), d.changedPages());
                assertTrue(changed.size() >= 2, "the program changes pages between the points: " + changed);
            }
        }
    }

    /**
     * The patched restore writes exactly the pages the delta lists: the same restore with one
     * changed page left out of the patch gives another cell, which the comparison with the whole
     * capture catches (so the comparison above would catch a page the delta failed to carry).
     */
    @Test
    void aChangedPageLeftUnpatchedIsCaught() {
        Checkpoint base = base(POINTS[1]);
        try (Cell cell = at(POINTS[3])) {
            byte[] whole = Checkpoint.capture(cell).toBytes(false);
            CheckpointDelta d = CheckpointDelta.fromBytes(CheckpointDelta.capture(cell, base).toBytes(null), "d", null,
                    1 << 30);
            CheckpointCodec.SavedInstance patch = d.contents().instance();
            assertEquals(0, patch.pageIndexes()[0], "page 0 changed (its word is rewritten every round)");
            int n = patch.pageIndexes().length;
            CheckpointCodec.SavedInstance stale = new CheckpointCodec.SavedInstance(patch.fuelUsed(),
                    patch.fuelRemaining(), patch.globals(), patch.tables(), patch.dropped(), patch.memoryPages(),
                    java.util.Arrays.copyOfRange(patch.pageIndexes(), 1, n),
                    java.util.Arrays.copyOfRange(patch.pageOffsets(), 1, n), patch.payload(), null,
                    java.util.Arrays.copyOfRange(patch.runs(), 1, n));
            Checkpoint merged = d.over(base);
            try (Cell right = merged.restorePatched(MODULE, CellConfig.builder().build(),
                    base.prepare(MODULE, CellConfig.builder().build()), patch);
                    Cell wrong = merged.restorePatched(MODULE, CellConfig.builder().build(),
                            base.prepare(MODULE, CellConfig.builder().build()), stale)) {
                assertArrayEquals(whole, Checkpoint.capture(right).toBytes(false));
                assertFalse(java.util.Arrays.equals(whole, Checkpoint.capture(wrong).toBytes(false)),
                        "page 0 left as the base had it");
            }
        }
    }

    @Test
    void aDeltaOverAnotherBaseIsRefused() {
        Checkpoint base = base(POINTS[1]);
        Checkpoint other = base(POINTS[2]);
        try (Cell cell = at(POINTS[3])) {
            CheckpointDelta d = CheckpointDelta.fromBytes(CheckpointDelta.capture(cell, base).toBytes(null), "d", null,
                    1 << 30);
            CheckpointException e = assertThrows(CheckpointException.class, () -> d.over(other));
            assertEquals(CheckpointException.Kind.BASE_MISMATCH, e.kind());
            byte[] whole = Checkpoint.capture(cell).toBytes(false);
            // Neither is read as the other.
            assertEquals(CheckpointException.Kind.BASE_MISMATCH, assertThrows(CheckpointException.class,
                    () -> Checkpoint.fromBytes(d.toBytes(null), "d")).kind());
            assertEquals(CheckpointException.Kind.BASE_MISMATCH, assertThrows(CheckpointException.class,
                    () -> CheckpointDelta.fromBytes(whole, "w", null, 1 << 30)).kind());
        }
    }

    @Test
    void aForgedDamagedOrOutOfRangeDeltaIsRefused() {
        byte[] key = "cluster secret".getBytes(StandardCharsets.UTF_8);
        Checkpoint base = base(POINTS[1]);
        byte[] good;
        try (Cell cell = at(POINTS[3])) {
            good = CheckpointDelta.capture(cell, base).toBytes(key);
        }
        CheckpointDelta.fromBytes(good, "good", key, 1 << 30).over(base); // the untouched one applies
        List<CheckpointException.Kind> kinds = new ArrayList<>();
        // Any byte changed: refused by the HMAC with the key, by the checksums without it.
        for (int at : new int[] {20, CheckpointFile.HEADER_SIZE + 3, good.length / 2, good.length - 40, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x40;
            kinds.add(assertThrows(CheckpointException.class, () -> CheckpointDelta.fromBytes(bad, "bad", key, 1 << 30))
                    .kind());
        }
        assertTrue(kinds.stream().allMatch(k -> k == CheckpointException.Kind.UNAUTHENTICATED
                || k == CheckpointException.Kind.CORRUPT), kinds.toString());
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED, assertThrows(CheckpointException.class,
                () -> CheckpointDelta.fromBytes(good, "good", "another".getBytes(StandardCharsets.UTF_8), 1 << 30)).kind());
        assertEquals(CheckpointException.Kind.CORRUPT, assertThrows(CheckpointException.class,
                () -> CheckpointDelta.fromBytes(java.util.Arrays.copyOf(good, good.length - 100), "short", null, 1 << 30))
                .kind());
        assertEquals(CheckpointException.Kind.TOO_LARGE, assertThrows(CheckpointException.class,
                () -> CheckpointDelta.fromBytes(good, "good", key, 1000)).kind());
    }

    /**
     * A well-framed delta (valid checksums, as a peer without a key could send) naming a page past
     * its memory, or pages out of order, is refused when read, before anything is applied.
     */
    @Test
    void aDeltaNamingAPageOutsideItsMemoryIsRefused() {
        Checkpoint base = base(POINTS[1]);
        CheckpointDelta d;
        try (Cell cell = at(POINTS[3])) {
            d = CheckpointDelta.fromBytes(CheckpointDelta.capture(cell, base).toBytes(null), "d", null, 1 << 30);
        }
        CheckpointCodec.Contents c = d.over(base).contents();
        byte[] bytes = d.toBytes(null);
        // The first page index of the delta's memory section: after the tag, length, base length
        // and CRC (8 each), the page count and the number of pages.
        int memory = indexOfSection(bytes, CheckpointCodec.MEMORY_RUNS);
        int firstIndex = memory + 1 + 8 + 8 + 8 + 4 + 4;
        for (int forged : new int[] {c.instance().memoryPages(), 1 << 20, -1}) {
            byte[] bad = bytes.clone();
            put32(bad, firstIndex, forged);
            byte[] reframed = reframe(bad);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> CheckpointDelta.fromBytes(reframed, "forged", null, 1 << 30));
            assertEquals(CheckpointException.Kind.INVALID, e.kind(), e.getMessage());
        }
        assertNotEquals(-1, memory);
    }

    /** Where the section with {@code tag} starts in a framed, undeflated file (walking the sections). */
    static int indexOfSection(byte[] file, int tag) {
        int at = CheckpointFile.HEADER_SIZE;
        while (at < file.length) {
            if (file[at] == tag) {
                return at;
            }
            long length = 0;
            for (int i = 0; i < 8; i++) {
                length |= (file[at + 1 + i] & 0xFFL) << (8 * i);
            }
            at += 1 + 8 + (int) length;
        }
        return -1;
    }

    static void put32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** The same payload framed again (fresh checksums), as a forger would. */
    static byte[] reframe(byte[] file) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            CheckpointFile.write(out, java.util.Arrays.copyOfRange(file, 12, 44), file, CheckpointFile.HEADER_SIZE,
                    file.length - CheckpointFile.HEADER_SIZE, false, null, true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
