package dev.cella.cluster;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointDelta;
import dev.cella.sandbox.durable.DurableRun;
import dev.cella.sandbox.durable.Segment;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A durable cell moving in from another member, on the member it moves to (docs/cluster.md,
 * "Moving a cell"): its run, the member that sends it, its segment so far (the chunks of each
 * round), and the cell prepared over the first round's checkpoint ({@link #rehearse}), into
 * which a last round that is a delta is restored. {@link Worker} keeps one per move until the
 * last round is in; only the member's actor calls it, except the prepared cell, which the
 * rehearsal's thread sets: whichever of setting it and ending the move comes second closes it
 * if the move is over.
 */
final class Incoming {
    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");

    private final Wire.Run run;
    private final ActorRef<Msg> source;
    private final Transfer.Image image;
    private DurableRun.Prepared prepared;
    private boolean over;

    Incoming(Wire.Run run, ActorRef<Msg> source, Transfer.Image image) {
        this.run = run;
        this.source = source;
        this.image = image;
    }

    Wire.Run run() {
        return run;
    }

    ActorRef<Msg> source() {
        return source;
    }

    Transfer.Image image() {
        return image;
    }

    private synchronized void prepared(DurableRun.Prepared p) {
        if (over) {
            p.close();
        } else {
            prepared = p;
        }
    }

    /** The prepared cell (null if none), which the caller now owns; the move is over here. */
    synchronized DurableRun.Prepared take() {
        DurableRun.Prepared p = prepared;
        prepared = null;
        over = true;
        return p;
    }

    /** The move is over without a resume: the prepared cell, if any, is closed. */
    void drop() {
        DurableRun.Prepared p = take();
        if (p != null) {
            p.close();
        }
    }

    /** Drops {@code in} (for a {@code removeIf} over the moves): true. */
    static boolean dropped(Incoming in) {
        in.drop();
        return true;
    }

