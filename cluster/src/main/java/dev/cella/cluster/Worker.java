package dev.cella.cluster;

import dev.cella.isa.CellaException;
import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Stdin;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.sandbox.sched.SchedulerObserver;
import dev.cella.sandbox.durable.DurableRun;
import dev.cella.sandbox.durable.Segment;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The cells one member runs: one fair-share {@link Scheduler} with the member's cores as threads
 * and its memory as the pool. Cells whose memory quota does not fit the member's free memory wait
 * in arrival order. Only the member's actor calls it (one thread at a time); the scheduler's
 * threads only report a cell's end through {@code finished}.
 *
 * <p>A cell runs with what its {@link Wire.CellJob} says and nothing else: its module (decoded
 * and verified here again, never trusted), argv, fuel, memory, time and stdin; no mount, service
 * or network, whatever the sender is (docs/cluster.md, "Security").
 */
final class Worker implements AutoCloseable {
    /** A cell that runs here, with where its end is reported and its captured output. */
    private record Running(Wire.Run run, ByteArrayOutputStream stdout, ByteArrayOutputStream stderr) {}

    /** A durable cell's run returned ({@code last}) or failed ({@code error}), from its thread. */
    record DurableEnded(String key, Segment last, Throwable error) implements Msg {}

    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");
    /**
     * False (system property {@code cella.cluster.handover=false}) to drain durable cells the way
     * members did before handovers (commit, hand back, placed anew with the segment): for the
     * A/B figures of docs/cluster.md, "Moving a cell".
     */
    private static final boolean HANDOVER = !"false".equals(System.getProperty("cella.cluster.handover"));

    private final String member;
    private final Scheduler scheduler;
    private final Map<CellHandle, Running> running = new HashMap<>();
    /** Durable cells by {@link #key}. */
    private final Map<String, Durable> durable = new HashMap<>();
    /** Durable cells moving out, by {@link #key} of their new placement. */
    private final Map<String, Durable> moving = new HashMap<>();
    /** Cells moving in, by {@link #key} of their placement here, until their last segment is in. */
    private final Map<String, Incoming> incoming = new HashMap<>();
    private final ActorRef<Msg> self;
    /** Where its cells' commits and ends go to their coordinators, batched. */
    private final Outbox outbox;
    /** Its cells' ends reported, and the counts of its load. */
    private final Outcomes outcomes;
    private final Queue<Wire.Run> waiting = new ArrayDeque<>();
    /** Decoded, verified modules by their binary: a batch sends one module many times. */
    private final ModuleCache modules = new ModuleCache(64);
    private boolean draining;
    /** The cluster's segment key, or null for segments without a tag (docs/cluster.md, "Replication"). */
    private byte[] segmentKey;

    /**
     * @param finished told, on a scheduler thread, when a cell ends; it must hand the handle to
     *     the actor ({@link #finished(CellHandle)}) and return at once
     */
    Worker(String member, int cores, long memory, ActorRef<Msg> self, Outbox outbox, Consumer<CellHandle> finished) {
        this.member = member;
        this.self = self;
        this.outbox = outbox;
        this.outcomes = new Outcomes(member, cores, memory, outbox);
        this.scheduler = Scheduler.builder().threads(cores).memoryPool(memory).observer(new SchedulerObserver() {
            @Override
            public void cellFinished(Scheduler s, CellHandle cell) {
                finished.accept(cell);
            }
        }).build();
    }

    /** Tags the segments this member commits, and checks those it resumes from, with {@code key} (null: none). */
    void segmentKey(byte[] key) {
        this.segmentKey = key == null ? null : key.clone();
    }

    Wire.Load load() {
        return outcomes.load(cells(), draining);
    }

    boolean draining() {
        return draining;
    }

    /** Cells running, waiting or arriving here. */
    int cells() {
        return running.size() + durable.size() + waiting.size() + incoming.size();
    }

