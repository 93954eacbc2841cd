package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.durable.DurableRun;
import dev.cella.sandbox.durable.Segment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The last round of a move as a delta (docs/cluster.md, "Moving a cell"), played by a test peer
 * standing for both the old member and the coordinator: a delta over the first round resumes the
 * cell, which commits the segment made whole, byte for byte the whole segment; a last round that
 * does not verify, is damaged, applies over another base, or a chunk outside its image, is
 * refused: the old member is told CANCEL, the coordinator gets the cell back to place anew, and
 * the member lives on.
 */
@Timeout(120)
class MoveTest {
    private static final Path FIBS = Path.of("../tools/src/test/resources/cluster/fibs.casm");
    private static final byte[] KEY = "the cluster's segment key".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A durable cell of a new submission running {@code module} (fibs.casm 60) in segments of 20,000 fuel. */
    private static Wire.CellJob job(Module module) {
        return new Wire.CellJob(ClusterClient.newSubmission(), 0, "f0", ModuleWriter.write(module), List.of("fibs.casm",
                "60"), 1, -1, -1, 0, "interp", null, true, false, 20_000);
    }

    /** A run's segments, and its last one taken as a delta over segment 1's checkpoint. */
    private record Run(List<Segment> segments, Segment last) {}

    /**
     * Runs the cell of {@code job} until it ends or is drained, every segment committed into
     * {@code committed}; {@code released} is told of each released segment, with the run.
     */
    private static Segment run(Module module, Wire.CellJob job, List<Segment> committed,
            java.util.function.BiConsumer<DurableRun, Segment> released) {
        AtomicReference<DurableRun> run = new AtomicReference<>();
        run.set(DurableRun.builder(Worker.cellId(job.submission(), job.index()), module, Worker.config(job, null, null))
                .segmentFuel(job.segmentFuel())
                .commitSink(s -> {
                    committed.add(s);
                    return CompletableFuture.completedFuture(null);
                })
                .outputSink(s -> released.accept(run.get(), s)).build());
        return run.get().run();
    }

    private static Run run(Module module, Wire.CellJob job) {
        List<Segment> committed = new ArrayList<>();
        CellConfig config = Worker.config(job, null, null);
        Segment last = run(module, job, committed, (run, s) -> {
            if (s.seq() == 2) {
                run.drain(base(committed.get(1), config));
            }
        });
        return new Run(committed, last);
    }

    /** A run's segments, two intermediate rounds (snapshots at segments 1 and 2) and its last segment over the second. */
    private record Rounds(List<Segment> segments, List<DurableRun.Snapshot> rounds, Segment last) {}

    private static Rounds rounds(Module module, Wire.CellJob job) {
        List<Segment> committed = new ArrayList<>();
        List<DurableRun.Snapshot> rounds = new ArrayList<>();
        AtomicReference<Checkpoint> held = new AtomicReference<>(); // the base the destination holds
        CellConfig config = Worker.config(job, null, null);
        java.util.function.Consumer<DurableRun.Snapshot> into = r -> {
            rounds.add(r);
            held.set(r.delta().nextBase(held.get()));
        };
        Segment last = run(module, job, committed, (run, s) -> {
            if (s.seq() == 1) {
                held.set(base(committed.get(1), config));
            }
            if (s.seq() == 1 || s.seq() == 2) {
                run.snapshot(held.get(), into);
            } else if (s.seq() == 3) {
                run.drain(held.get());
            }
        });
        return new Rounds(committed, rounds, last);
    }

    /** Sends {@code round} (a segment's wire form) to {@code m} as an intermediate round of the move under {@code epoch}. */
    private static void round(RawClient peer, String m, Wire.CellJob job, int epoch, byte[] round) {
        Transfer.send(peer.member(m)::tell, job.submission(), job.index(), epoch, null, round);
        peer.member(m).tell(new Wire.MoveRound(job.submission(), job.index(), epoch, Wire.MoveRound.PRECOPY));
    }

    /** Sends {@code last} (a segment's wire form) to {@code m} as the last round of the move under {@code epoch}. */
    private static void lastRound(RawClient peer, String m, Wire.CellJob job, int epoch, byte[] last) {
        Transfer.send(peer.member(m)::tell, job.submission(), job.index(), epoch, null, last);
        peer.member(m).tell(new Wire.MoveRound(job.submission(), job.index(), epoch, Wire.MoveRound.FINAL));
    }

    private static void expectReady(RawClient peer, int epoch) throws InterruptedException {
        Wire.MoveRound ready = peer.expect(Wire.MoveRound.class, WAIT);
        assertEquals(Wire.MoveRound.READY, ready.step());
        assertEquals(epoch, ready.epoch());
    }

