package dev.cella.sandbox.durable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointDelta;
import dev.cella.sandbox.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Drain and resume, checkpoint keys, what a durable run refuses, and the segment record.
 * counter.casm prints 4,000 numbered lines (every tenth on stderr too) and exits with status 3.
 */
class DurableRunTest {
    static Module resource(String name) {
        try (InputStream in = DurableRunTest.class.getResourceAsStream(name)) {
            return DurablePropertyTest.assemble(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Module COUNTER = resource("/durable/counter.casm");
    private static final DurablePropertyTest.Uninterrupted EXPECTED =
            DurablePropertyTest.uninterrupted(COUNTER, EngineKind.INTERP);

    private static DurableRun.Builder counter(EngineKind engine, Ledger ledger) {
        return DurableRun.builder("counter", COUNTER, DurablePropertyTest.config(engine).build())
                .commitSink(ledger).outputSink(ledger);
    }

    /** Checks that the ledger's released output is the uninterrupted run's and the run ended as it does. */
    private static void assertUninterrupted(Ledger ledger, Segment last) {
        DurablePropertyTest.Uninterrupted expected = EXPECTED;
        assertEquals(4000, new String(expected.stdout(), StandardCharsets.UTF_8).lines().count());
        assertArrayEquals(expected.stdout(), ledger.stdout(), "stdout");
        assertArrayEquals(expected.stderr(), ledger.stderr(), "stderr");
        assertTrue(last.isFinal());
        assertEquals(new Segment.Ending(Outcome.EXITED, 3, null), last.ending().orElseThrow());
        assertEquals(expected.fuelUsed(), last.fuelUsed());
    }

    @Test
    void aDrainFromAnotherThreadCommitsASegmentThatResumesOnAnotherEngine() throws Exception {
        Ledger ledger = new Ledger();
        CountDownLatch firstCommitted = new CountDownLatch(1);
        CompletableFuture<Void> drained = new CompletableFuture<>();
        // The first commit completes only once drain() was called, so the run cannot end before the
        // drain whatever the scheduling: it drains in the segment running then or in the next one.
        CommitSink sink = s -> {
            CompletionStage<Void> stored = ledger.commit(s);
            if (s.seq() == 0) {
                firstCommitted.countDown();
                return stored.thenCombine(drained, (a, b) -> null);
            }
            return stored;
        };
        DurableRun run = counter(EngineKind.JIT, ledger).commitSink(sink).segmentFuel(300_000).build();
        AtomicReference<Segment> result = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> result.set(run.run()));
        assertTrue(firstCommitted.await(60, TimeUnit.SECONDS));
        run.drain();
        drained.complete(null);
        t.join(60_000);
        Segment stop = result.get();
        assertFalse(stop.isFinal(), "drained: " + stop);
        assertTrue(stop.seq() == 1 || stop.seq() == 2, stop.toString());
        assertEquals(stop, ledger.last());
        assertTrue(ledger.lastReleased(), "a drained run releases its last segment");
        Segment last = counter(EngineKind.AUTO, ledger).resumeFrom(stop, true).build().run();
        assertUninterrupted(ledger, last);
    }

    @Test
    void aDrainBetweenSegmentsStopsWithinTheNextRefillOfFuelCredit() {
        Ledger ledger = new Ledger();
        AtomicReference<DurableRun> run = new AtomicReference<>();
        OutputSink drainAtTwo = s -> {
            ledger.release(s);
            if (s.seq() == 2) {
                run.get().drain();
            }
        };
        run.set(counter(EngineKind.INTERP, ledger).outputSink(drainAtTwo).segmentFuel(200_000).build());
        Segment stop = run.get().run();
        // Segment 2 is released after segment 3 ran, so segment 4 is the drained one; it stops
        // where the interpreter next looks at the flag (SuspendRequest), within 65,536 units.
        assertEquals(4, stop.seq());
        assertFalse(stop.isFinal());
        long previous = ledger.committed.get(3).fuelUsed();
        assertTrue(stop.fuelUsed() - previous <= 65_536 + 1_000, stop + " after " + previous);
        Segment last = counter(EngineKind.JIT, ledger).resumeFrom(stop, true).build().run();
        assertUninterrupted(ledger, last);
    }

    @Test
    void aRunDrainedBeforeItStartsCommitsItsFirstSafePoint() {
        Ledger ledger = new Ledger();
        DurableRun run = counter(EngineKind.AUTO, ledger).segmentFuel(Long.MAX_VALUE / 2).build();
        run.drain();
        Segment stop = run.run();
        assertEquals(0, stop.seq());
        assertFalse(stop.isFinal());
        assertTrue(stop.fuelUsed() <= 65_536 + 1_000, stop.toString());
        Segment last = counter(EngineKind.INTERP, ledger).resumeFrom(stop, true).build().run();
        assertUninterrupted(ledger, last);
    }

    /** A run drained at its first safe point, with checkpoints authenticated with {@code key} (or not). */
    private static Segment drainedAtStart(Ledger ledger, byte[] key) {
        DurableRun run = counter(EngineKind.INTERP, ledger).checkpointKey(key).build();
        run.drain();
        return run.run();
    }

    /** A run of the counter drained at segment 4 over segment 1's checkpoint ({@code base} is set to it). */
    private static Segment drainedOverSegmentOne(Ledger ledger, AtomicReference<Checkpoint> base) {
        AtomicReference<DurableRun> run = new AtomicReference<>();
        OutputSink drainAtTwo = s -> {
            ledger.release(s);
            if (s.seq() == 1) {
                base.set(Checkpoint.fromBytes(s.checkpoint(), "segment 1"));
            }
            if (s.seq() == 2) {
                run.get().drain(base.get());
            }
        };
        run.set(counter(EngineKind.INTERP, ledger).outputSink(drainAtTwo).segmentFuel(200_000).build());
        return run.get().run();
    }

    /**
     * A run drained over a base (an earlier segment's checkpoint, as a cluster moving the cell
     * sent ahead) commits a delta; resumed over the base the output is the uninterrupted run's;
     * made whole it is a segment that resumes alone; without its base, or over another, it is
     * refused.
     */
    @Test
    void aRunDrainedOverABaseCommitsADeltaThatResumesOverIt() {
        Ledger ledger = new Ledger();
        AtomicReference<Checkpoint> base = new AtomicReference<>();
        Segment stop = drainedOverSegmentOne(ledger, base);
        assertEquals(4, stop.seq());
        assertTrue(stop.isDelta(), "the last segment is a delta over segment 1's checkpoint");
        long max = Checkpoint.maxPayload(DurablePropertyTest.config(EngineKind.INTERP).build());
        Checkpoint other = Checkpoint.fromBytes(ledger.committed.get(2).checkpoint(), "segment 2");
        assertEquals(CheckpointException.Kind.BASE_MISMATCH, assertThrows(CheckpointException.class,
                () -> counter(EngineKind.INTERP, ledger).resumeFrom(stop, true).build()).kind());
        assertEquals(CheckpointException.Kind.BASE_MISMATCH, assertThrows(CheckpointException.class,
                () -> counter(EngineKind.INTERP, ledger).resumeFrom(stop, true, other).build()).kind());
        Segment whole = stop.over(base.get(), null, max);
        assertFalse(whole.isDelta());
        assertEquals(stop.seq(), whole.seq());
        assertEquals(stop.fuelUsed(), whole.fuelUsed());
        assertArrayEquals(stop.stdout(), whole.stdout());
        // The whole segment resumes to the same state as the delta over its base.
        Checkpoint a = Checkpoint.fromBytes(whole.checkpoint(), "whole");
        try (var fromWhole = a.restore(COUNTER, DurablePropertyTest.config(EngineKind.INTERP).build());
                var fromDelta = CheckpointDelta.fromBytes(stop.checkpoint(), "delta", null, max).over(base.get())
                        .restore(COUNTER, DurablePropertyTest.config(EngineKind.INTERP).build())) {
            assertArrayEquals(whole.checkpoint(), Checkpoint.capture(fromDelta).toBytes(false));
            assertArrayEquals(whole.checkpoint(), Checkpoint.capture(fromWhole).toBytes(false));
        }
        Segment last = counter(EngineKind.JIT, ledger).resumeFrom(stop, true, base.get()).build().run();
        assertUninterrupted(ledger, last);
    }

    /** The same, resumed into a cell prepared over the base ahead of the delta (as a cluster's move does). */
    @Test
    void aDeltaResumesIntoACellPreparedOverItsBase() {
        Ledger ledger = new Ledger();
        AtomicReference<Checkpoint> base = new AtomicReference<>();
        Segment stop = drainedOverSegmentOne(ledger, base);
        assertTrue(stop.isDelta());
        CellConfig config = DurablePropertyTest.config(EngineKind.AUTO).build();
        DurableRun.Prepared prepared = DurableRun.prepare(COUNTER, config, base.get());
        Segment last = DurableRun.builder("counter", COUNTER, config).commitSink(ledger).outputSink(ledger)
                .resumeFrom(stop, true, prepared).build().run();
        assertUninterrupted(ledger, last);
    }

    @Test
    void aCheckpointIsRefusedUnlessAuthenticatedWithTheRunsKey() {
        byte[] key = "cluster secret".getBytes(StandardCharsets.UTF_8);
        Ledger ledger = new Ledger();
        Segment stop = drainedAtStart(ledger, key);
        CheckpointException wrong = assertThrows(CheckpointException.class, () -> counter(EngineKind.INTERP, ledger)
                .checkpointKey("another secret".getBytes(StandardCharsets.UTF_8)).resumeFrom(stop, true).build());
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED, wrong.kind());
        byte[] forged = stop.checkpoint();
        forged[forged.length / 2] ^= 1;
        Segment tampered = new Segment(stop.cellId(), stop.seq(), stop.fuelUsed(), forged, stop.stdout(), stop.stderr(),
                Optional.empty());
        CheckpointException changed = assertThrows(CheckpointException.class,
                () -> counter(EngineKind.INTERP, ledger).checkpointKey(key).resumeFrom(tampered, true).build());
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED, changed.kind());
        Ledger unsigned = new Ledger();
        Segment plain = drainedAtStart(unsigned, null);
        CheckpointException none = assertThrows(CheckpointException.class,
                () -> counter(EngineKind.INTERP, unsigned).checkpointKey(key).resumeFrom(plain, true).build());
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED, none.kind());
        Segment last = counter(EngineKind.JIT, ledger).checkpointKey(key).resumeFrom(stop, true).build().run();
        assertUninterrupted(ledger, last);
    }

    @Test
    void refusesConfigurationsWhoseReExecutionWouldNotRepeatItself() {
        Ledger ledger = new Ledger();
        for (CellConfig.Builder b : List.of(CellConfig.builder().allowClock(true), CellConfig.builder().allowRandom(true),
                CellConfig.builder().metered(false))) {
            DurableRunException e = assertThrows(DurableRunException.class,
                    () -> DurableRun.builder("c", COUNTER, b.build()).commitSink(ledger).outputSink(ledger).build());
            assertEquals(DurableRunException.Kind.REFUSED, e.kind());
        }
    }

    @Test
    void refusesHostModulesSuchAsTheNetworkWhoseConnectionsCannotBeCheckpointed() {
        Ledger ledger = new Ledger();
        CellConfig withNetwork = CellConfig.builder().extension(context -> (module, name, type) -> null).build();
        DurableRunException e = assertThrows(DurableRunException.class,
                () -> DurableRun.builder("c", COUNTER, withNetwork).commitSink(ledger).outputSink(ledger).build());
        assertEquals(DurableRunException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().contains("host modules"), e.getMessage());
    }

    @Test
    void refusesToResumeAnotherCellsSegmentOrAnotherProgramRun() {
        Ledger ledger = new Ledger();
        Segment stop = drainedAtStart(ledger, null);
        DurableRunException other = assertThrows(DurableRunException.class, () -> DurableRun.builder("other", COUNTER,
                DurablePropertyTest.config(EngineKind.INTERP).build()).commitSink(ledger).outputSink(ledger)
                .resumeFrom(stop, true).build());
        assertEquals(DurableRunException.Kind.REFUSED, other.kind());
        DurableRunException args = assertThrows(DurableRunException.class, () -> DurableRun.builder("counter", COUNTER,
                CellConfig.builder().args(List.of("guest", "y", "z")).build()).commitSink(ledger).outputSink(ledger)
                .resumeFrom(stop, true).build());
        assertEquals(DurableRunException.Kind.REFUSED, args.kind());
        assertTrue(args.getMessage().contains("arguments"), args.getMessage());
    }

    @Test
    void aSegmentIsImmutableAndChecked() {
        byte[] out = {1, 2, 3};
        Segment s = new Segment("c", 0, 5, new byte[] {9}, out, new byte[0], Optional.empty());
        out[0] = 7;
        s.stdout()[1] = 7;
        assertArrayEquals(new byte[] {1, 2, 3}, s.stdout());
        assertEquals(s, new Segment("c", 0, 5, new byte[] {9}, new byte[] {1, 2, 3}, new byte[0], Optional.empty()));
        assertThrows(IllegalArgumentException.class,
                () -> new Segment("c", 0, 5, new byte[0], out, out, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Segment("c", 0, 5, new byte[] {9}, out, out,
                Optional.of(new Segment.Ending(Outcome.EXITED, 0, null))));
        assertThrows(IllegalArgumentException.class, () -> new Segment("c", -1, 5, new byte[] {9}, out, out,
                Optional.empty()));
    }
}