    /** Takes a cell: starts it if its quota fits the free memory, else queues it. */
    void run(Wire.Run r) {
        // Placed anew: a move of it towards this member was called off.
        incoming.entrySet().removeIf(e -> e.getKey().startsWith(cellId(r.job().submission(), r.job().index()) + "#")
                && Incoming.dropped(e.getValue()));
        if (draining) {
            requeue(r);
            return;
        }
        waiting.add(r);
        startWaiting();
    }

    /** A cell has ended: reports it and starts waiting cells that now fit. */
    void finished(CellHandle h) {
        Running r = running.remove(h);
        if (r == null) {
            return;
        }
        outcomes.plainEnded(r.run(), h.result(), h.stats().fuelUsed(), r.stdout(), r.stderr());
        startWaiting();
    }

    /**
     * Stops taking cells: those still waiting go back to their coordinators to be placed
     * elsewhere; the durable ones move to other members (their coordinators say where); the
     * plain ones finish here.
     *
     * @return how many plain cells still run here
     */
    int drain() {
        draining = true;
        LOG.log(System.Logger.Level.INFO, "draining {0} durable cells at {1} ms", durable.size(),
                String.valueOf(System.currentTimeMillis()));
        List<Wire.Run> back = new ArrayList<>(waiting);
        waiting.clear();
        back.forEach(this::requeue);
        durable.values().forEach(this::askMove);
        return running.size();
    }

    private void askMove(Durable d) {
        if (!HANDOVER) {
            d.dr.drain();
        } else if (d.dest == null) {
            Wire.CellJob j = d.run.job();
            outbox.send(d.run.replyTo(), new Wire.MoveAsk(j.submission(), j.index(), d.run.epoch(), member, self));
        }
    }

    private void requeue(Wire.Run r) {
        outcomes.requeue(r, "member " + member + " is draining");
    }

    private void startWaiting() {
        while (!waiting.isEmpty() && outcomes.fits(waiting.peek().job())) {
            start(waiting.poll());
        }
    }

    /** The configuration of a cluster cell: what its job says and nothing else (class comment). */
    static CellConfig config(Wire.CellJob j, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        CellConfig.Builder c = CellConfig.builder().args(j.args()).engine(EngineKind.parse(j.engine()));
        if (j.fuel() >= 0) {
            c.fuel(j.fuel());
        }
        if (j.memory() >= 0) {
            c.memoryLimit(j.memory());
        }
        if (j.timeoutMillis() > 0) {
            c.timeout(Duration.ofMillis(j.timeoutMillis()));
        }
        if (j.stdin() != null) {
            c.stdin(Stdin.of(j.stdin()));
        }
        if (j.app() != null) {
            AppCells.apply(j.app(), c); // an app's cell: its environment, image files, grants and quotas
        }
        return c.stdout(out).stderr(err).build();
    }

    /** The durable run's cell id of a submission's cell: the same on every member. */
    static String cellId(String submission, int index) {
        return submission + "/" + index;
    }

    static String key(String submission, int index, int epoch) {
        return cellId(submission, index) + "#" + epoch;
    }

    private void start(Wire.Run r) {
        Wire.CellJob j = r.job();
        if (j.segmentFuel() > 0) {
            startDurable(r, null, null);
            return;
        }
        ByteArrayOutputStream out = j.keepStdout() ? new ByteArrayOutputStream() : null;
        ByteArrayOutputStream err = j.keepStderr() ? new ByteArrayOutputStream() : null;
        try {
            Cell cell = Cell.create(module(j.module()), config(j, out, err));
            CellHandle h = scheduler.spawn(cell, new CellSpec(j.name(), j.weight(), 0, CellSpec.CELL_LIMIT, false));
            outcomes.started(j);
            running.put(h, new Running(r, out, err));
        } catch (CellaException | IllegalArgumentException e) {
            // The submitter loaded and verified the module already: a failure here is the same
            // failure it would have had locally, reported as that cell's end.
            outcomes.notStarted(r, e.getMessage());
        }
    }