    /**
     * Intermediate rounds (docs/cluster.md, "Moving a cell"): each a delta over the base the
     * destination holds, written into its prepared cell; the last round over the latest base
     * resumes the cell, which commits the very bytes of the whole segment. An intermediate round
     * that does not verify, skips a round (over another base) or is not a delta is refused as a
     * last round is: CANCEL to the old member, the cell back to the coordinator.
     */
    @Test
    void intermediateRoundsAdvanceThePreparedCellAndABadOneIsRefused() throws Exception {
        Module module = Assembler.assemble(Files.readString(FIBS), "fibs.casm");
        Wire.CellJob job = job(module);
        Rounds r = rounds(module, job);
        assertEquals(2, r.rounds().size());
        assertTrue(r.last().isDelta());
        CellConfig config = Worker.config(job, null, null);
        byte[] baseWire = r.segments().get(1).toBytes(KEY);
        byte[] one = r.rounds().get(0).segment().toBytes(KEY);
        byte[] two = r.rounds().get(1).segment().toBytes(KEY);
        Checkpoint held = r.rounds().get(1).delta().nextBase(r.rounds().get(0).delta().nextBase(
                base(r.segments().get(1), config)));
        Segment whole = r.last().over(held, null, Checkpoint.maxPayload(config));
        int p = InProcessClusterTest.freePort();
        try (ClusterNode m = ClusterNode.start(new Settings("127.0.0.1", p, List.of("127.0.0.1:" + p), null, null), 1,
                256L << 20, null, KEY); RawClient peer = new RawClient()) {
            assertTrue(m.awaitUp(WAIT));
            int epoch = 10;
            List<byte[]> bad = List.of(
                    r.rounds().get(0).segment().toBytes("another key".getBytes(StandardCharsets.UTF_8)), // forged
                    two, // over round one's base, which the destination does not hold
                    r.segments().get(2).toBytes(KEY)); // a whole segment, not a delta
            for (byte[] b : bad) {
                firstRound(peer, m.name(), job, ++epoch, baseWire);
                round(peer, m.name(), job, epoch, b);
                expectRefused(peer, epoch, "intermediate round " + epoch);
            }
            // The last round over the first round's base after a round: the destination holds
            // round one's, so it is refused.
            firstRound(peer, m.name(), job, ++epoch, baseWire);
            round(peer, m.name(), job, epoch, one);
            expectReady(peer, epoch);
            lastRound(peer, m.name(), job, epoch, r.last().toBytes(KEY));
            expectRefused(peer, epoch, "last round over a stale base");

            // Both rounds in order, then the last: the cell resumes and commits the whole segment.
            firstRound(peer, m.name(), job, ++epoch, baseWire);
            round(peer, m.name(), job, epoch, one);
            expectReady(peer, epoch);
            round(peer, m.name(), job, epoch, two);
            expectReady(peer, epoch);
            lastRound(peer, m.name(), job, epoch, r.last().toBytes(KEY));
            Wire.SegmentCommit handed = peer.expect(Wire.SegmentCommit.class, WAIT);
            assertEquals(epoch, handed.epoch());
            assertArrayEquals(whole.toBytes(KEY), handed.segment());
        }
    }

    private static Checkpoint base(Segment s, CellConfig config) {
        return Checkpoint.fromBytes(s.checkpoint(), "base", null, Checkpoint.maxPayload(config));
    }

    /** Starts a move of {@code job} to {@code m} under {@code epoch} and sends it {@code base} as the first round. */
    private static void firstRound(RawClient peer, String m, Wire.CellJob job, int epoch, byte[] base)
            throws InterruptedException {
        peer.member(m).tell(new Wire.MoveStart(new Wire.Run(job, peer.self(), epoch, new byte[0]), peer.self()));
        Transfer.send(peer.member(m)::tell, job.submission(), job.index(), epoch, null, base);
        peer.member(m).tell(new Wire.MoveRound(job.submission(), job.index(), epoch, Wire.MoveRound.BASE));
        Wire.MoveRound ready = peer.expect(Wire.MoveRound.class, WAIT);
        assertEquals(Wire.MoveRound.READY, ready.step());
        assertEquals(epoch, ready.epoch());
    }

    /** Expects the refusal of the move under {@code epoch}: CANCEL to the old member, the cell back to the coordinator. */
    private static void expectRefused(RawClient peer, int epoch, String what) throws InterruptedException {
        boolean cancelled = false;
        Wire.CellDone back = null;
        long end = System.nanoTime() + WAIT.toNanos();
        while ((!cancelled || back == null) && System.nanoTime() < end) {
            Msg msg = peer.next(Duration.ofMillis(200));
            if (msg instanceof Wire.MoveRound r && r.epoch() == epoch && r.step() == Wire.MoveRound.CANCEL) {
                cancelled = true;
            } else if (msg instanceof Wire.CellDone d) {
                back = d;
            } else if (msg instanceof Wire.SegmentCommit c) {
                throw new AssertionError(what + ": the member resumed and committed segment bytes of " + c.segment().length);
            }
        }
        assertTrue(cancelled, what + ": the old member is told to stop");
        assertTrue(back != null && Coordinator.REQUEUE.equals(back.outcome()), what + ": the cell is handed back, " + back);
        assertTrue(back.error().contains("refused"), back.error());
    }

