package dev.cella.cluster;

import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import java.io.ByteArrayOutputStream;

/**
 * How the cells of one member end, as their coordinators and the member's load see it: each end,
 * hand-back or failure reported to the cell's coordinator (through the member's {@link Outbox}),
 * a run its coordinator shut out logged, and the counts the member's {@link Wire.Load} shows
 * (memory reserved, weights, cells finished, fuel used). Only the member's actor calls it, through
 * {@link Worker}.
 *
 * <p>The counts' invariant: a cell's quota and weight count from the moment it {@link #started}
 * here to the moment it {@link #ended}, whatever ends it (its end, a drain, a move, a fence), so
 * that placement's memory accounting and the member's pool are the same bytes (docs/cluster.md,
 * "Durable runs").
 */
final class Outcomes {
    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");

    private final String member;
    private final int cores;
    private final long memory;
    private final Outbox outbox;
    private long reserved;
    private long weights;
    private long finished;
    private long fuelUsed;

    /** @param member this member's host:port, named in every report */
    Outcomes(String member, int cores, long memory, Outbox outbox) {
        this.member = member;
        this.cores = cores;
        this.memory = memory;
        this.outbox = outbox;
    }

    /** This member's load, with {@code cells} running, waiting or arriving here. */
    Wire.Load load(int cells, boolean draining) {
        return new Wire.Load(member, cores, memory, reserved, weights, cells, finished, fuelUsed, draining);
    }

    /** True if {@code j}'s memory quota fits the memory not reserved here now. */
    boolean fits(Wire.CellJob j) {
        return j.reserve() <= memory - reserved;
    }

    /** A cell started here: its quota and weight count until it {@link #ended}. */
    void started(Wire.CellJob j) {
        reserved += j.reserve();
        weights += j.weight();
    }

    /** A cell that {@link #started} here ended, however it ended. */
    void ended(Wire.CellJob j) {
        reserved -= j.reserve();
        weights -= j.weight();
        finished++;
    }

    /** Fuel run here and counted: a plain cell's at its end, a durable cell's as its segments commit. */
    void fuel(long used) {
        fuelUsed += used;
    }

    /** A plain cell ended: its end, fuel and captured output go to its coordinator. */
    void plainEnded(Wire.Run r, RunResult res, long fuel, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        Wire.CellJob j = r.job();
        ended(j);
        fuel(fuel);
        String error = res.error() == null ? "" : res.error().getMessage();
        outbox.send(r.replyTo(), new Wire.CellDone(j.submission(), j.index(), member, res.outcome().name(),
                res.exitStatus(), error == null ? "" : error, fuel, bytes(out), bytes(err)));
    }

    /**
     * A cell could not start here (its module does not load, its segment does not verify): the
     * same failure it would have had locally, reported as its end with {@code ERROR}.
     */
    void notStarted(Wire.Run r, String why) {
        finished++;
        failed(r, why);
    }

    /** A cell's run failed: its end, {@code ERROR}, goes to its coordinator. */
    void failed(Wire.Run r, String why) {
        Wire.CellJob j = r.job();
        outbox.send(r.replyTo(), new Wire.CellDone(j.submission(), j.index(), member, Outcome.ERROR.name(), 0,
                String.valueOf(why), 0, new byte[0], new byte[0]));
    }

    /** Hands the cell back to its coordinator, which places it anew from its last counted segment. */
    void requeue(Wire.Run r, String why) {
        Wire.CellJob j = r.job();
        outbox.send(r.replyTo(), new Wire.CellDone(j.submission(), j.index(), member, Coordinator.REQUEUE, 0, why, 0,
                new byte[0], new byte[0]));
    }

    /**
     * The coordinator refused a commit of the durable run {@code r}: the run is fenced out, stops at
     * its next safe point and reports nothing more (the coordinator placed the cell elsewhere, or
     * froze or dropped its submission). Logged, so that a cell that ends nowhere can be traced to
     * the refusal that stopped its run.
     */
    void shutOut(Wire.Run r, Wire.SegmentAck a) {
        org.apache.pekko.actor.Address coordinator = r.replyTo().path().address();
        LOG.log(System.Logger.Level.WARNING, "run {0} of cell {1} (epoch {2}) shut out by its coordinator {3} at "
                + "segment {4}: {5}; it stops and reports nothing more", Worker.key(a.submission(), a.index(), a.epoch()),
                r.job().name(), String.valueOf(a.epoch()), coordinator.hasLocalScope() ? member : Member.name(coordinator),
                a.seq() < 0 ? "(none taken)" : String.valueOf(a.seq()), a.why().isEmpty() ? "no reason given" : a.why());
    }

    private static byte[] bytes(ByteArrayOutputStream s) {
        return s == null ? new byte[0] : s.toByteArray();
    }
}
