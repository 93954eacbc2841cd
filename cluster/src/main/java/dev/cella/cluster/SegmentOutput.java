package dev.cella.cluster;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a submitter holds of one running durable cell's output: the segments' outputs in {@code
 * seq} order, each kept once, and where each began, so that a coordinator that took the
 * submission over can have it dropped from a segment on ({@link SubmitProtocol.Rewind},
 * docs/cluster.md, "Coordinator failover"). Written to the batch's files only with the cell's end.
 */
final class SegmentOutput {
    /** A byte buffer that can be cut back. */
    private static final class Bytes extends ByteArrayOutputStream {
        void truncate(int n) {
            count = Math.min(count, n);
        }
    }

    private final Bytes out = new Bytes();
    private final Bytes err = new Bytes();
    /** Per seq held: the lengths of stdout and stderr before it. */
    private final TreeMap<Long, int[]> starts = new TreeMap<>();
    private long next;
    private boolean whole = true;

    /** A segment's output; a seq below {@link #next} is held already and dropped. */
    void add(long seq, byte[] stdout, byte[] stderr) {
        if (seq < next) {
            return;
        }
        if (seq > next) {
            whole = false; // a seq was skipped: what is held is no longer "every seq below next"
        }
        starts.put(seq, new int[] {out.size(), err.size()});
        out.writeBytes(stdout);
        err.writeBytes(stderr);
        next = seq + 1;
    }

    /** Drops what is held from segment {@code seq} on; the next output expected is that segment's. */
    void rewind(long seq) {
        if (seq < 0 || seq >= next) {
            return;
        }
        Map.Entry<Long, int[]> from = starts.ceilingEntry(seq);
        if (from != null) {
            out.truncate(from.getValue()[0]);
            err.truncate(from.getValue()[1]);
            starts.tailMap(seq, true).clear();
        }
        next = seq;
        if (seq == 0) {
            whole = true; // nothing held, nothing missing
        }
    }

    /** The seq after the last one held (0 if none). */
    long next() {
        return next;
    }

    /** True if every seq below {@link #next} is held. */
    boolean whole() {
        return whole;
    }

    /** True if any segment's output is held. */
    boolean holds() {
        return !starts.isEmpty();
    }

    /** The stdout held, followed by {@code tail}. */
    byte[] out(byte[] tail) {
        out.writeBytes(tail);
        return out.toByteArray();
    }

    /** The stderr held, followed by {@code tail}. */
    byte[] err(byte[] tail) {
        err.writeBytes(tail);
        return err.toByteArray();
    }
}
