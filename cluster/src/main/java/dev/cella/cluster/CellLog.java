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
    private long lastSeq = -1;
    private byte[] last = new byte[0];
    private Pending pending;

    /**
     * A new placement: the previous one's run is fenced out from now on, and its segment not yet
     * replicated is dropped (the new run makes it again). @return its epoch
     */
    int place() {
        pending = null;
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
        if (fromEpoch != epoch) {
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

    /** Stores an {@link Verdict#ACCEPT}ed segment, once replicated: it counts, the previous one is dropped. */
    void store(long seq, byte[] segment) {
        lastSeq = seq;
        last = segment;
        pending = null;
    }
}