    /**
     * Starts a durable cell as a cell of the member's scheduler (its weight among the others, its
     * memory from the member's pool; a virtual thread waits for its end). Each segment is
     * committed to the coordinator, which forwards its output; the run's own release is then a
     * no-op, and a resumed run is told the segment it resumes from was released. A cell handed
     * over by {@code source} commits that segment first, for it (docs/cluster.md, "Moving a cell"),
     * restored into {@code prepared} (the move's first round, {@link #rehearse}) and made whole
     * over its base if it is a delta. This method owns {@code prepared} (null: none).
     *
     * @return null, or for a cell handed over, why it cannot start here (the move is refused,
     *     {@link Incoming#refuse}); any other cell that cannot start ends with {@code ERROR}
     */
    private String startDurable(Wire.Run r, ActorRef<Msg> source, DurableRun.Prepared prepared) {
        Wire.CellJob j = r.job();
        String key = key(j.submission(), j.index(), r.epoch());
        Checkpoint base = prepared == null ? null : prepared.base();
        boolean owned = false; // whether the run took the prepared cell over
        try {
            CellConfig config = config(j, null, null);
            DurableRun.Builder b = DurableRun.builder(cellId(j.submission(), j.index()), module(j.module()), config)
                    .segmentFuel(j.segmentFuel())
                    .scheduler(scheduler, new CellSpec(j.name(), j.weight(), 0, CellSpec.CELL_LIMIT, false));
            Segment from = null;
            long received = System.currentTimeMillis();
            long cpu0 = Transfer.cpu();
            if (r.resume().length > 0) {
                from = Segment.fromBytes(r.resume(), segmentKey, Segment.maxSize(config));
                if (from.isDelta() && prepared != null) {
                    b.resumeFrom(from, true, prepared); // restored into the prepared cell
                } else {
                    b.resumeFrom(from, true); // whole (a delta without a prepared base is refused)
                }
            }
            Durable d = new Durable(r, from == null ? 0 : from.fuelUsed());
            boolean resumed = from != null;
            Segment handed = from;
            // The resume's log lines, for the migration figures (docs/cluster.md, "Measured"):
            // written once the cell runs, so that formatting them (the first log lines of a new
            // member load java.util.logging) is not inside the move's pause they measure.
            long[] at = new long[3]; // resuming (wall ms), the read's process cpu (ns), restored (wall ms)
            d.dr = b.commitSink(seg -> commit(d, seg)).outputSink(seg -> { }).listener(new DurableRun.Listener() {
                @Override
                public void stopped(boolean last) {
                    d.stoppedAt = System.currentTimeMillis();
                    d.stoppedCpu = Transfer.cpu();
                    d.stopping = last;
                    d.segmentStopped = true;
                }

                @Override
                public void restored() {
                    at[2] = System.currentTimeMillis();
                }

                @Override
                public void started() {
                    if (resumed) {
                        String running = String.valueOf(System.currentTimeMillis());
                        LOG.log(System.Logger.Level.INFO, "resuming {0} from segment {1} ({2} bytes{4}; received at {5} ms, "
                                + "read in {6} ms of process cpu) at {3} ms", key, handed.seq(), r.resume().length,
                                String.valueOf(at[0]), handed.isDelta() ? ", a delta over the first round" : "",
                                String.valueOf(received), Transfer.millis(at[1]));
                        LOG.log(System.Logger.Level.INFO, "restored {0} at {1} ms", key, String.valueOf(at[2]));
                        LOG.log(System.Logger.Level.INFO, "running {0} at {1} ms", key, running);
                    }
                    if (source != null) {
                        // Once the cell runs, not before (the move's pause); before the run's own
                        // first commit (the next seq), which waits for d.handed.
                        Incoming.commitWhole(r, handed, base, config, segmentKey, member, self, x -> {
                            d.fenced = true; // a bug, not input (the delta applied): the cell is placed anew
                            d.dr.drain();
                            d.handed.completeExceptionally(x); // never sent, never answered
                        });
                    }
                }
            }).build(); // reads the checkpoint: a delta is decoded and applied over the base here
            owned = from != null && from.isDelta() && prepared != null;
            at[0] = System.currentTimeMillis(); // the segment decoded and its checkpoint read, on this thread
            at[1] = Transfer.cpu() - cpu0;
            durable.put(key, d);
            outcomes.started(j);
            if (source != null) {
                d.source = source;
                d.handedSeq = from.seq();
                d.handed = new CompletableFuture<>(); // before the run starts: its first commit waits for it
            }
            Thread.ofVirtual().name("cella-durable-" + key).start(() -> {
                try {
                    self.tell(new DurableEnded(key, d.dr.run(), null));
                } catch (RuntimeException | Error e) {
                    self.tell(new DurableEnded(key, null, e));
                }
            });
            if (draining) {
                askMove(d); // arrived while this member drains
            }
            return null;
        } catch (CellaException | IllegalArgumentException e) {
            if (source != null) {
                return String.valueOf(e.getMessage());
            }
            outcomes.notStarted(r, e.getMessage());
            return null;
        } finally {
            if (!owned && prepared != null) {
                prepared.close(); // a whole segment, or the start failed
            }
        }
    }

