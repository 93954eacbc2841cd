package dev.cella.cluster;

/**
 * What a coordinator knows of one durable cell (docs/cluster.md, "Durable runs"): the epoch of
 * its latest placement, the last segment committed to it and that segment's {@code seq}. It
 * decides what to do with a segment a member commits; only the coordinator's actor calls it.
 *
 * <p>The invariants: only the latest placement's run may commit (a run the coordinator took the
 * cell from, a zombie, is fenced out, so a resumed run and a zombie never both advance the cell);
 * segments are stored and their output forwarded once each, in {@code seq} order, from 0 up
 * without a gap. A {@code seq} already stored is acknowledged without being forwarded again (the
 * at-least-once commit of docs/durable.md, "For a cluster", made exactly once here).
 */
final class CellLog {
    /** What to do with a committed segment. */
    enum Verdict {
        /** The next segment: store it, forward its output, acknowledge. */
        ACCEPT,
        /** A seq already stored (a commit sent again): acknowledge, forward nothing. */
        DUPLICATE,
        /** From a placement that is not the latest, or past a gap: refuse, the run must stop. */
        FENCED
    }

    private int epoch;
    private long lastSeq = -1;
    private byte[] last = new byte[0];

    /** A new placement: the previous one's run is fenced out from now on. @return its epoch */
    int place() {
        return ++epoch;
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
        return seq == lastSeq + 1 ? Verdict.ACCEPT : Verdict.FENCED;
    }

    /** Stores an {@link Verdict#ACCEPT}ed segment. */
    void store(long seq, byte[] segment) {
        lastSeq = seq;
        last = segment;
    }
}
