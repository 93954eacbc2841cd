package dev.cella.sandbox.durable;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointDelta;
import dev.cella.sandbox.checkpoint.CheckpointException;
import dev.cella.vm.SuspendRequest;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.SandboxException;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.vm.InterruptHook;
import java.io.ByteArrayOutputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Runs a cell's program so that a crash loses at most one segment of work and no output: the run
 * goes in segments of a fixed amount of fuel, each ending at a safe point where the cell is
 * checkpointed; each segment (checkpoint plus the output written during it) is committed to a
 * {@link CommitSink}, and its output is handed to an {@link OutputSink} only once that commit
 * completed. Another run, in this JVM or another, resumes from the last committed segment. The
 * design and its limits are in docs/durable.md.
 *
 * <p><b>The output rule.</b> A segment's output is released only after its checkpoint is
 * committed, and segments are committed one at a time, in order: {@code commit(k)} starts only
 * after {@code commit(k - 1)} completed and segment {@code k - 1} was released. So at any moment
 * every committed segment but possibly the last has been released, and nothing uncommitted has.
 * A run that dies loses only uncommitted segments, whose output nobody saw; the resumed run
 * re-executes them from the last committed checkpoint, and because a cell is deterministic (the
 * configuration is refused otherwise, see {@link Builder#build}) it writes exactly the same bytes
 * again. The one segment whose release is in doubt, the last committed one, is released by the
 * resuming run unless it is told it was ({@link Builder#resumeFrom}). Hence: the output released
 * by all runs, concatenated, is exactly the uninterrupted run's, with the same ending and fuel.
 *
 * <p><b>Pipelining.</b> The cell runs segment {@code k + 1} while segment {@code k}'s commit is
 * in flight; the cell stops only to capture and encode its checkpoint (the <em>pause</em>), and
 * waits for the commit only if it finishes the next segment first. A segment's output is
 * therefore released after the next segment ran (or at the end).
 *
 * <p><b>Threads.</b> {@link #run} runs on the caller's thread (a virtual thread is fine), or,
 * with {@link Builder#scheduler}, as a cell of that scheduler (its slices, weight and memory
 * pool) while the caller waits; {@link #drain} and {@link #cut} may be called from any thread. A
 * run runs once.
 */
public final class DurableRun {
    /** Default fuel per segment: ten million units (a few milliseconds of compiled code). */
    public static final long DEFAULT_SEGMENT_FUEL = 10_000_000;

    private final String cellId;
    private final Module module;
    private final CellConfig config;
    private final long segmentFuel;
    private final CommitSink commits;
    private final OutputSink outputs;
    private final byte[] key;
    private final boolean deflate;
    private final Segment from;
    private final Checkpoint fromCheckpoint;
    /** The delta {@link #fromCheckpoint} is made of, restored into {@link #prepared}; or null. */
    private final CheckpointDelta fromDelta;
    private final Prepared prepared;
    private final boolean fromReleased;
    private final Listener listener;
    private final Scheduler scheduler;
    private final CellSpec spec;
    private volatile boolean draining;
    private volatile boolean cutting;
    /** The base the last segment of a drained run is captured against ({@link #drain(Checkpoint)}), or null. */
    private volatile Checkpoint deltaBase;
    private volatile SuspendRequest current;
    /** Fuel by which the end of the current segment is to be postponed ({@link #postpone}). */
    private final java.util.concurrent.atomic.AtomicLong postponed = new java.util.concurrent.atomic.AtomicLong();
    /** A snapshot asked for and not yet taken ({@link #snapshot}), or null. */
    private final java.util.concurrent.atomic.AtomicReference<Snap> snap = new java.util.concurrent.atomic.AtomicReference<>();
    private boolean started;

    private DurableRun(Builder b, Checkpoint fromCheckpoint, CheckpointDelta fromDelta) {
        this.fromDelta = fromDelta;
        this.prepared = b.prepared;
        this.cellId = b.cellId;
        this.module = b.module;
        this.config = b.config;
        this.segmentFuel = b.segmentFuel;
        this.commits = b.commits;
        this.outputs = b.outputs;
        this.key = b.key;
        this.deflate = b.deflate;
        this.from = b.from;
        this.fromCheckpoint = fromCheckpoint;
        this.fromReleased = b.fromReleased;
        this.listener = b.listener;
        this.scheduler = b.scheduler;
        this.spec = b.spec;
    }

    /**
     * Told what a run does, on the thread that runs the cell; it must return quickly. For
     * measurements, and for a cluster that moves a running cell (docs/cluster.md, "Moving a cell").
     */
    public interface Listener {
        /**
         * The cell stopped executing at the end of a segment, before its checkpoint is taken.
         *
         * @param last true if this segment is the run's last: the program ended or the run was
         *     drained ({@link #run} returns once it is committed)
         */
        default void stopped(boolean last) {}

        /**
         * The cell was created or restored, on the thread that called {@link #run}, before it is
         * handed to the scheduler (if any) and {@link #started}: for a move's pause, the time
         * the restore took apart from the time the cell waited for a thread.
         */
        default void restored() {}

        /** The cell is about to execute, once per run, after it was created or restored. */
        default void started() {}
    }

    /**
     * A builder of a durable run of {@code module} as cell {@code cellId} under {@code config}
     * (the same configuration for the first run and every resumed one: a checkpoint grants
     * nothing, so mounts, quotas and grants always come from here).
     */
    public static Builder builder(String cellId, Module module, CellConfig config) {
        return new Builder(cellId, module, config);
    }

    /**
     * Runs the program, from its start or from the segment given to {@link Builder#resumeFrom},
     * until it ends or is drained, committing and releasing every segment (see the class comment).
     *
     * @return the last segment, committed and released: final ({@link Segment#isFinal()}) if the
     *     program ended, else the checkpoint a drained run resumes from
     * @throws DurableRunException COMMIT_FAILED or RELEASE_FAILED if a sink failed (the run stops
     *     there; resume from the last segment that committed)
     * @throws CheckpointException if the checkpoint to resume from does not restore under the
     *     configuration (a mount or host function missing, a host file gone)
     * @throws dev.cella.isa.CellaException as {@link Cell#create(Module, CellConfig)} does, for a
     *     cell that cannot be created (its initial memory over the limit, an import missing)
     * @throws IllegalStateException if the run was already run
     */
    public Segment run() {
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("durable run of " + cellId + " already ran");
            }
            started = true;
        }
        if (prepared != null && fromDelta == null) {
            prepared.close(); // the segment is whole: restored as any other
        }
        if (from != null && from.isFinal()) {
            releaseInDoubt();
            return from;
        }
        SegmentOutput out;
        SegmentOutput err;
        Cell cell;
        // Restored before anything is released: a restore this configuration cannot make (a
        // mount missing) fails with the in-doubt segment still unreleased, for a later run.
        if (fromDelta != null) {
            out = prepared.out;
            err = prepared.err;
            cell = fromDelta.restoreInto(prepared.cell);
        } else {
            out = new SegmentOutput();
            err = new SegmentOutput();
            CellConfig captured = config.toBuilder().stdout(out).stderr(err).build();
            cell = from == null ? Cell.create(module, captured) : fromCheckpoint.restore(module, captured);
        }
        listener.restored();
        try (cell) {
            releaseInDoubt();
            long seq = from == null ? 0 : from.seq() + 1;
            return scheduler == null ? segments(cell, seq, out, err) : scheduled(cell, seq, out, err);
        }
    }

    /**
     * Runs the segments as a cell of the scheduler: its thread runs them within its slices, its
     * memory grows from the pool (a grow past it fails in the guest, as for any scheduled cell),
     * and the caller's thread waits for the end. The handle's result is the program's for a run
     * that ended, an {@link Outcome#ERROR} for a drained or failed one (the segment or the
     * failure is this method's).
     */
    private Segment scheduled(Cell cell, long seq, SegmentOutput out, SegmentOutput err) {
        Segment[] last = new Segment[1];
        RuntimeException[] failed = new RuntimeException[1];
        CellHandle h = scheduler.spawn(cell, spec, c -> {
            try {
                last[0] = segments(c, seq, out, err);
                return last[0].ending().map(e -> new RunResult(e.outcome(), e.exitStatus(), null, c.accounting()))
                        .orElseGet(() -> new RunResult(Outcome.ERROR, -1,
                                new SandboxException("drained: " + cellId + " resumes elsewhere"), c.accounting()));
            } catch (RuntimeException e) {
                failed[0] = e;
                throw e;
            }
        });
        try {
            h.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            h.kill();
            throw new DurableRunException(DurableRunException.Kind.COMMIT_FAILED,
                    "interrupted while " + cellId + " ran under the scheduler", e);
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        if (last[0] == null) { // killed, or an Error on the cell's thread: the handle says how
            RunResult r = h.result();
            throw new DurableRunException(DurableRunException.Kind.COMMIT_FAILED, cellId + " stopped under the scheduler: "
                    + (r.error() == null ? r.outcome() : r.error().getMessage()), r.error());
        }
        return last[0];
    }

    /** Releases the segment resumed from unless its output is known to be released (class comment). */
    private void releaseInDoubt() {
        if (from != null && !fromReleased) {
            release(from);
        }
    }

    /** Runs {@code cell} segment after segment from segment {@code seq} (see the class comment). */
    private Segment segments(Cell cell, long seq, SegmentOutput out, SegmentOutput err) {
        boolean fresh = !cell.isSuspended();
        long point = cell.instance().fuelUsed();
        boolean sameSegment = false;
        Segment pending = null;
        CompletionStage<Void> pendingCommit = null;
        listener.started();
        while (true) {
            // Points step by the segment's fuel even when a bulk charge carried the cell past one
            // (SuspendRequest), so every segment gets at least one block's worth of progress.
            if (!sameSegment) {
                point = saturatedAdd(Math.max(point, cell.instance().fuelUsed()), segmentFuel);
            }
            sameSegment = false;
            long before = cell.instance().fuelUsed();
            SuspendRequest request = SuspendRequest.atFuelUsed(point);
            current = request;
            if (draining || cutting || snap.get() != null) {
                request.request(); // raised here or by drain(), cut() or snapshot(), which read current after setting their flag
            }
            Optional<RunResult> ended = fresh ? cell.run(request) : cell.resume(request);
            fresh = false;
            current = null;
            boolean drained = draining;
            boolean cut = cutting; // a cut segment is committed even if it did no work: it was asked for
            cutting = false;
            Snap asked = ended.isEmpty() && !drained ? snap.getAndSet(null) : null;
            if (asked != null) {
                asked.take(cell, seq);
                if (!cut && cell.instance().fuelUsed() < point) {
                    sameSegment = true;
                    continue; // stopped for the snapshot only: the segment goes on to its point
                }
            }
            if (ended.isEmpty() && !drained && !cut && cell.instance().fuelUsed() == before) {
                continue; // a block dearer than the step: nothing ran, nothing to commit; step further
            }
            long more = ended.isEmpty() && !drained && !cut ? postponed.getAndSet(0) : 0;
            if (more > 0) {
                point = saturatedAdd(point, more);
                sameSegment = true;
                continue; // the segment's end postponed: it goes on to the later point
            }
            listener.stopped(ended.isPresent() || drained);
            Segment s;
            if (ended.isPresent()) {
                RunResult r = ended.get();
                Segment.Ending e = new Segment.Ending(r.outcome(), r.exitStatus(),
                        r.error() == null ? null : r.error().getMessage());
                s = Segment.owning(cellId, seq, r.accounting().fuelUsed(), new byte[0], out.take(), err.take(),
                        Optional.of(e));
            } else {
                byte[] checkpoint = capture(cell, drained ? deltaBase : null);
                s = Segment.owning(cellId, seq, cell.instance().fuelUsed(), checkpoint, out.take(), err.take(),
                        Optional.empty());
            }
            if (pending != null) {
                await(cell, pending, pendingCommit);
                release(pending);
            }
            pending = s;
            pendingCommit = commit(s);
            seq++;
            if (s.isFinal() || drained) {
                await(cell, pending, pendingCommit);
                release(pending);
                return pending;
            }
        }
    }

    /**
     * A checkpoint of the suspended cell: a delta over {@code base} if one is given ({@link
     * #drain(Checkpoint)}), else, or if the delta cannot be taken against it (another module's),
     * whole. Either is correct; the delta is smaller and quicker to take.
     */
    private byte[] capture(Cell cell, Checkpoint base) {
        if (base != null) {
            try {
                return CheckpointDelta.capture(cell, base).toBytes(key);
            } catch (CheckpointException e) {
                // Whole instead (below); a cell that cannot be captured at all fails there too.
            }
        }
        return Checkpoint.capture(cell).toBytes(deflate, key);
    }

    /**
     * Drains the run ({@link #drain()}) with its last segment's checkpoint taken as a delta over
     * {@code base} ({@link CheckpointDelta}), a checkpoint of this run taken earlier (a segment's
     * it committed): for a cluster that sent the base ahead to the member the cell moves to, so
     * that only the pages changed since travel while the cell is stopped (docs/cluster.md,
     * "Moving a cell"). Such a segment resumes only over the base ({@link Builder#resumeFrom(Segment,
     * boolean, Checkpoint)}); {@link Segment#over} makes it whole. Null: a whole checkpoint, as
     * {@link #drain()}.
     */
    public void drain(Checkpoint base) {
        deltaBase = base;
        drain();
    }

    /**
     * Asks the run to stop at its next safe point (within 65,536 units of fuel, see {@link
     * SuspendRequest#request()}), commit that point as a last segment and return it from {@link
     * #run}, so the cell can resume elsewhere. A program that ends first ends. Thread-safe; a run
     * drained before it starts stops at its first safe point.
     */
    public void drain() {
        draining = true;
        SuspendRequest r = current;
        if (r != null) {
            r.request();
        }
    }

    /**
     * Ends the current segment at its next safe point, as if its fuel were used up, and goes on
     * running: that segment is committed like any other. A cluster takes a fresh checkpoint this
     * way to copy it ahead of moving the cell (docs/cluster.md, "Moving a cell"). Thread-safe;
     * asked between two segments, it ends the next one.
     */
    public void cut() {
        cutting = true;
        SuspendRequest r = current;
        if (r != null) {
            r.request();
        }
    }

    /**
     * A checkpoint of the running cell taken as a delta over an earlier one, without ending its
     * segment ({@link #snapshot}): its checkpoint is the delta's bytes (authenticated with the
     * run's key if it has one), its output empty (what the cell wrote stays in its segment,
     * released as any), its seq that of the segment it was taken in. It is never committed: a
     * cluster sends it ahead to the member a cell moves to, which writes its pages into the cell
     * it prepared (docs/cluster.md, "Moving a cell").
     *
     * @param segment the delta as a segment, for the wire; {@link Segment#isDelta()}
     * @param delta the delta, for {@link CheckpointDelta#nextBase} on the taker's side
     */
    public record Snapshot(Segment segment, CheckpointDelta delta) {}

    /** A snapshot asked for: over which base, and who gets it. */
    private record Snap(Checkpoint base, java.util.function.Consumer<Snapshot> into, String cellId, byte[] key) {
        /** Takes it of the suspended cell and hands it over; null to {@code into} if it cannot be taken (another module's base). */
        void take(Cell cell, long seq) {
            Snapshot s;
            try {
                CheckpointDelta d = CheckpointDelta.capture(cell, base);
                s = new Snapshot(Segment.owning(cellId, seq, cell.instance().fuelUsed(), d.toBytes(key), new byte[0],
                        new byte[0], Optional.empty()), d);
            } catch (CheckpointException e) {
                s = null;
            }
            into.accept(s);
        }
    }

    /**
     * Takes a delta of the cell over {@code base} (a checkpoint of this run taken earlier, or
     * the base of the previous snapshot's {@link CheckpointDelta#nextBase}) at its next safe
     * point and hands it to {@code into}, on the run's thread while the cell is stopped (it must
     * return quickly), then goes on running: the segment is not ended, nothing is committed or
     * released ({@link Snapshot}). For a cluster's intermediate rounds of a move, while the cell
     * runs. A run that ends or is drained first takes none and never calls {@code into}; a
     * snapshot asked while another is pending replaces it. Thread-safe.
     */
    public void snapshot(Checkpoint base, java.util.function.Consumer<Snapshot> into) {
        snap.set(new Snap(Objects.requireNonNull(base, "base"), Objects.requireNonNull(into, "into"), cellId, key));
        SuspendRequest r = current;
        if (r != null) {
            r.request();
        }
    }

    /**
     * Postpones the end of the current segment (the next one if asked between two) by {@code
     * fuel}, once: for a cluster moving the cell, whose intermediate rounds ({@link #snapshot})
     * would otherwise race the commits of segments ending meanwhile, which the last round waits
     * for (docs/cluster.md, "Moving a cell"). A crash in that segment loses at most its fuel plus
     * {@code fuel}. Thread-safe; calls add up until the segment ends.
     */
    public void postpone(long fuel) {
        if (fuel < 0) {
            throw new IllegalArgumentException("postponed by " + fuel + " fuel");
        }
        postponed.addAndGet(fuel);
    }

    private CompletionStage<Void> commit(Segment s) {
        try {
            return Objects.requireNonNull(commits.commit(s), "the commit sink returned no stage");
        } catch (RuntimeException e) {
            throw new DurableRunException(DurableRunException.Kind.COMMIT_FAILED,
                    "segment " + s.seq() + " of " + cellId + " was not committed: " + e, e);
        }
    }

    /** Waits for a commit; under a scheduler, as a blocked cell that holds no thread meanwhile. */
    private void await(Cell cell, Segment s, CompletionStage<Void> commit) {
        CompletableFuture<Void> f = commit.toCompletableFuture();
        InterruptHook hook = scheduler == null || f.isDone() ? null : cell.instance().interruptHook();
        if (hook != null) {
            hook.blockingStarts(cell.instance());
        }
        try {
            f.get();
        } catch (ExecutionException e) {
            throw new DurableRunException(DurableRunException.Kind.COMMIT_FAILED,
                    "segment " + s.seq() + " of " + cellId + " was not committed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DurableRunException(DurableRunException.Kind.COMMIT_FAILED,
                    "interrupted while segment " + s.seq() + " of " + cellId + " was being committed", e);
        } catch (RuntimeException e) { // cancelled
            throw new DurableRunException(DurableRunException.Kind.COMMIT_FAILED,
                    "segment " + s.seq() + " of " + cellId + " was not committed: " + e, e);
        } finally {
            if (hook != null) {
                hook.blockingEnds(cell.instance());
            }
        }
    }

    private void release(Segment s) {
        try {
            outputs.release(s);
        } catch (Exception e) {
            throw new DurableRunException(DurableRunException.Kind.RELEASE_FAILED,
                    "the output of segment " + s.seq() + " of " + cellId + " was not released: " + e, e);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    /**
     * A cell made ahead for a run that will resume from a delta over {@code base} (a segment of
     * {@link #drain(Checkpoint)}): created with the run's output capture and its memory the
     * base's ({@link CheckpointDelta#prepare}), so that the resume writes only the pages the
     * delta carries. For a cluster, before a move's pause (docs/cluster.md, "Moving a cell").
     * Given to {@link Builder#resumeFrom(Segment, boolean, Prepared)}, the run uses or closes
     * it; otherwise its maker closes it.
     */
    public static final class Prepared implements AutoCloseable {
        private final SegmentOutput out;
        private final SegmentOutput err;
        private final CheckpointDelta.Prepared cell;

        private Prepared(SegmentOutput out, SegmentOutput err, CheckpointDelta.Prepared cell) {
            this.out = out;
            this.err = err;
            this.cell = cell;
        }

        /** The checkpoint whose memory the cell holds. */
        public Checkpoint base() {
            return cell.base();
        }

        /**
         * Writes a snapshot's delta ({@link DurableRun#snapshot}) into the cell, whose base it
         * then is: see {@link CheckpointDelta.Prepared#advance}.
         *
         * @return the new base
         */
        public Checkpoint advance(CheckpointDelta delta) {
            return cell.advance(delta);
        }

        @Override
        public void close() {
            cell.close();
        }
    }

    /**
     * Prepares the cell of a run of {@code module} under {@code config} (the same as the run's
     * builder gets) that will resume over {@code base} ({@link Prepared}).
     *
     * @throws CheckpointException if {@code base} does not restore under them (as {@link
     *     Checkpoint#restore(Module, CellConfig)})
     */
    public static Prepared prepare(Module module, CellConfig config, Checkpoint base) {
        SegmentOutput out = new SegmentOutput();
        SegmentOutput err = new SegmentOutput();
        CellConfig captured = config.toBuilder().stdout(out).stderr(err).build();
        return new Prepared(out, err, CheckpointDelta.prepare(base, module, captured));
    }

    /** Collects the guest's stdout or stderr of one segment. */
    private static final class SegmentOutput extends ByteArrayOutputStream {
        synchronized byte[] take() {
            byte[] b = toByteArray();
            reset();
            return b;
        }
    }

    /** Collects a durable run's parts; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private final String cellId;
        private final Module module;
        private final CellConfig config;
        private long segmentFuel = DEFAULT_SEGMENT_FUEL;
        private CommitSink commits;
        private OutputSink outputs;
        private byte[] key;
        private boolean deflate;
        private Segment from;
        private boolean fromReleased;
        private Checkpoint fromBase;
        private Prepared prepared;
        private Listener listener = new Listener() {};
        private Scheduler scheduler;
        private CellSpec spec;

        private Builder(String cellId, Module module, CellConfig config) {
            this.cellId = Objects.requireNonNull(cellId, "cellId");
            this.module = Objects.requireNonNull(module, "module");
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Fuel per segment, at least 1 (default {@link #DEFAULT_SEGMENT_FUEL}): the most work a crash loses. */
        public Builder segmentFuel(long fuel) {
            if (fuel < 1) {
                throw new IllegalArgumentException("segment fuel " + fuel + " is not positive");
            }
            this.segmentFuel = fuel;
            return this;
        }

        /** Where segments are made durable (required). */
        public Builder commitSink(CommitSink sink) {
            this.commits = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Where committed output is released (required). */
        public Builder outputSink(OutputSink sink) {
            this.outputs = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * The HMAC-SHA256 key (1 to 4096 bytes, as {@code --checkpoint-key}) that authenticates
         * every checkpoint this run writes, and without which the checkpoint it resumes from is
         * refused (default: none, no checkpoint authenticated or checked).
         */
        public Builder checkpointKey(byte[] key) {
            if (key != null && (key.length == 0 || key.length > 4096)) {
                throw new IllegalArgumentException("a checkpoint key of " + key.length + " bytes (1 to 4096)");
            }
            this.key = key == null ? null : key.clone();
            return this;
        }

        /** Told when the cell stops and starts ({@link Listener}; default: nobody). */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Runs the cell as a cell of {@code scheduler} under {@code spec} (its weight, memory
         * cap), so that it shares the scheduler's threads fairly with the others and its memory
         * comes from the scheduler's pool (default: on the caller's thread, outside any
         * scheduler). See {@link Scheduler#spawn(Cell, CellSpec, java.util.function.Function)}.
         */
        public Builder scheduler(Scheduler scheduler, CellSpec spec) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** Deflates the checkpoints (smaller to replicate, longer to pause; default off). */
        public Builder deflate(boolean deflate) {
            this.deflate = deflate;
            return this;
        }

        /**
         * Resumes from {@code last}, the last segment committed for this cell (by a run that was
         * drained, died or failed); the run's segments go on from {@code last.seq() + 1}.
         *
         * @param released whether {@code last}'s output is known to have been released; if not,
         *     the run releases it first (see {@link OutputSink} for a sink that cannot know)
         */
        public Builder resumeFrom(Segment last, boolean released) {
            return resumeFrom(last, released, (Checkpoint) null);
        }

        /**
         * Resumes from {@code last} (see {@link #resumeFrom(Segment, boolean)}), whose checkpoint
         * may be a delta ({@link Segment#isDelta()}, {@link #drain(Checkpoint)}) over {@code base};
         * the cell is restored from the two without making the whole checkpoint's bytes.
         */
        public Builder resumeFrom(Segment last, boolean released, Checkpoint base) {
            this.from = Objects.requireNonNull(last, "last");
            this.fromReleased = released;
            this.fromBase = base;
            this.prepared = null;
            return this;
        }

        /**
         * Resumes from {@code last} (see {@link #resumeFrom(Segment, boolean)}): if it is a delta,
         * restored into {@code prepared}, made with this builder's module and configuration over
         * the delta's base ({@link DurableRun#prepare}); if it is whole, as any segment (the
         * prepared cell is closed). The run takes the prepared cell over once built.
         */
        public Builder resumeFrom(Segment last, boolean released, Prepared prepared) {
            resumeFrom(last, released, prepared.base());
            this.prepared = prepared;
            return this;
        }

        /**
         * Checks the parts and, for a resumed run, reads the checkpoint (authenticated with the
         * key if there is one).
         *
         * @throws DurableRunException REFUSED if the configuration grants the host clock or host
         *     entropy (a re-executed segment would read other values and write other output),
         *     attaches a host module ({@link CellConfig#extensions()}: a network connection cannot
         *     be checkpointed, and a service's effects would be repeated by re-execution), or is
         *     unmetered (segments end at fuel points); or if the segment to resume from is
         *     another cell's or its checkpoint another program run's (arguments, environment or
         *     random seed differ)
         * @throws CheckpointException if the checkpoint to resume from does not read (UNAUTHENTICATED
         *     without the key it was written with, TOO_LARGE for the configuration, CORRUPT...)
         * @throws IllegalStateException if a sink is missing
         */
        public DurableRun build() {
            if (commits == null || outputs == null) {
                throw new IllegalStateException("a durable run needs a commit sink and an output sink");
            }
            String refused = config.allowClock() ? "it grants the host clock"
                    : config.allowRandom() ? "it grants host entropy"
                    : !config.extensions().isEmpty() ? "it attaches host modules (network, services)"
                    : !config.metered() ? "it is unmetered" : null;
            if (refused != null) {
                throw new DurableRunException(DurableRunException.Kind.REFUSED, "cell " + cellId
                        + " cannot run durably: " + refused + " (docs/durable.md, \"What a durable run refuses\")");
            }
            Checkpoint checkpoint = null;
            CheckpointDelta delta = null;
            if (from != null) {
                if (!from.cellId().equals(cellId)) {
                    throw new DurableRunException(DurableRunException.Kind.REFUSED,
                            "cell " + cellId + " cannot resume from segment " + from.seq() + " of cell " + from.cellId());
                }
                String name = "segment " + from.seq() + " of " + cellId;
                if (!from.isFinal() && prepared != null && from.isDelta()) {
                    delta = CheckpointDelta.fromBytes(from.sharedCheckpoint(), name, key, Checkpoint.maxPayload(config));
                    checkpoint = delta.over(prepared.base());
                    checkInputs(checkpoint);
                } else if (!from.isFinal()) {
                    checkpoint = from.whole(fromBase, name, key, Checkpoint.maxPayload(config));
                    checkInputs(checkpoint);
                }
            }
            return new DurableRun(this, checkpoint, delta);
        }

        /** The program's inputs must be the checkpointed run's, or its continuation would not be. */
        private void checkInputs(Checkpoint checkpoint) {
            CellConfig saved = checkpoint.configBuilder().build();
            String differs = !saved.args().equals(config.args()) ? "arguments"
                    : !saved.env().equals(config.env()) ? "environment"
                    : saved.randomSeed() != config.randomSeed() ? "random seed" : null;
            if (differs != null) {
                throw new DurableRunException(DurableRunException.Kind.REFUSED, "segment " + from.seq() + " of "
                        + cellId + " was checkpointed with another " + differs + " than the configuration's");
            }
        }
    }
}
