package dev.cella.cluster;

import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.durable.DurableRun;
import java.util.concurrent.CompletableFuture;

/**
 * A move's intermediate rounds, on the member the cell leaves (docs/cluster.md, "Moving a cell"):
 * after the first round, while the cell runs on, the pages it changed since the round before are
 * sent again, round after round, so that the last round (inside the pause) carries only what it
 * wrote during one short round rather than since the first.
 *
 * <p>Each round is a {@link DurableRun#snapshot}: at a safe point the run takes a delta of the
 * cell over the base the destination holds (one comparison pass and a copy of the changed pages,
 * the cell stopped meanwhile), and goes on running; the delta, as a segment tagged with the
 * cluster key, is sent whole and the destination writes its pages into the cell it prepared
 * ({@link Incoming#advance}) and answers READY. Both sides then hold the same next base, the
 * delta applied over the previous one ({@code CheckpointDelta#nextBase}, computed on each side
 * off the pause), and the next delta, intermediate or last, is taken and checked against it: a
 * delta records its base's payload length and CRC-32C, so a round over any other base is refused.
 *
 * <p>When to stop: after {@link #MAX_ROUNDS} rounds, or once a round was at most {@link #SMALL}
 * bytes, and no commit of the run is in flight (the drain would wait for it with the cell
 * running, {@code Worker#drainWhenSettled}: one more round is then taken after the commit's
 * acknowledgement). So that rounds and commits do not race, the run's segment end is postponed
 * once, when the rounds start, by {@link #MAX_ROUNDS} segments of fuel ({@link
 * DurableRun#postpone}): a move that fails then re-executes at most that much more work. A
 * cell that rewrites its memory faster than a round carries it stops at the limit.
 * Called by the member's actor (READY) or a commit's completion; the rounds of one move follow
 * one another (the next is asked only once the destination answered the one before).
 */
final class PreCopy {
    /** The most intermediate rounds of one move (system property {@code cella.cluster.precopy.rounds}; 0: none). */
    static final int MAX_ROUNDS = Integer.getInteger("cella.cluster.precopy.rounds", 5);
    /** A round of at most this many bytes leaves the last round small (system property {@code cella.cluster.precopy.small}). */
    static final long SMALL = Long.getLong("cella.cluster.precopy.small", 1L << 20);

    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");

    private PreCopy() {}

    /**
     * The destination of {@code d}'s move answered READY to the first round or an intermediate
     * one: takes another round, or runs {@code last} (which drains the run for the last round).
     */
    static void ready(Durable d, byte[] segmentKey, Runnable last) {
        CompletableFuture<Checkpoint> held = d.nextBase;
        if (held == null) {
            step(d, segmentKey, last);
            return;
        }
        d.nextBase = null;
        held.whenComplete((b, x) -> {
            // Not computed (a bug, not input): the last round goes whole, compared with d.base,
            // the image the destination holds (the round's wire form).
            d.baseCheckpoint = x == null ? b : null;
            step(d, segmentKey, last);
        });
    }

    private static void step(Durable d, byte[] segmentKey, Runnable last) {
        Checkpoint base = d.baseCheckpoint;
        if (base == null || d.calledOff) {
            last.run();
            return;
        }
        CompletableFuture<Void> f = d.inflight;
        boolean settled = f == null || f.isDone();
        boolean done = d.rounds >= MAX_ROUNDS || (d.rounds > 0 && d.roundBytes <= SMALL);
        if (!done) {
            round(d, base, segmentKey, last);
        } else if (settled) {
            last.run();
        } else {
            // The drain would wait for this commit's acknowledgement with the cell running on,
            // the destination's base growing stale: one more round once it came (at most as
            // many again as MAX_ROUNDS, so that a run whose commits never settle still ends).
            f.whenComplete((v, x) -> {
                if (d.rounds >= 2 * MAX_ROUNDS || d.calledOff) {
                    last.run();
                } else {
                    round(d, d.baseCheckpoint, segmentKey, last);
                }
            });
        }
    }

    /** Takes round {@code d.rounds + 1} over {@code base} and sends it from a thread of its own. */
    private static void round(Durable d, Checkpoint base, byte[] segmentKey, Runnable last) {
        int n = ++d.rounds;
        if (n == 1) {
            // The run's segments would end (and commit a whole checkpoint each) between the
            // rounds, and the last round waits for such a commit: postponed while the rounds run,
            // once, by at most what the rounds may take (DurableRun#postpone).
            d.dr.postpone(d.run.job().segmentFuel() * (long) MAX_ROUNDS);
        }
        d.dr.snapshot(base, s -> { // on the run's thread, the cell stopped: quick
            long taken = System.currentTimeMillis();
            if (s == null) {
                last.run(); // not taken over this base (another module's): the last round goes whole
                return;
            }
            Thread.ofVirtual().name("cella-precopy-" + d.run.job().name()).start(() -> {
                Wire.CellJob j = d.run.job();
                long cpu0 = Transfer.cpu();
                byte[] bytes = s.segment().toBytes(segmentKey);
                CompletableFuture<Checkpoint> next = new CompletableFuture<>();
                d.nextBase = next; // before READY can come
                d.base = bytes; // the destination's image once the round is in (sent whole)
                d.roundBytes = bytes.length;
                Transfer.send(d.dest::tell, j.submission(), j.index(), d.destEpoch, null, bytes);
                d.dest.tell(new Wire.MoveRound(j.submission(), j.index(), d.destEpoch, Wire.MoveRound.PRECOPY));
                long sent = System.currentTimeMillis();
                try {
                    next.complete(s.delta().nextBase(base));
                } catch (RuntimeException | Error e) {
                    next.completeExceptionally(e);
                }
                LOG.log(System.Logger.Level.INFO, "pre-copy round {0} of {1}: {2} pages, {3} bytes, taken at {4} ms, "
                        + "sent at {5} ms (process cpu: send and next base {6} ms)", n, Worker.key(j.submission(),
                        j.index(), d.run.epoch()), s.delta().changedPages(), bytes.length, String.valueOf(taken),
                        String.valueOf(sent), Transfer.millis(Transfer.cpu() - cpu0));
            });
        });
    }
}