    @Test
    void aDeltaResumesTheCellAndAForgedOrMismatchedOneIsRefused() throws Exception {
        Module module = Assembler.assemble(Files.readString(FIBS), "fibs.casm");
        Wire.CellJob job = job(module);
        String id = job.submission();
        Run r = run(module, job);
        Segment delta = r.last();
        assertTrue(delta.isDelta(), "drained over a base: " + delta);
        CellConfig config = Worker.config(job, null, null);
        Checkpoint base = base(r.segments().get(1), config);
        byte[] baseWire = r.segments().get(1).toBytes(KEY);
        byte[] otherBase = r.segments().get(2).toBytes(KEY);
        Segment whole = delta.over(base, null, Checkpoint.maxPayload(config));

        byte[] damagedCheckpoint = delta.checkpoint();
        damagedCheckpoint[damagedCheckpoint.length / 2] ^= 1;
        List<byte[]> forged = List.of(
                delta.toBytes("another key".getBytes(StandardCharsets.UTF_8)), // not the cluster's key
                delta.toBytes(null), // untagged
                new Segment(delta.cellId(), delta.seq(), delta.fuelUsed(), damagedCheckpoint, delta.stdout(),
                        delta.stderr(), Optional.empty()).toBytes(KEY)); // tagged by a key holder, damaged inside
        int p = InProcessClusterTest.freePort();
        try (ClusterNode m = ClusterNode.start(new Settings("127.0.0.1", p, List.of("127.0.0.1:" + p), null, null), 1,
                256L << 20, null, KEY); RawClient peer = new RawClient()) {
            assertTrue(m.awaitUp(WAIT));
            int epoch = 10;
            for (byte[] bad : forged) {
                firstRound(peer, m.name(), job, ++epoch, baseWire);
                lastRound(peer, m.name(), job, epoch, bad);
                expectRefused(peer, epoch, "forged last round " + epoch);
            }
            // A genuine delta over another first round than the one it was taken against.
            firstRound(peer, m.name(), job, ++epoch, otherBase);
            lastRound(peer, m.name(), job, epoch, delta.toBytes(KEY));
            expectRefused(peer, epoch, "delta over another base");
            // A chunk outside the image it claims.
            firstRound(peer, m.name(), job, ++epoch, baseWire);
            peer.member(m.name()).tell(new Wire.MoveChunk(id, 0, epoch, 10, 9, new byte[5]));
            expectRefused(peer, epoch, "chunk outside its image");

            // The genuine delta over its first round: the cell resumes, and the segment it was
            // handed reaches the coordinator whole, the very bytes of the whole segment.
            firstRound(peer, m.name(), job, ++epoch, baseWire);
            lastRound(peer, m.name(), job, epoch, delta.toBytes(KEY));
            Wire.SegmentCommit handed = peer.expect(Wire.SegmentCommit.class, WAIT);
            assertEquals(epoch, handed.epoch());
            Segment got = Segment.fromBytes(handed.segment(), KEY, Segment.maxSize(config));
            assertFalse(got.isDelta());
            assertEquals(delta.seq(), got.seq());
            assertArrayEquals(whole.toBytes(KEY), handed.segment());
            // Its own next segment waits until the handed one counted: a coordinator fences a
            // commit of the next seq while the handed one is being replicated, which stopped the
            // run and lost the cell (the hang of ClusterMultiJvmTest's drain). Its segments
            // are 20,000 units of fuel: without the wait the next one arrives within milliseconds.
            long quiet = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < quiet) {
                if (peer.next(Duration.ofMillis(100)) instanceof Wire.SegmentCommit early) {
                    throw new AssertionError("segment " + Segment.fromBytes(early.segment(), KEY,
                            Segment.maxSize(config)).seq() + " was committed before the handed one counted");
                }
            }
            peer.member(m.name()).tell(new Wire.SegmentAck(id, 0, epoch, delta.seq(), true));
            Wire.MoveRound done = peer.expect(Wire.MoveRound.class, WAIT);
            assertEquals(Wire.MoveRound.DONE, done.step());
            // Then its own next segment follows, from where the delta left off.
            Wire.SegmentCommit next = peer.expect(Wire.SegmentCommit.class, WAIT);
            assertEquals(delta.seq() + 1, Segment.fromBytes(next.segment(), KEY, Segment.maxSize(config)).seq());
        }
    }
}
