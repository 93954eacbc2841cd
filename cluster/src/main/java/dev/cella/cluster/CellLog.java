package dev.cella.cluster;

import dev.cella.sandbox.durable.Segment;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a coordinator knows of one durable cell (docs/cluster.md, "Durable runs"): the epoch of
 * its latest placement, the last segment committed to it and that segment's {@code seq}. It
 * decides what to do with a segment a member commits; only the coordinator's actor calls it.
 *
 * <p>The invariants: only the latest placement's run may commit (a run the coordinator took the
 * cell from, a zombie, is fenced out, so a resumed run and a zombie never both advance the cell);
 * segments are stored and their output forwarded once each, in {@code seq} order, from 0 up
 * without a gap. A {@code seq} already stored is acknowledged without being forwarded again (the
 * at-least-once commit of docs/durable.md, "For a cluster", made exactly once here). A segment
 * is {@link #store}d (it counts) only once a replica holds it too; until then it is the cell's
 * {@link #pending()} segment, at most one at a time (a run waits for its commit before it
 * commits the next), and a new placement drops it (docs/cluster.md, "Replication").
 *
 * <p>A <em>handover</em> (a draining member moving the cell straight to another, docs/cluster.md,
 * "Moving a cell") opens a new placement while the old run still runs: until the new run's
 * first commit is taken, the old run's commits are taken too (its last segment is the one the new
 * run resumes from, which the new run commits first). Segments still come one at a time in
 * {@code seq} order, so at most one of the two runs advances the cell; once the new run
 * committed, the old one is fenced like any other.
 */
final class CellLog {
    /** What to do with a committed segment. */
    enum Verdict {
        /** The next segment: store it, forward its output, acknowledge. */
        ACCEPT,
        /** A seq already stored (a commit sent again): acknowledge, forward nothing. */
        DUPLICATE,
        /** From a placement that is not the latest, or past a gap: refuse, the run must stop. */
        FENCED,
        /** The segment being replicated, sent again: its answer comes when it counts. */
        PENDING
    }

    /**
     * A segment accepted from the cell's live run and sent to a replica, not yet counted.
     *
     * @param runner the member that runs the cell (host:port), and {@code runnerRef} its actor
     * @param replica the member asked to hold it, or null while none is asked
     */
    record Pending(int epoch, long seq, byte[] bytes, Segment segment, String runner, ActorRef<Msg> runnerRef,
            String replica) {
        Pending to(String newReplica) {
            return new Pending(epoch, seq, bytes, segment, runner, runnerRef, newReplica);
        }
    }

    private int epoch;

    CellLog() {
        this(0);
    }

    /**
     * @param epochBase the epoch before this coordinator's first placement: 0, or above every
     *     epoch of the coordinators before it when it took the submission over ({@link Takeover})
     */
    CellLog(int epochBase) {
        this.epoch = epochBase;
    }
    private long lastSeq = -1;
    private byte[] last = new byte[0];
    private Pending pending;
    /** The epoch of the run handing the cell over, or -1 if no handover is open. */
    private int handoverFrom = -1;
    private String handoverMember;

    /**
     * A new placement: the previous one's run is fenced out from now on, and its segment not yet
     * replicated is dropped (the new run makes it again). @return its epoch
     */
    int place() {
        pending = null;
        endHandover();
        return ++epoch;
    }

    /** The segment waiting for its replica, or null. */
    Pending pending() {
        return pending;
    }

    /**
     * The cell was taken from its run (its member lost, untrusted, or handing it back): the
     * segment it sent does not count, even if its replica answers; the next run makes it again.
     */
    void dropPending() {
        pending = null;
    }

    /** An {@link Verdict#ACCEPT}ed segment goes to a replica. */
    void propose(Pending p) {
        pending = p;
    }

    /**
     * A new placement that the current run, on {@code from}, hands the cell over to; the
     * current run's commits are still taken until the new run commits (its segment being
     * replicated, if any, still counts). @return the new epoch
     */
    int handover(String from) {
        handoverFrom = epoch;
        handoverMember = from;
        return ++epoch;
    }

    /** The member handing the cell over, or null if no handover is open. */
    String handoverMember() {
        return handoverMember;
    }

    /** True if {@code fromEpoch} is the run handing the cell over, whose commits are still taken. */
    boolean handingOver(int fromEpoch) {
        return handoverFrom >= 0 && fromEpoch == handoverFrom;
    }

    /** Closes the handover: the old run is fenced from now on. */
    void endHandover() {
        handoverFrom = -1;
        handoverMember = null;
    }

    int epoch() {
        return epoch;
    }

    /** The wire form of the last committed segment, or empty if none. */
    byte[] last() {
        return last;
    }

    long lastSeq() {
        return lastSeq;
    }

    Verdict judge(int fromEpoch, long seq) {
        if (fromEpoch != epoch && !handingOver(fromEpoch)) {
            return Verdict.FENCED;
        }
        if (seq <= lastSeq) {
            return Verdict.DUPLICATE;
        }
        if (pending != null && pending.seq() == seq) {
            return Verdict.PENDING;
        }
        return seq == lastSeq + 1 ? Verdict.ACCEPT : Verdict.FENCED;
    }

    /** Why {@link #judge} fenced segment {@code seq} from {@code fromEpoch}: the refused run logs it. */
    String whyFenced(int fromEpoch, long seq) {
        return fromEpoch != epoch && !handingOver(fromEpoch) ? "the cell was placed anew (epoch " + epoch + ")"
                : "segment " + seq + " does not follow the last counted one (" + lastSeq + ")";
    }

    /**
     * A commit from {@code fromEpoch} was taken (not {@link Verdict#FENCED}): if it is the latest
     * placement's, a handover is over.
     */
    void taken(int fromEpoch) {
        if (fromEpoch == epoch) {
            endHandover();
        }
    }

    /** Stores an {@link Verdict#ACCEPT}ed segment, once replicated: it counts, the previous one is dropped. */
    void store(long seq, byte[] segment) {
        lastSeq = seq;
        last = segment;
        pending = null;
    }
}
