package dev.cella.cluster;

import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.durable.DurableRun;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A durable cell that runs on a member ({@link Worker}), as a cell of the member's scheduler. {@code inflight} is its
 * one commit in flight (set on the run's thread, completed by the actor on the coordinator's
 * answer). The fields under "moving out" and "moving in" are a move's (docs/cluster.md,
 * "Moving a cell"); those the run's thread reads are volatile.
 */
final class Durable {
    final Wire.Run run;
    /** The cell's fuel used at its last acknowledged segment (counted here up to it). */
    long countedFuel;
    DurableRun dr;
    volatile CompletableFuture<Void> inflight;
    /** The fuel used at the end of the segment in flight. */
    volatile long inflightFuel;
    /**
     * The coordinator refused a segment (the cell was placed elsewhere), or is gone: this run
     * commits and reports nothing more. Read on the run's thread.
     */
    volatile boolean fenced;

    // Moving out.
    /** The member the cell moves to and its run's epoch there, or null. */
    volatile ActorRef<Msg> dest;
    volatile int destEpoch;
    /** The image sent in the move's first round (set on the run's thread). */
    volatile byte[] base;
    /**
     * The first round's checkpoint, decoded off the run's thread once the round is sent, or
     * null until then: the last segment is taken as a delta over it ({@link DurableRun#drain(
     * Checkpoint)}), whole if it is still null.
     */
    volatile Checkpoint baseCheckpoint;
    /** Intermediate rounds of the move taken so far ({@link PreCopy}). */
    volatile int rounds;
    /** The size of the last intermediate round's wire form. */
    volatile long roundBytes;
    /**
     * The base the destination holds once it answers the intermediate round in flight (READY),
     * computed off the run's thread; null if no such round is in flight.
     */
    volatile CompletableFuture<Checkpoint> nextBase;
    /** The destination holds the base: the run is being drained, its last segment goes there. */
    volatile boolean ready;
    /** Set when the cell stops for a segment's end: whether it is the run's last, and when. */
    volatile boolean stopping;
    volatile long stoppedAt;
    /** The run stopped at a segment's end and has not yet handed that segment to its sink. */
    volatile boolean segmentStopped;
    /** How often the drain waited for a segment about to be committed ({@code drainWhenSettled}). */
    volatile int drainDeferrals;
    /** When the coordinator last acknowledged a commit of this run (wall clock, for the move's log line). */
    volatile long ackedAt;
    /** The last segment's commit by the destination: completes once the coordinator stored it. */
    volatile CompletableFuture<Void> handoff;
    /** The move was called off: the cell is placed anew, this run stops and reports nothing. */
    volatile boolean calledOff;
    /** The destination's run committed the last segment: this run's end reports nothing. */
    boolean handedOver;

    // Moving in.
    /** The member that handed the cell over, told once its last segment is stored; null if none. */
    ActorRef<Msg> source;
    /** The seq of that segment, committed by this member for it, or -1. */
    volatile long handedSeq = -1;
    /**
     * Completes once the coordinator counted that segment ({@link Incoming#answered}),
     * exceptionally if it refused it or is gone; null if the cell was not handed over. The
     * run's own commits are sent only then (docs/cluster.md, "Moving a cell", step 4).
     */
    volatile CompletableFuture<Void> handed;
    /** Thread CPU time when the cell stopped for a segment's end (ns), for the move's log line. */
    volatile long stoppedCpu;

    Durable(Wire.Run run, long startFuel) {
        this.run = run;
        this.countedFuel = startFuel;
    }
}
