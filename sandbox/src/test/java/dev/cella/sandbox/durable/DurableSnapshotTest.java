package dev.cella.sandbox.durable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointDelta;
import dev.cella.sandbox.checkpoint.CheckpointException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Snapshots of a running durable cell ({@link DurableRun#snapshot}), the intermediate rounds of a
 * cluster's move (docs/cluster.md, "Moving a cell"): deltas chained base over base while the run
 * goes on committing its segments unchanged, written into a prepared cell round by round, over
 * which the drained run's last delta restores byte for byte the cell a whole checkpoint gives.
 * A round over another base than the prepared cell's is refused and the prepared cell is spent.
 */
class DurableSnapshotTest {
    private static final Module COUNTER = DurableRunTest.resource("/durable/counter.casm");
    /**
     * Writes its 2 MiB of memory in order, 4 bytes at a time (about 2.4 pages per segment of
     * 200,000 fuel), so that each round changes pages the next ones do not: a prepared cell that
     * missed a round's pages would show it.
     */
    private static final Module FILL = DurablePropertyTest.assemble("""
            memory 32 32
            export func main "_start"
            func main() {
                reg a: i32, end: i32, four: i32, v: i32, one: i32
                i32.const end, 2097152
                i32.const four, 4
                i32.const one, 1
            fill:
                i32.br_ge_u a, end, filled
                i32.add v, v, one
                i32.store a, 0, v
                i32.add a, a, four
                br fill
            filled:
                ret
            }
            """);
    private static final CellConfig CONFIG = DurablePropertyTest.config(EngineKind.INTERP).build();
    private static final long MAX = Checkpoint.maxPayload(CONFIG);

    /** The run's segments, its snapshots, the bases they chain (segment 1's first) and the drained last segment. */
    private record Moved(Ledger ledger, List<DurableRun.Snapshot> snapshots, List<Checkpoint> bases, Segment stop) {}

    /**
     * Runs the counter in segments of 200,000 fuel: once segment {@code k} (1 to 3) is released a
     * snapshot is asked over the latest base, and at segment 4 the run is drained over it.
     */
    private static Moved moved(Module module) {
        Ledger ledger = new Ledger();
        List<DurableRun.Snapshot> snapshots = new ArrayList<>();
        List<Checkpoint> bases = new ArrayList<>();
        AtomicReference<DurableRun> run = new AtomicReference<>();
        Consumer<DurableRun.Snapshot> into = s -> {
            snapshots.add(s);
            bases.add(s.delta().nextBase(bases.getLast()));
        };
        OutputSink sink = s -> {
            ledger.release(s);
            if (s.seq() == 1) {
                bases.add(Checkpoint.fromBytes(s.checkpoint(), "segment 1"));
            }
            if (s.seq() >= 1 && s.seq() <= 3) {
                run.get().snapshot(bases.getLast(), into);
            } else if (s.seq() == 4) {
                run.get().drain(bases.getLast());
            }
        };
        run.set(DurableRun.builder("cell", module, CONFIG).commitSink(ledger).outputSink(sink)
                .segmentFuel(200_000).build());
        Segment stop = run.get().run();
        return new Moved(ledger, snapshots, bases, stop);
    }

    private static CheckpointDelta delta(DurableRun.Snapshot s) {
        return CheckpointDelta.fromBytes(s.segment().checkpoint(), "snapshot", null, MAX);
    }

    @Test
    void snapshotsChainIntoAPreparedCellThatRestoresExactlyTheWholeCheckpoint() {
        Moved m = moved(FILL);
        assertEquals(3, m.snapshots().size());
        assertTrue(m.stop().isDelta(), "drained over the last snapshot's base: " + m.stop());
        int pages = 0;
        for (DurableRun.Snapshot s : m.snapshots()) {
            assertTrue(s.segment().isDelta());
            assertEquals(0, s.segment().stdout().length, "a snapshot takes no output: it stays in its segment");
            pages += s.delta().changedPages();
        }
        assertTrue(pages >= 3, "the program wrote pages between the rounds: " + pages);
        // The run committed its segments as without snapshots: in order, whole but the drained
        // last one, none of them a snapshot.
        List<Segment> committed = m.ledger().committed;
        for (int i = 0; i < committed.size(); i++) {
            assertEquals(i, committed.get(i).seq());
            assertEquals(i == committed.size() - 1, committed.get(i).isDelta());
        }
        assertEquals(m.stop(), committed.getLast());
        // The destination's side: the first round's cell, each round written into it, the last
        // delta restored into it captures to the bytes of the whole checkpoint.
        Segment whole = m.stop().over(m.bases().getLast(), null, MAX);
        CheckpointDelta.Prepared prepared = CheckpointDelta.prepare(
                Checkpoint.fromBytes(m.ledger().committed.get(1).checkpoint(), "first round"), FILL, CONFIG);
        m.snapshots().forEach(s -> prepared.advance(delta(s)));
        CheckpointDelta last = CheckpointDelta.fromBytes(m.stop().checkpoint(), "last round", null, MAX);
        try (Cell cell = last.restoreInto(prepared)) {
            assertArrayEquals(whole.checkpoint(), Checkpoint.capture(cell).toBytes(false));
        }
        // Restored from the whole segment alone, the same bytes again.
        try (Cell cell = Checkpoint.fromBytes(whole.checkpoint(), "whole").restore(FILL, CONFIG)) {
            assertArrayEquals(whole.checkpoint(), Checkpoint.capture(cell).toBytes(false));
        }
    }

    @Test
    void aRunResumedFromTheRoundsGivesTheUninterruptedOutput() {
        Moved m = moved(COUNTER);
        DurableRun.Prepared prepared = DurableRun.prepare(COUNTER, CONFIG,
                Checkpoint.fromBytes(m.ledger().committed.get(1).checkpoint(), "first round"));
        m.snapshots().forEach(s -> prepared.advance(delta(s)));
        Segment last = DurableRun.builder("cell", COUNTER, CONFIG).commitSink(m.ledger()).outputSink(m.ledger())
                .resumeFrom(m.stop(), true, prepared).build().run();
        DurablePropertyTest.Uninterrupted expected = DurablePropertyTest.uninterrupted(COUNTER, EngineKind.INTERP);
        assertArrayEquals(expected.stdout(), m.ledger().stdout());
        assertArrayEquals(expected.stderr(), m.ledger().stderr());
        assertEquals(expected.fuelUsed(), last.fuelUsed());
    }

    @Test
    void aRoundOverAnotherBaseIsRefusedAndSpendsThePreparedCell() {
        Moved m = moved(FILL);
        Checkpoint first = Checkpoint.fromBytes(m.ledger().committed.get(1).checkpoint(), "first round");
        // The second round skips the first: over another base than the cell's.
        CheckpointDelta.Prepared skipped = CheckpointDelta.prepare(first, FILL, CONFIG);
        assertEquals(CheckpointException.Kind.BASE_MISMATCH, assertThrows(CheckpointException.class,
                () -> skipped.advance(delta(m.snapshots().get(1)))).kind());
        assertThrows(IllegalStateException.class, () -> skipped.advance(delta(m.snapshots().get(0))));
        CheckpointDelta last = CheckpointDelta.fromBytes(m.stop().checkpoint(), "last round", null, MAX);
        assertThrows(IllegalStateException.class, () -> last.restoreInto(skipped));
        // The last round over a cell that missed the intermediate rounds: refused too.
        CheckpointDelta.Prepared behind = CheckpointDelta.prepare(first, FILL, CONFIG);
        assertEquals(CheckpointException.Kind.BASE_MISMATCH, assertThrows(CheckpointException.class,
                () -> last.restoreInto(behind)).kind());
    }
}
