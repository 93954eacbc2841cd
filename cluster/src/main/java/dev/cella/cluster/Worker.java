package dev.cella.cluster;

import dev.cella.isa.CellaException;
import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.Stdin;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.sandbox.sched.SchedulerObserver;
import dev.cella.sandbox.durable.DurableRun;
import dev.cella.sandbox.durable.Segment;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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

    /**
     * A durable cell that runs here on its own thread. {@code inflight} is its one commit in
     * flight (set on the run's thread, completed by the actor on the coordinator's answer).
     */
    private static final class Durable {
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

        Durable(Wire.Run run, long startFuel) {
            this.run = run;
            this.countedFuel = startFuel;
        }
    }

    /** A durable cell's run returned ({@code last}) or failed ({@code error}), from its thread. */
    record DurableEnded(String key, Segment last, Throwable error) implements Msg {}

    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");

    private final String member;
    private final int cores;
    private final long memory;
    private final Scheduler scheduler;
    private final Map<CellHandle, Running> running = new HashMap<>();
    /** Durable cells by {@link #key}. */
    private final Map<String, Durable> durable = new HashMap<>();
    private final ActorRef<Msg> self;
    private final Queue<Wire.Run> waiting = new ArrayDeque<>();
    /** Decoded, verified modules by the SHA-256 of their bytes: a batch sends one module many times. */
    private final Map<String, Module> modules = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Module> e) {
            return size() > 64;
        }
    };
    private long reserved;
    private long weights;
    private long finished;
    private long fuelUsed;
    private boolean draining;
    /** The cluster's segment key, or null for segments without a tag (docs/cluster.md, "Replication"). */
    private byte[] segmentKey;

    /**
     * @param finished told, on a scheduler thread, when a cell ends; it must hand the handle to
     *     the actor ({@link #finished(CellHandle)}) and return at once
     */
    Worker(String member, int cores, long memory, ActorRef<Msg> self, Consumer<CellHandle> finished) {
        this.member = member;
        this.self = self;
        this.cores = cores;
        this.memory = memory;
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
        return new Wire.Load(member, cores, memory, reserved, weights, running.size() + durable.size() + waiting.size(), finished,
                fuelUsed, draining);
    }

    boolean draining() {
        return draining;
    }

    /** Cells running or waiting here. */
    int cells() {
        return running.size() + durable.size() + waiting.size();
    }

    /** Takes a cell: starts it if its quota fits the free memory, else queues it. */
    void run(Wire.Run r) {
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
        Wire.CellJob j = r.run().job();
        reserved -= j.reserve();
        weights -= j.weight();
        finished++;
        RunResult res = h.result();
        long fuel = h.stats().fuelUsed();
        fuelUsed += fuel;
        String error = res.error() == null ? "" : res.error().getMessage();
        r.run().replyTo().tell(new Wire.CellDone(j.submission(), j.index(), member, res.outcome().name(),
                res.exitStatus(), error == null ? "" : error, fuel, bytes(r.stdout()), bytes(r.stderr())));
        startWaiting();
    }

    /**
     * Stops taking cells: those still waiting go back to their coordinators to be placed
     * elsewhere; the running ones finish here.
     *
     * @return how many cells still run here
     */
    int drain() {
        draining = true;
        LOG.log(System.Logger.Level.INFO, "draining {0} durable cells at {1} ms", durable.size(),
                String.valueOf(System.currentTimeMillis()));
        List<Wire.Run> back = new ArrayList<>(waiting);
        waiting.clear();
        back.forEach(this::requeue);
        for (Durable d : durable.values()) {
            d.dr.drain();
        }
        return running.size();
    }

    private void requeue(Wire.Run r) {
        Wire.CellJob j = r.job();
        r.replyTo().tell(new Wire.CellDone(j.submission(), j.index(), member, Coordinator.REQUEUE, 0,
                "member " + member + " is draining", 0, new byte[0], new byte[0]));
    }

    private void startWaiting() {
        while (!waiting.isEmpty() && waiting.peek().job().reserve() <= memory - reserved) {
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
        return c.stdout(out).stderr(err).build();
    }

    /** The durable run's cell id of a submission's cell: the same on every member. */
    static String cellId(String submission, int index) {
        return submission + "/" + index;
    }

    private static String key(String submission, int index, int epoch) {
        return cellId(submission, index) + "#" + epoch;
    }

    private void start(Wire.Run r) {
        Wire.CellJob j = r.job();
        if (j.segmentFuel() > 0) {
            startDurable(r);
            return;
        }
        ByteArrayOutputStream out = j.keepStdout() ? new ByteArrayOutputStream() : null;
        ByteArrayOutputStream err = j.keepStderr() ? new ByteArrayOutputStream() : null;
        try {
            Cell cell = Cell.create(module(j.module()), config(j, out, err));
            CellHandle h = scheduler.spawn(cell, new CellSpec(j.name(), j.weight(), 0, CellSpec.CELL_LIMIT, false));
            reserved += j.reserve();
            weights += j.weight();
            running.put(h, new Running(r, out, err));
        } catch (CellaException | IllegalArgumentException e) {
            // The submitter loaded and verified the module already: a failure here is the same
            // failure it would have had locally, reported as that cell's end.
            finished++;
            r.replyTo().tell(new Wire.CellDone(j.submission(), j.index(), member, Outcome.ERROR.name(), 0,
                    String.valueOf(e.getMessage()), 0, new byte[0], new byte[0]));
        }
    }

    /**
     * Starts a durable cell on a thread of its own (a durable run runs on its caller's thread, so
     * it is outside the fair-share scheduler: docs/cluster.md, "Durable runs"). Each segment is
     * committed to the coordinator, which forwards its output; the run's own release is then a
     * no-op, and a resumed run is told the segment it resumes from was released.
     */
    private void startDurable(Wire.Run r) {
        Wire.CellJob j = r.job();
        String key = key(j.submission(), j.index(), r.epoch());
        try {
            CellConfig config = config(j, null, null);
            DurableRun.Builder b = DurableRun.builder(cellId(j.submission(), j.index()), module(j.module()), config)
                    .segmentFuel(j.segmentFuel());
            Segment from = null;
            if (r.resume().length > 0) {
                from = Segment.fromBytes(r.resume(), segmentKey, Segment.maxSize(config));
                b.resumeFrom(from, true);
            }
            Durable d = new Durable(r, from == null ? 0 : from.fuelUsed());
            if (from != null) {
                // Logged with the wall-clock time for the migration figures (docs/cluster.md, "Measured").
                LOG.log(System.Logger.Level.INFO, "resuming {0} from segment {1} ({2} bytes) at {3} ms",
                        key, from.seq(), r.resume().length, String.valueOf(System.currentTimeMillis()));
            }
            d.dr = b.commitSink(seg -> {
                if (d.fenced) {
                    return CompletableFuture.failedFuture(new ClusterException(ClusterException.Kind.UNAVAILABLE,
                            "the coordinator of " + j.name() + " took it elsewhere or is gone"));
                }
                CompletableFuture<Void> f = new CompletableFuture<>();
                d.inflightFuel = seg.fuelUsed();
                d.inflight = f;
                r.replyTo().tell(new Wire.SegmentCommit(j.submission(), j.index(), r.epoch(), member,
                        seg.toBytes(segmentKey), self));
                return f;
            }).outputSink(seg -> { }).build();
            durable.put(key, d);
            reserved += j.reserve();
            weights += j.weight();
            Thread.ofPlatform().daemon().name("cella-durable-" + key).start(() -> {
                try {
                    self.tell(new DurableEnded(key, d.dr.run(), null));
                } catch (RuntimeException | Error e) {
                    self.tell(new DurableEnded(key, null, e));
                }
            });
        } catch (CellaException | IllegalArgumentException e) {
            finished++;
            r.replyTo().tell(new Wire.CellDone(j.submission(), j.index(), member, Outcome.ERROR.name(), 0,
                    String.valueOf(e.getMessage()), 0, new byte[0], new byte[0]));
        }
    }

    /**
     * Coordinator {@code coordinator} (host:port) has been removed from the cluster: nobody will
     * acknowledge the segments of the cells it placed here or relay their ends, and no member
     * takes its submissions over (docs/cluster.md, "What it does not do"). Its waiting cells are
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
                CompletableFuture<Void> f = d.inflight;
                if (f != null) {
                    f.completeExceptionally(new ClusterException(ClusterException.Kind.UNAVAILABLE, "coordinator "
                            + coordinator + " is gone"));
                }
            }
        }
    }

    /** The coordinator's answer to a durable cell's commit. */
    void ack(Wire.SegmentAck a) {
        Durable d = durable.get(key(a.submission(), a.index(), a.epoch()));
        CompletableFuture<Void> f = d == null ? null : d.inflight;
        if (f == null) {
            return;
        }
        if (a.ok()) {
            // The member's fuel counts committed work as it commits: what a lost member ran
            // and committed is not run again by the member that resumes the cell.
            fuelUsed += d.inflightFuel - d.countedFuel;
            d.countedFuel = d.inflightFuel;
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
        reserved -= j.reserve();
        weights -= j.weight();
        finished++;
        if (e.last() != null) {
            if (!e.last().isFinal()) {
                requeue(d.run);
            }
        } else if (!d.fenced) {
            d.run.replyTo().tell(new Wire.CellDone(j.submission(), j.index(), member, Outcome.ERROR.name(), 0,
                    String.valueOf(e.error().getMessage()), 0, new byte[0], new byte[0]));
        }
        startWaiting();
    }

    private Module module(byte[] bytes) {
        String key = sha256(bytes);
        Module m = modules.get(key);
        if (m == null) {
            m = ModuleReader.read(bytes);
            Verifier.verify(m);
            modules.put(key, m);
        }
        return m;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] bytes(ByteArrayOutputStream s) {
        return s == null ? new byte[0] : s.toByteArray();
    }

    @Override
    public void close() {
        durable.values().forEach(d -> d.dr.drain());
        scheduler.close();
    }
}
