package dev.cella.images;

import dev.cella.sandbox.Accounting;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Mount;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.SandboxException;
import dev.cella.net.NetAttachment;
import dev.cella.net.NetGrants;
import dev.cella.net.Network;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.services.Grant;
import dev.cella.services.Limits;
import dev.cella.services.Services;
import dev.cella.vm.SuspendRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs an {@link AppFile}: every replica of every group in a cell of its own, on a thread of its
 * own, restarted by its group's rule when it fails, until each has ended or {@link #stop()} is
 * called. Everything that can be checked is checked before any cell starts: each image is read
 * with its digests checked, its requests against the group's grants, and each configuration built.
 *
 * <p>A replica ends in one {@link State}: EXITED (status 0: done, never restarted), FAILED
 * (non-zero status, trap, quota, after its restarts), STOPPED (by {@link #stop()}) or
 * CHECKPOINTED (stopped at a safe point and written to the checkpoint directory, from which a
 * runner with {@code resume} continues it).
 *
 * <p>The app's virtual networks are created here, one {@link Network} per declared name, and each
 * replica joins its group's under its replica name ({@code group-i}), by which the others reach
 * it. Its declared service namespaces live in one in-memory {@link Services} store shared by its
 * cells and closed by {@link #close()}. A replica keeps its network attachment and service grants
 * across restarts.
 *
 * <p>Thread-safe: {@link #status()} and {@link #stop()} may be called from any thread.
 */
public final class AppRunner implements AutoCloseable {
    /** Where a replica is. */
    public enum State { STARTING, RUNNING, BACKOFF, EXITED, FAILED, STOPPED, CHECKPOINTED }

    /**
     * How to run the app.
     *
     * @param engine the engine of every cell
     * @param cache where modules are translated and verified once
     * @param checkpointDir where {@link #stop()} checkpoints each running replica, or null to kill them
     * @param resume true to continue each replica from its checkpoint in {@code checkpointDir}, if it has one
     * @param stdout each replica's standard output, by replica name
     * @param stderr each replica's standard error, by replica name
     */
    public record Options(EngineKind engine, ImageCache cache, Path checkpointDir, boolean resume,
            Function<String, OutputStream> stdout, Function<String, OutputStream> stderr) {}

    /**
     * A replica as last seen.
     *
     * @param name {@code group-i}
     * @param restarts how many times it was started again
     * @param fuelUsed fuel used by its current (or last) cell
     * @param memoryBytes the peak linear memory of its current (or last) cell
     * @param detail how its last run ended, or empty
     */
    public record Status(String name, State state, int restarts, long fuelUsed, long memoryBytes, String detail) {}

    private final List<Replica> replicas = new ArrayList<>();
    private final Options options;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, Network> networks = new LinkedHashMap<>();
    /** The store of the app's service namespaces, opened on the first group granted one. */
    private Services services;
    private volatile boolean stopping;

    /**
     * Reads the images of {@code app} and prepares every replica; starts nothing.
     *
     * @throws ImageException if an image is unreadable or tampered with, or asks for what its group does not grant
     * @throws SandboxException if a group's configuration is refused (a quota out of range, a missing mount)
     */
    public AppRunner(AppFile app, Options options) {
        this.options = options;
        try {
            prepare(app);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void prepare(AppFile app) {
        Map<Path, Image> images = new LinkedHashMap<>();
        for (AppFile.CellGroup g : app.cells()) {
            Image image = images.computeIfAbsent(g.image(), p -> ImageReader.read(p, g.image().toString()));
            List<Mount> mounts = g.mounts().stream().map(m -> new Mount(m.host(), m.guest(), m.readOnly())).toList();
            Set<Integer> forwarded = new java.util.HashSet<>();
            g.ports().forEach(p -> forwarded.add(p.guest()));
            Set<String> namespaces = new java.util.HashSet<>();
            g.services().forEach(s -> namespaces.add(s.replaceFirst(":(ro|rw)$", "")));
            new ImageGrants(mounts, g.clock(), g.random(), forwarded, Set.of(), Set.copyOf(g.networks()), namespaces)
                    .check(image.spec(), g.where() + ": " + g.name() + ": " + g.image().getFileName());
            CellImage cellImage = options.cache().cellImage(image, options.engine());
            for (int i = 0; i < g.replicas(); i++) {
                String name = g.name() + "-" + i;
                replicas.add(new Replica(name, g, cellImage, config(g, image, mounts, name, i)));
            }
        }
    }

    /** Replica argv of group {@code g} of image {@code spec}: the group's name, then the group's args or the image's. */
    public static List<String> argv(AppFile.CellGroup g, ImageSpec spec) {
        List<String> argv = new ArrayList<>();
        argv.add(g.name());
        argv.addAll(g.args() != null ? g.args() : spec.args());
        return argv;
    }

    /**
     * Replica {@code index}'s environment: the image's, the group's over it, and {@code
     * CELLA_REPLICA} (the index) and {@code CELLA_REPLICAS} (the count), so that replicas can
     * share out work (also on a cluster: docs/cluster.md, "Apps").
     */
    public static Map<String, String> env(AppFile.CellGroup g, ImageSpec spec, int index) {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.putAll(g.env());
        env.put("CELLA_REPLICA", Integer.toString(index));
        env.put("CELLA_REPLICAS", Integer.toString(g.replicas()));
        return env;
    }

    /** Replica {@code index}'s configuration: the image's defaults, the group's overrides and grants ({@link #env}). */
    private CellConfig config(AppFile.CellGroup g, Image image, List<Mount> mounts, String name, int index) {
        CellConfig.Builder b = CellConfig.builder().args(argv(g, image.spec())).env(env(g, image.spec(), index))
                .engine(options.engine())
                .stdout(options.stdout().apply(name)).stderr(options.stderr().apply(name)).rootTree(image.files())
                .allowClock(g.clock()).allowRandom(g.random());
        image.spec().quotas().overriddenBy(g.quotas()).applyTo(b);
        NetGrants grants = NetGrants.NONE;
        for (AppFile.Port p : g.ports()) {
            grants = grants.with(new NetGrants.Forward("127.0.0.1", p.host(), p.guest()));
        }
        for (Mount m : mounts) {
            if (!Files.isDirectory(m.host())) {
                throw new ImageException(ImageException.Kind.SPEC, g.where() + ": " + g.name() + ": mount " + m.guestPath()
                        + ": host directory " + m.host() + " does not exist");
            }
            b.mount(m.host(), m.guestPath(), m.readOnly());
        }
        try {
            // Every replica gets the network calls, as a cell of `cella run` does: alone, it reaches only itself.
            NetAttachment.Builder net = NetAttachment.builder(name).grants(grants);
            for (String n : g.networks()) {
                net.network(networks.computeIfAbsent(n, Network::new));
            }
            b.extension(net.build());
            if (!g.services().isEmpty()) {
                if (services == null) {
                    services = Services.inMemory();
                }
                services.forCell(g.services().stream().map(Grant::parse).toList(), Limits.NONE).addTo(b);
            }
            return b.build();
        } catch (SandboxException e) {
            throw new ImageException(ImageException.Kind.SPEC, g.where() + ": " + g.name() + ": " + e.getMessage(), e);
        }
    }

    /** Starts every replica. */
    public void start() {
        for (Replica r : replicas) {
            Thread t = new Thread(r::run, "cella-up-" + r.name);
            t.setDaemon(true);
            r.thread = t;
            t.start();
        }
    }

    /** Every replica as it is now, in file order. */
    public List<Status> status() {
        return replicas.stream().map(Replica::status).toList();
    }

    /**
     * Stops the app: each running replica is checkpointed (with a checkpoint directory) or
     * killed, and none is started or restarted again. Returns at once; {@link #await} waits.
     */
    public void stop() {
        stopping = true;
        stopped.countDown();
        for (Replica r : replicas) {
            r.interrupt();
        }
    }

    /** Closes the app's service store; call after every replica has ended. */
    @Override
    public void close() {
        if (services != null) {
            services.close();
        }
    }

    /** Waits until every replica has ended, and returns their final status. */
    public List<Status> await() throws InterruptedException {
        for (Replica r : replicas) {
            r.thread.join();
        }
        return status();
    }

    /** Waits up to {@code millis} for every replica to end; true if all did. */
    public boolean await(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Replica r : replicas) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            r.thread.join(left);
            if (r.thread.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** One replica: its configuration and the cell it runs now. */
    private final class Replica {
        final String name;
        final AppFile.CellGroup group;
        final CellImage image;
        final CellConfig config;
        Thread thread;
        volatile State state = State.STARTING;
        volatile int restarts;
        volatile Cell cell;
        volatile SuspendRequest request;
        volatile Accounting last;
        volatile String detail = "";

        Replica(String name, AppFile.CellGroup group, CellImage image, CellConfig config) {
            this.name = name;
            this.group = group;
            this.image = image;
            this.config = config;
        }

        Status status() {
            Cell c = cell;
            Accounting a = c != null ? c.accounting() : last;
            return new Status(name, state, restarts, a == null ? 0 : a.fuelUsed(), a == null ? 0 : a.peakMemoryBytes(), detail);
        }

        /** Stops the current cell: at a safe point for a checkpoint, or killed. */
        void interrupt() {
            Cell c = cell;
            SuspendRequest q = request;
            if (options.checkpointDir() != null && q != null) {
                q.request();
            } else if (c != null) {
                c.kill();
            }
        }

        private Path checkpointFile() {
            return options.checkpointDir() == null ? null : options.checkpointDir().resolve(name + ".ckpt");
        }

        void run() {
            try {
                loop();
            } catch (RuntimeException | IOException e) {
                detail = "error: " + e.getMessage();
                state = State.FAILED;
            } finally {
                Cell c = cell;
                if (c != null) {
                    last = c.accounting();
                    cell = null;
                    c.close();
                }
            }
        }

        private void loop() throws IOException {
            boolean first = true;
            while (true) {
                if (stopping) {
                    state = State.STOPPED;
                    return;
                }
                // Only a runner that checkpoints on stop needs a request; without one, stop() kills.
                SuspendRequest q = options.checkpointDir() != null ? SuspendRequest.onDemand() : null;
                Path ckpt = checkpointFile();
                boolean resuming = first && options.resume() && ckpt != null && Files.isRegularFile(ckpt);
                first = false;
                Cell c = resuming ? Checkpoint.read(ckpt).restore(image, config) : Cell.create(image, config);
                if (resuming) {
                    Files.delete(ckpt); // a later resume starts this replica afresh unless it is checkpointed again
                }
                request = q;
                cell = c;
                state = State.RUNNING;
                if (stopping) {
                    interrupt(); // stop() ran between the check above and the cell's publication
                }
                var ended = resuming ? c.resume(q) : c.run(q);
                if (ended.isEmpty()) {
                    Checkpoint.capture(c).write(ckpt, true);
                    detail = "checkpointed at fuel " + c.instance().fuelUsed();
                    state = State.CHECKPOINTED;
                    return;
                }
                last = c.accounting();
                cell = null;
                c.close();
                RunResult r = ended.get();
                if (r.outcome() == Outcome.EXITED && r.exitStatus() == 0) {
                    detail = "exited 0";
                    state = State.EXITED;
                    return;
                }
                detail = r.outcome() == Outcome.EXITED ? "exited " + r.exitStatus() : r.error().getMessage();
                if (stopping) {
                    state = State.STOPPED;
                    return;
                }
                AppFile.Restart rule = group.restart();
                if (rule.policy() != AppFile.RestartPolicy.ON_FAILURE || restarts >= rule.maxRestarts()) {
                    state = State.FAILED;
                    return;
                }
                state = State.BACKOFF;
                try {
                    stopped.await(rule.delayBefore(restarts + 1).toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    state = State.STOPPED;
                    return;
                }
                restarts++;
            }
        }
    }
}
