package dev.cella.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;

/**
 * A running member: an actor system whose guardian is a {@link Member}, joined to the cluster
 * through the seeds. It runs until it has left (after a drain) or is closed.
 */
public final class ClusterNode implements AutoCloseable {
    private final ActorSystem<Msg> system;
    private final CompletableFuture<Void> removed;
    private final Replicas replicas;
    private final Gateway gateway;
    private final String host;

    private ClusterNode(ActorSystem<Msg> system, CompletableFuture<Void> removed, Replicas replicas, Gateway gateway,
            String host) {
        this.system = system;
        this.removed = removed;
        this.replicas = replicas;
        this.gateway = gateway;
        this.host = host;
        // After leaving, Pekko terminates the actor system itself; its end counts as removed
        // too, should the removal event not reach the member's actor first.
        system.getWhenTerminated().thenRun(() -> {
            gateway.close();
            removed.complete(null);
        });
    }

    /**
     * Starts a member that offers {@code cores} scheduler threads and {@code memory} bytes.
     *
     * @throws ClusterException (CONFIG) if the settings are wrong or the port cannot be bound
     */
    public static ClusterNode start(Settings settings, int cores, long memory) {
        return start(settings, cores, memory, null, null, 0);
    }

    /** Starts a member as {@link #start(Settings, int, long, Path, byte[], int)} does, its client port any free one. */
    public static ClusterNode start(Settings settings, int cores, long memory, Path dataDir, byte[] segmentKey) {
        return start(settings, cores, memory, dataDir, segmentKey, 0);
    }

    /**
     * Starts a member that offers {@code cores} scheduler threads and {@code memory} bytes, keeps
     * the segments it holds for others under {@code dataDir} and authenticates segments with
     * {@code segmentKey} (docs/cluster.md, "Replication").
     *
     * @param dataDir the member's data directory (it exists), or null to keep replicas in memory
     * @param segmentKey the cluster's segment key (HMAC-SHA256, 1 to 4,096 bytes, the same on every
     *     member), or null for segments without a tag
     * @param clientPort the port of its host on which it listens for submitters ({@link Gateway});
     *     0 for any free one ({@link #clientName()})
     * @throws ClusterException (CONFIG) if the settings are wrong or a port cannot be bound
     */
    public static ClusterNode start(Settings settings, int cores, long memory, Path dataDir, byte[] segmentKey,
            int clientPort) {
        if (segmentKey != null && (segmentKey.length == 0 || segmentKey.length > 4096)) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "the segment key must be 1 to 4096 bytes, not "
                    + segmentKey.length);
        }
        if (cores < 1 || cores > 4096) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "cores must be 1 to 4096, not " + cores);
        }
        if (memory < 0) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "memory must not be negative");
        }
        if (settings.port() == 0) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "a member needs a fixed port (others join it)");
        }
        if (clientPort < 0 || clientPort > 65535 || clientPort == settings.port()) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "the client port must be 0 to 65535 and not the "
                    + "member's port, not " + clientPort);
        }
        String name = settings.host() + ":" + settings.port();
        ActorSystem<Msg> system;
        Replicas replicas;
        CompletableFuture<Void> removed = new CompletableFuture<>();
        try {
            replicas = new Replicas(name, dataDir, segmentKey);
            system = ActorSystem.create(Member.create(name, cores, memory, () -> removed.complete(null), replicas,
                    segmentKey), Settings.SYSTEM, settings.config(true, List.of("worker")));
        } catch (RuntimeException e) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "cannot start a member at " + name + ": "
                    + e.getMessage(), e);
        }
        try {
            return new ClusterNode(system, removed, replicas, Gateway.start(system, settings.host(), clientPort,
                    settings.tls()), settings.host());
        } catch (RuntimeException e) {
            terminate(system);
            replicas.close();
            throw e;
        }
    }

    /** host:port where submitters reach this member ({@link ClusterClient#connect}). */
    public String clientName() {
        return host + ":" + gateway.port();
    }

    /** Waits until this member has joined (is Up), at most {@code timeout}; false if it has not. */
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        Cluster c = Cluster.get(system);
        while (System.nanoTime() < end) {
            if (c.selfMember().status() == org.apache.pekko.cluster.MemberStatus.up()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Waits until this member has left the cluster (drained) or {@code timeout}; false on time-out. */
    public boolean awaitRemoved(Duration timeout) throws InterruptedException {
        try {
            removed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("never completed exceptionally", e);
        }
    }

    /** host:port of this member. */
    public String name() {
        return Member.name(Cluster.get(system).selfMember().address());
    }

    /**
     * Downs member {@code hostPort} (tests): what the split brain resolver does to a member that
     * is gone, at once, so that a test loses a member at a moment of its choosing.
     */
    void down(String hostPort) {
        Cluster.get(system).manager().tell(new Down(AddressFromURIString.parse(Settings.address(hostPort))));
    }

    /** The segments this member holds for other coordinators (tests). */
    Replicas replicas() {
        return replicas;
    }

    @Override
    public void close() {
        gateway.close();
        terminate(system);
        replicas.close();
    }

    /** Terminates {@code system} and waits (at most 10 s) for it to end; used by members and submitters. */
    static void terminate(ActorSystem<?> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the process ends anyway; nothing is left to release
        }
    }
}
