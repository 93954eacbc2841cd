package dev.cella.services;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.h2.mvstore.MVStoreException;

/**
 * The shared services of one host: key-value, queue and database namespaces on one embedded
 * store, in memory or under a data directory. The host seeds and inspects namespaces directly
 * ({@link #kv}, {@link #queue}, {@link #db}); a cell reaches only the namespaces it is granted,
 * through a {@link CellServices} made by {@link #forCell}.
 *
 * <pre>
 * try (Services services = Services.builder().dataDir(dir).build()) {
 *     services.kv("cache").put("greeting".getBytes(), "hello".getBytes());
 *     CellServices granted = services.forCell(List.of(Grant.parse("kv:cache:ro")), Limits.NONE);
 *     CellConfig config = granted.addTo(CellConfig.builder()).build();
 *     ...
 * }
 * </pre>
 *
 * Thread safe. Closing it closes the store; calls made after fail with EIO.
 */
public final class Services implements AutoCloseable {
    /** How long a received message stays leased before it is handed out again, by default. */
    public static final Duration DEFAULT_REDELIVERY = Duration.ofSeconds(30);

    private final Store store;
    private final LongSupplier clock;
    private final long leaseMillis;
    private final Map<String, Limits> limits;
    private final Map<String, KvNamespace> kv = new ConcurrentHashMap<>();
    private final Map<String, QueueNamespace> queues = new ConcurrentHashMap<>();
    private final Map<String, DbNamespace> dbs = new ConcurrentHashMap<>();

    private Services(Builder b) {
        if (b.dataDir != null) {
            try {
                Files.createDirectories(b.dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create data directory " + b.dataDir + ": " + e.getMessage(), e);
            }
        }
        try {
            this.store = new Store(b.dataDir, b.sync);
        } catch (MVStoreException e) {
            throw new UncheckedIOException(new IOException("cannot open " + b.dataDir.resolve(Store.FILE) + ": "
                    + e.getMessage(), e));
        }
        this.clock = b.clock;
        this.leaseMillis = b.redelivery.toMillis();
        this.limits = Map.copyOf(b.limits);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Services in memory with the defaults. */
    public static Services inMemory() {
        return builder().build();
    }

    /** Whether the namespaces are kept in a data directory. */
    /** The store's version, one more per store commit (tests count commits with it). */
    long storeVersion() {
        return store.version();
    }

    public boolean persistent() {
        return store.persistent();
    }

    /** Key-value namespace {@code name}, created empty on first use. */
    public KvNamespace kv(String name) {
        Grant.checkName(name, "namespace");
        return kv.computeIfAbsent(name, n -> new KvNamespace(n, store, clock, limitsOf(ServiceKind.KV, n)));
    }

    /** Queue namespace {@code name}, created empty on first use. */
    public QueueNamespace queue(String name) {
        Grant.checkName(name, "namespace");
        return queues.computeIfAbsent(name, n -> new QueueNamespace(n, store, leaseMillis, clock, limitsOf(ServiceKind.QUEUE, n)));
    }

    /** Database namespace {@code name}, created empty on first use. */
    public DbNamespace db(String name) {
        Grant.checkName(name, "namespace");
        return dbs.computeIfAbsent(name, n -> new DbNamespace(n, store, limitsOf(ServiceKind.DB, n)));
    }

    /** The quota of a namespace's contents and rate (read-only view of its counts). */
    public Quota quota(ServiceKind kind, String name) {
        return switch (kind) {
            case KV -> kv(name).quota;
            case QUEUE -> queue(name).quota;
            case DB -> db(name).quota;
        };
    }

    /**
     * What one cell may use: the namespaces of {@code grants} (opened now) within the per-cell
     * {@code quota}. Add it to the cell's configuration with {@link CellServices#addTo}.
     */
    public CellServices forCell(List<Grant> grants, Limits quota) {
        return new CellServices(this, grants, quota);
    }

    private Limits limitsOf(ServiceKind kind, String name) {
        return limits.getOrDefault(kind.word() + ":" + name, Limits.NONE);
    }

    /** Wakes waiting receivers (they fail with EIO) and closes the store. */
    @Override
    public void close() {
        queues.values().forEach(QueueNamespace::close);
        store.close();
    }

    /** Settings of {@link Services}. */
    public static final class Builder {
        private Path dataDir;
        private boolean sync;
        private Duration redelivery = DEFAULT_REDELIVERY;
        private LongSupplier clock = System::currentTimeMillis;
        private final Map<String, Limits> limits = new HashMap<>();

        /** Keep the namespaces in {@code dir} (created if needed); null (the default): in memory. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Also force every commit to the disk (default: written to the OS, which survives a killed JVM). */
        public Builder sync(boolean sync) {
            this.sync = sync;
            return this;
        }

        /** How long a received message may stay unacknowledged before it is handed out again (default 30 s). */
        public Builder redeliveryAfter(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the redelivery time must be positive");
            }
            this.redelivery = d;
            return this;
        }

        /** The clock of time-to-live expiry and of queue leases, in milliseconds (default: the host's wall clock). */
        public Builder clock(LongSupplier millis) {
            this.clock = millis;
            return this;
        }

        /** Quotas on namespace {@code name} of {@code kind}'s contents and rate. */
        public Builder limit(ServiceKind kind, String name, Limits l) {
            Grant.checkName(name, "namespace");
            limits.put(kind.word() + ":" + name, l);
            return this;
        }

        /**
         * Opens the store.
         *
         * @throws UncheckedIOException if the data directory cannot be created or the store in it
         *     cannot be opened (in use by another process, or not a store)
         */
        public Services build() {
            return new Services(this);
        }
    }
}