    /**
     * Coordinator {@code coordinator} (host:port) has been removed from the cluster: nobody will
     * acknowledge the segments of the cells it placed here or relay their ends; a member that
     * takes a submission of it over places its cells anew (docs/cluster.md, "Coordinator
     * failover"). Its waiting cells are
     * dropped and its durable runs stopped at their next safe point, their commits failed, so
     * that they do not hold this member's memory and weights for ever; its plain cells finish
     * (their end goes nowhere).
     */
    void abandon(String coordinator) {
        waiting.removeIf(r -> coordinator.equals(Member.name(r.replyTo().path().address())));
        for (Durable d : durable.values()) {
            if (coordinator.equals(Member.name(d.run.replyTo().path().address()))) {
                d.fenced = true;
                d.dr.drain();
                ClusterException gone = new ClusterException(ClusterException.Kind.UNAVAILABLE, "coordinator "
                        + coordinator + " is gone");
                for (CompletableFuture<Void> f : Arrays.asList(d.inflight, d.handoff, d.handed)) {
                    if (f != null) {
                        f.completeExceptionally(gone);
                    }
                }
            }
        }
        incoming.values().removeIf(in -> coordinator.equals(Member.name(in.run().replyTo().path().address())) && Incoming.dropped(in));
    }

    /**
     * A durable cell's commit sink, on its run's thread: each segment goes to the coordinator,
     * except while the cell moves out, where the first segment after the move was asked is also
     * copied to the destination whole (the base), and the run's last one goes only to the
     * destination as the blocks that changed since the base; the destination commits it.
     */
    private CompletableFuture<Void> commit(Durable d, Segment seg) {
        Wire.CellJob j = d.run.job();
        if (d.fenced) {
            return CompletableFuture.failedFuture(new ClusterException(ClusterException.Kind.UNAVAILABLE,
                    "the coordinator of " + j.name() + " took it elsewhere or is gone"));
        }
        long entered = System.currentTimeMillis();
        long enteredCpu = Transfer.cpu();
        d.segmentStopped = false;
        byte[] bytes = seg.toBytes(segmentKey);
        long encoded = System.currentTimeMillis();
        ActorRef<Msg> dest = d.dest;
        if (dest != null && !seg.isFinal()) {
            int e = d.destEpoch;
            if (d.stopping && d.ready) {
                // A delta (the pages changed since the first round) goes whole; a whole segment
                // (no base decoded yet) as the blocks of its wire form that differ from the first round's.
                boolean delta = seg.isDelta();
                long sent = Transfer.send(dest::tell, j.submission(), j.index(), e, delta ? null : d.base, bytes);
                dest.tell(new Wire.MoveRound(j.submission(), j.index(), e, Wire.MoveRound.FINAL));
                // Logged for the migration figures (docs/cluster.md, "Moving a cell"): the pause's
                // steps on this member, as wall-clock times, and the process's CPU time for the
                // capture (stop to sink) and for the wire form and sending.
                LOG.log(System.Logger.Level.INFO, "handing {0} over: stopped at {1} ms (previous commit acknowledged at {5} ms, "
                        + "segment at the sink at {6} ms, encoded at {7} ms), sent {2} of {3} bytes at {4} ms ({8}; process "
                        + "cpu: capture {9} ms, encode and send {10} ms)",
                        key(j.submission(), j.index(), d.run.epoch()), String.valueOf(d.stoppedAt), sent, bytes.length,
                        String.valueOf(System.currentTimeMillis()), String.valueOf(d.ackedAt), String.valueOf(entered),
                        String.valueOf(encoded), delta ? "a delta over the first round" : "whole",
                        Transfer.millis(enteredCpu - d.stoppedCpu), Transfer.millis(Transfer.cpu() - enteredCpu));
                CompletableFuture<Void> f = new CompletableFuture<>();
                d.inflightFuel = seg.fuelUsed();
                d.handoff = f;
                if (d.calledOff) {
                    f.completeExceptionally(calledOff(j));
                }
                return f;
            }
            if (d.base == null) {
                d.base = bytes;
                Transfer.send(dest::tell, j.submission(), j.index(), e, null, bytes);
                dest.tell(new Wire.MoveRound(j.submission(), j.index(), e, Wire.MoveRound.BASE));
                Transfer.decodeBase(seg, config(j, null, null), c -> d.baseCheckpoint = c);
            }
        }
        if (seg.isDelta()) { // only a move's last round is one, and it went to the destination above
            return CompletableFuture.failedFuture(new IllegalStateException("a delta segment is never committed"));
        }
        if (d.stopping && !seg.isFinal()) {
            LOG.log(System.Logger.Level.INFO, "drained {0}: stopped at {1} ms", key(j.submission(), j.index(),
                    d.run.epoch()), String.valueOf(d.stoppedAt));
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        d.inflightFuel = seg.fuelUsed();
        d.inflight = f;
        if (d.ready && !d.stopping) {
            f.whenComplete((v, x) -> drainWhenSettled(d)); // this commit delayed the drain
        }
        Wire.SegmentCommit c = new Wire.SegmentCommit(j.submission(), j.index(), d.run.epoch(), member, bytes, self);
        CompletableFuture<Void> h = d.handed; // once the segment handed over, if any, counted (Durable#handed)
        (h == null ? CompletableFuture.completedFuture(null) : h).whenComplete((v, x) -> {
            if (x == null) {
                outbox.send(d.run.replyTo(), c);
            } else {
                f.completeExceptionally(x); // the run stops; the handover's failure places the cell anew
            }
        });
        return f;
    }

    private static ClusterException calledOff(Wire.CellJob j) {
        return new ClusterException(ClusterException.Kind.UNAVAILABLE, "the move of " + j.name() + " was called off");
    }

    /** The coordinator's answer to a durable cell's commit. */
    void ack(Wire.SegmentAck a) {
        Durable d = durable.get(key(a.submission(), a.index(), a.epoch()));
        if (d != null && !a.ok() && !d.fenced) {
            outcomes.shutOut(d.run, a); // it ended silently before, which hid a lost cell
        }
        if (d != null && d.handedSeq >= 0) {
            Incoming.answered(d, a); // the only commit of the run outstanding until it counts
            return;
        }
        CompletableFuture<Void> f = d == null ? null : d.inflight;
        if (f == null) {
            return;
        }
        if (a.ok()) {
            // The member's fuel counts committed work as it commits: what a lost member ran
            // and committed is not run again by the member that resumes the cell.
            outcomes.fuel(d.inflightFuel - d.countedFuel);
            d.countedFuel = d.inflightFuel;
            d.ackedAt = System.currentTimeMillis();
            f.complete(null);
        } else {
            d.fenced = true;
            f.completeExceptionally(new ClusterException(ClusterException.Kind.UNAVAILABLE,
                    "the coordinator placed " + d.run.job().name() + " elsewhere"));
        }
    }

    /**
     * A durable cell's run returned: a final segment was already reported by the coordinator
     * (it ended the cell on committing it); a drained one goes back to be resumed elsewhere; a
     * failure is the cell's end unless the run was fenced out.
     */
    void durableEnded(DurableEnded e) {
        Durable d = durable.remove(e.key());
        if (d == null) {
            return;
        }
        Wire.CellJob j = d.run.job();
        outcomes.ended(j);
        if (d.source != null && d.handedSeq >= 0) {
            // Moved in, but the run ended before the segment it was handed counted (its restore
            // failed, or that segment could not be made whole): the old member's run must not
            // wait for it, and the cell is placed anew from its last counted segment.
            d.source.tell(new Wire.MoveRound(j.submission(), j.index(), d.run.epoch(), Wire.MoveRound.CANCEL));
            if (e.last() == null || !e.last().isFinal()) {
                outcomes.requeue(d.run, "the move of " + j.name() + " to " + member + " failed: "
                        + (e.error() == null ? "drained" : e.error().getMessage()));
                startWaiting();
                return;
            }
        }
        if (d.dest != null) {
            moving.remove(key(j.submission(), j.index(), d.destEpoch));
            if (d.handedOver || d.calledOff) {
                startWaiting();
                return;
            }
            if (e.last() != null && !e.last().isFinal() && !d.fenced) {
                // Drained before the destination was ready (the member is closing): the last
                // segment is committed here; the destination gets it whole and resumes from it.
                Transfer.send(d.dest::tell, j.submission(), j.index(), d.destEpoch, d.base, e.last().toBytes(segmentKey));
                d.dest.tell(new Wire.MoveRound(j.submission(), j.index(), d.destEpoch, Wire.MoveRound.FINAL));
                startWaiting();
                return;
            }
            d.dest.tell(new Wire.MoveRound(j.submission(), j.index(), d.destEpoch, Wire.MoveRound.CANCEL));
        }
        if (e.last() != null) {
            if (!e.last().isFinal()) {
                requeue(d.run);
            }
        } else if (!d.fenced) {
            outcomes.failed(d.run, e.error().getMessage());
        }
        startWaiting();
    }

    // ---- moving durable cells (docs/cluster.md, "Moving a cell") ----

    /**
     * The coordinator's answer to a move asked by {@link #drain}: start copying the cell to its
     * destination (a first round, the whole segment the run cuts now, while the cell runs on),
     * drain it as before (no member has room), or stop it (the move was called off).
     */
    void moveTo(Wire.MoveTo m) {
        Durable d = durable.get(key(m.submission(), m.index(), m.epoch()));
        if (d == null) {
            return; // ended meanwhile: its end or last segment reached the coordinator
        }
        if (m.newEpoch() < 0) {
            callOff(d);
        } else if (m.newEpoch() == 0) {
            d.dr.drain();
        } else if (d.dest == null) {
            Wire.CellJob j = d.run.job();
            d.destEpoch = m.newEpoch();
            d.dest = m.dest();
            moving.put(key(j.submission(), j.index(), m.newEpoch()), d);
            m.dest().tell(new Wire.MoveStart(new Wire.Run(j, d.run.replyTo(), m.newEpoch(), new byte[0]), self));
            d.dr.cut();
        }
    }

    /**
     * Drains a run that moves out once no commit of it is outstanding. The run hands its last
     * segment over only once its previous commit is acknowledged ("Exactly once" in
     * docs/cluster.md, "Moving a cell"); stopping the cell while a commit is in flight would put
     * that wait (the coordinator storing a 16 MiB segment at a replica, ~150 ms on loopback)
     * inside the pause, so the cell runs on until the ack. A run stopped at a segment's end and
     * not yet committed is about to commit (it captured its checkpoint and waits for the
     * previous ack): that commit calls this again on its own ack, at most twice, so that a run
     * whose segments end faster than their acks come (always stopped at an ack) is still
     * drained. Only the moment changes: a drain is safe at any time. Any thread (a benign race
     * on the count only moves the drain by a segment).
     */
    private void drainWhenSettled(Durable d) {
        if (d.segmentStopped && d.drainDeferrals < 2) {
            d.drainDeferrals++;
            return;
        }
        CompletableFuture<Void> f = d.inflight;
        if (f == null || f.isDone()) {
            d.dr.drain(d.baseCheckpoint); // a delta over the first round if it is decoded, else whole
        } else {
            f.whenComplete((v, e) -> drainWhenSettled(d));
        }
    }

    private void callOff(Durable d) {
        d.calledOff = true;
        d.fenced = true;
        CompletableFuture<Void> h = d.handoff;
        if (h != null) {
            h.completeExceptionally(calledOff(d.run.job()));
        }
        d.dr.drain();
    }

    /** A cell moves in: its segment follows in chunks. */
    void moveStart(Wire.MoveStart m) {
        Wire.CellJob j = m.run().job();
        incoming.put(key(j.submission(), j.index(), m.run().epoch()), new Incoming(m.run(), m.source(),
                new Transfer.Image(Segment.maxSize(config(j, null, null)))));
    }

    void moveChunk(Wire.MoveChunk c) {
        String k = key(c.submission(), c.index(), c.epoch());
        Incoming in = incoming.get(k);
        if (in == null) {
            return;
        }
        try {
            in.image().apply(c);
        } catch (IllegalArgumentException e) {
            incoming.remove(k);
            in.drop();
            in.refuse(member, e.getMessage());
        }
    }

    /** A step of a move, on either side ({@link Wire.MoveRound}). */
    void moveRound(Wire.MoveRound m) {
        String k = key(m.submission(), m.index(), m.epoch());
        switch (m.step()) {
            case Wire.MoveRound.BASE -> {
                Incoming in = incoming.get(k);
                if (in != null) {
                    rehearse(in, new Wire.MoveRound(m.submission(), m.index(), m.epoch(), Wire.MoveRound.READY));
                }
            }
            case Wire.MoveRound.PRECOPY -> {
                Incoming in = incoming.get(k);
                if (in != null) {
                    in.advance(segmentKey, new Wire.MoveRound(m.submission(), m.index(), m.epoch(), Wire.MoveRound.READY),
                            why -> {
                                self.tell(new Wire.MoveRound(m.submission(), m.index(), m.epoch(), Wire.MoveRound.CANCEL));
                                in.refuse(member, why);
                            });
                }
            }
            case Wire.MoveRound.FINAL -> {
                Incoming in = incoming.remove(k);
                if (in != null) {
                    Wire.Run r = in.run();
                    String refused = startDurable(new Wire.Run(r.job(), r.replyTo(), r.epoch(), in.image().bytes()),
                            in.source(), in.take());
                    if (refused != null) {
                        in.refuse(member, refused);
                    }
                }
            }
            case Wire.MoveRound.READY -> {
                Durable d = moving.get(k);
                if (d != null && !d.ready) {
                    PreCopy.ready(d, segmentKey, () -> {
                        d.ready = true;
                        drainWhenSettled(d);
                    });
                }
            }
            case Wire.MoveRound.DONE -> {
                Durable d = moving.get(k);
                CompletableFuture<Void> h = d == null ? null : d.handoff;
                if (h != null) {
                    d.handedOver = true;
                    outcomes.fuel(d.inflightFuel - d.countedFuel);
                    d.countedFuel = d.inflightFuel;
                    h.complete(null);
                }
            }
            case Wire.MoveRound.CANCEL -> {
                java.util.Optional.ofNullable(incoming.remove(k)).ifPresent(Incoming::drop);
                Durable in = durable.get(k);
                if (in != null && in.source != null) { // moved in, and the coordinator placed it anew
                    in.fenced = true;
                    in.dr.drain();
                }
                Durable out = moving.get(k);
                if (out != null) {
                    callOff(out);
                }
            }
            default -> LOG.log(System.Logger.Level.WARNING, "a move step {0} for {1}", m.step(), k);
        }
    }

    /** Prepares the cell a move resumes ({@link Incoming#rehearse}), the module decoded and verified here. */
    private void rehearse(Incoming in, Wire.MoveRound ready) {
        try {
            in.rehearse(module(in.run().job().module()), segmentKey, ready);
        } catch (CellaException | IllegalArgumentException e) {
            in.source().tell(ready); // the module does not load: the last round's start reports it
        }
    }

    private Module module(byte[] bytes) {
        return modules.get(bytes);
    }

    @Override
    public void close() {
        incoming.values().forEach(Incoming::drop);
        durable.values().forEach(d -> d.dr.drain());
        scheduler.close();
    }
}
