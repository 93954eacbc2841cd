package dev.cella.sandbox.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A test's commit sink and output sink in one: the committed segments stand for the replicated
 * store that outlives a crash, the released output for what a user saw. It checks the protocol as
 * it goes (commits contiguous and in order, releases exactly once, in order, and only of committed
 * segments) and can inject one crash per segment number ({@link #crashAt}).
 */
final class Ledger implements CommitSink, OutputSink {
    /** Where a crash strikes a segment. */
    enum Crash {
        /** commit throws before the segment is stored: it never became durable. */
        COMMIT_THROWS,
        /** commit returns a stage that fails later, the segment not stored. */
        COMMIT_FAILS_LATER,
        /** The segment is stored, then commit throws: durable, but the run believes it failed. */
        STORED_THEN_THROWS,
        /** Committed, then the release throws: durable, its output not released. */
        RELEASE_THROWS
    }

    /** The crash that ended a run, thrown by the sinks. */
    static final class Crashed extends RuntimeException {
        Crashed(String what) {
            super(what, null, false, false);
        }
    }

    final List<Segment> committed = new ArrayList<>();
    final List<Segment> released = new ArrayList<>();
    private final Map<Long, Crash> crashes = new HashMap<>();

    /** Strikes segment {@code seq} with {@code crash} the first time it comes (re-executions go through). */
    Ledger crashAt(long seq, Crash crash) {
        crashes.put(seq, crash);
        return this;
    }

    @Override
    public synchronized CompletionStage<Void> commit(Segment s) {
        long expected = committed.isEmpty() ? 0 : last().seq() + 1;
        assertEquals(expected, s.seq(), "commits are contiguous: " + s);
        assertTrue(committed.isEmpty() || !last().isFinal(), "nothing commits after a final segment");
        Crash c = crashes.get(s.seq());
        if (c == Crash.COMMIT_THROWS) {
            crashes.remove(s.seq());
            throw new Crashed("commit of " + s.seq());
        }
        if (c == Crash.COMMIT_FAILS_LATER) {
            crashes.remove(s.seq());
            return CompletableFuture.failedFuture(new Crashed("replication of " + s.seq()));
        }
        committed.add(s);
        if (c == Crash.STORED_THEN_THROWS) {
            crashes.remove(s.seq());
            throw new Crashed("after storing " + s.seq());
        }
        return CompletableFuture.supplyAsync(() -> null); // completes on another thread, as a replica's ack does
    }

    @Override
    public synchronized void release(Segment s) {
        long expected = released.isEmpty() ? 0 : released.get(released.size() - 1).seq() + 1;
        if (s.seq() != expected) {
            fail("released " + s + " but the next to release is " + expected);
        }
        if (committed.isEmpty() || !committed.get((int) s.seq()).equals(s)) {
            fail("released " + s + ", which is not committed");
        }
        if (crashes.get(s.seq()) == Crash.RELEASE_THROWS) {
            crashes.remove(s.seq());
            throw new Crashed("release of " + s.seq());
        }
        released.add(s);
    }

    synchronized Segment last() {
        return committed.get(committed.size() - 1);
    }

    /** True if the last committed segment's output was released (what a resuming run is told). */
    synchronized boolean lastReleased() {
        return !released.isEmpty() && released.get(released.size() - 1).seq() == last().seq();
    }

    /** All released stdout, in order. */
    synchronized byte[] stdout() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        released.forEach(s -> out.writeBytes(s.stdout()));
        return out.toByteArray();
    }

    /** All released stderr, in order. */
    synchronized byte[] stderr() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        released.forEach(s -> out.writeBytes(s.stderr()));
        return out.toByteArray();
    }
}