    /**
     * Prepares the cell the move resumes, on a thread of its own, then answers {@code ready} to
     * the old member: the first round's segment verified with {@code segmentKey} and decoded, a
     * cell of {@code module} created with its memory ({@link DurableRun#prepare}), while the cell
     * still runs on the old member; the last round (a delta) then writes only the pages changed
     * since into it, inside the pause. A first round that does not restore shows in the log
     * before the cell stops (and its delta is refused: {@link #refuse}).
     */
    void rehearse(Module module, byte[] segmentKey, Wire.MoveRound ready) {
        Wire.CellJob j = run.job();
        byte[] bytes = image.bytes();
        Thread.ofVirtual().name("cella-rehearse-" + j.name()).start(() -> {
            try {
                CellConfig config = Worker.config(j, null, null);
                Segment seg = Segment.fromBytes(bytes, segmentKey, Segment.maxSize(config));
                Checkpoint base = Checkpoint.fromBytes(seg.checkpoint(), "segment " + seg.seq(), null,
                        Checkpoint.maxPayload(config));
                prepared(DurableRun.prepare(module, config, base));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the first round of the move of {0} does not restore: {1}",
                        j.name(), e.getMessage());
            } finally {
                source.tell(ready); // whatever happened: the old member's run waits for it
            }
        });
    }

    /**
     * Takes an intermediate round (docs/cluster.md, "Moving a cell"), on a thread of its own, then
     * answers {@code ready}: the round's segment, the chunks just received, verified with {@code
     * segmentKey} as the cell's and read as a delta over the prepared cell's base, whose pages
     * are written into the prepared cell, which the delta's checkpoint is then the base of
     * ({@link DurableRun.Prepared#advance}); that base's CRC-32C, which the next delta is checked
     * against, is computed before the answer, so that the last round's check does not wait for
     * it inside the pause. A round that does not verify, is not a delta of this
     * cell, is damaged or over another base, or comes when the first round did not restore, is
     * refused ({@code refused} is given why): checked as the last round is, since the last round
     * is restored over it. Nothing happens if the move is over meanwhile.
     */
    void advance(byte[] segmentKey, Wire.MoveRound ready, Consumer<String> refused) {
        Wire.CellJob j = run.job();
        byte[] bytes = image.bytes();
        Thread.ofVirtual().name("cella-precopy-" + j.name()).start(() -> {
            DurableRun.Prepared p;
            synchronized (this) {
                if (over) {
                    return;
                }
                p = prepared;
            }
            try {
                if (p == null) {
                    throw new IllegalArgumentException("an intermediate round, but the first round did not restore");
                }
                CellConfig config = Worker.config(j, null, null);
                Segment seg = Segment.fromBytes(bytes, segmentKey, Segment.maxSize(config));
                String cell = Worker.cellId(j.submission(), j.index());
                if (!seg.cellId().equals(cell) || !seg.isDelta()) {
                    throw new IllegalArgumentException("an intermediate round must be a delta of " + cell + ", not "
                            + (seg.isDelta() ? "of " + seg.cellId() : "a whole segment"));
                }
                p.advance(CheckpointDelta.fromBytes(seg.checkpoint(), "round over segment " + seg.seq(), null,
                        Checkpoint.maxPayload(config))).payloadCrc32c();
            } catch (IllegalStateException e) {
                return; // the prepared cell was closed meanwhile: the move is over
            } catch (RuntimeException e) {
                refused.accept(String.valueOf(e.getMessage()));
                return;
            }
            source.tell(ready);
        });
    }

    /**
     * Refuses the move on member {@code member} (a chunk outside its image, a last segment that
     * does not verify, decode or apply over the first round: a peer's bytes are untrusted
     * input): the old member's run stops (CANCEL) and the coordinator gets the cell back
     * ({@code REQUEUE}) and places it anew from its last counted segment, which the move's last
     * segment never became; at most the work since it runs again, and no output is lost or
     * doubled (docs/cluster.md, "Moving a cell").
     */
    void refuse(String member, String why) {
        Wire.CellJob j = run.job();
        LOG.log(System.Logger.Level.WARNING, "refused the move of {0}: {1}; it resumes from its last counted segment",
                Worker.key(j.submission(), j.index(), run.epoch()), why);
        source.tell(new Wire.MoveRound(j.submission(), j.index(), run.epoch(), Wire.MoveRound.CANCEL));
        run.replyTo().tell(new Wire.CellDone(j.submission(), j.index(), member, Coordinator.REQUEUE, 0,
                "the move of " + j.name() + " to " + member + " was refused: " + why, 0, new byte[0], new byte[0]));
    }

    /**
     * Commits {@code handed}, the segment the cell of {@code r} was handed over with, to the
     * coordinator for the old member's run, whole: a delta is applied over {@code base} (the
     * first round's checkpoint) and written as the old member would have written the whole
     * segment, byte for byte, on a thread of its own so that the cell runs meanwhile.
     *
     * @param failed given why if the segment cannot be made whole, which a delta that was
     *     restored from cannot (a bug): the run is to stop, and the cell is placed anew
     */
    static void commitWhole(Wire.Run r, Segment handed, Checkpoint base, CellConfig config, byte[] segmentKey,
            String member, ActorRef<Msg> self, Consumer<Throwable> failed) {
        Wire.CellJob j = r.job();
        if (!handed.isDelta()) {
            r.replyTo().tell(new Wire.SegmentCommit(j.submission(), j.index(), r.epoch(), member, r.resume(), self));
            return;
        }
        Thread.ofVirtual().name("cella-handed-" + j.name()).start(() -> {
            try {
                byte[] whole = handed.over(base, null, Checkpoint.maxPayload(config)).toBytes(segmentKey);
                r.replyTo().tell(new Wire.SegmentCommit(j.submission(), j.index(), r.epoch(), member, whole, self));
            } catch (RuntimeException | Error e) { // either way the run learns it: its first commit waits
                LOG.log(System.Logger.Level.ERROR, "the segment {0} was handed over with cannot be made whole: {1}",
                        j.name(), e.getMessage());
                failed.accept(e);
            }
        });
    }

    /**
     * The coordinator answered {@code a} to the commit of the segment the cell of {@code d} was
     * handed over with: the old member's run may end (DONE) or stops (CANCEL), and the run's own
     * commits, which wait for it ({@code Durable#handed}), follow or fail. They wait
     * because the coordinator takes a cell's segments in {@code seq} order, one at a time: a
     * commit of the next seq arriving while the handed one is being replicated is fenced
     * ({@link CellLog#judge}), which stopped the run with nobody left to report the cell. While
     * the handed segment is outstanding it is the run's only commit, so {@code a} is its answer
     * (a refusal may carry seq -1).
     */
    static void answered(Durable d, Wire.SegmentAck a) {
        d.handedSeq = -1;
        d.source.tell(new Wire.MoveRound(a.submission(), a.index(), a.epoch(),
                a.ok() ? Wire.MoveRound.DONE : Wire.MoveRound.CANCEL));
        if (a.ok()) {
            d.handed.complete(null);
        } else {
            d.fenced = true;
            d.dr.drain();
            d.handed.completeExceptionally(new ClusterException(ClusterException.Kind.UNAVAILABLE,
                    "the coordinator refused the segment " + d.run.job().name() + " was handed over with"));
        }
    }
}
