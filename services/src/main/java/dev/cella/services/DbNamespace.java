package dev.cella.services;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.mvstore.MVMap;

/**
 * A database namespace: named tables, each an ordered map of byte-string keys to byte-string
 * values, changed only by transactions ({@link DbTransaction}).
 *
 * <p>Concurrency control is optimistic: a transaction reads the committed tables without
 * locking, keeps its writes to itself, and at commit, under the store's lock, checks that
 * everything it read (each value, each "next key") is still what it saw; if so its writes are
 * applied and committed as one store commit, else it aborts with ECANCELED and leaves no trace.
 * Committed transactions are therefore serializable (in commit order). A transaction that never
 * commits (its cell crashed or was killed) never touched the store.
 */
public final class DbNamespace {
    private final String name;
    final Store store;
    private final Map<String, MVMap<String, byte[]>> tables = new ConcurrentHashMap<>();
    final Quota quota;

    DbNamespace(String name, Store store, Limits limits) {
        this.name = name;
        this.store = store;
        long keys = 0;
        long bytes = 0;
        String prefix = "db/" + name + "/";
        for (String map : store.mapNames()) {
            if (map.startsWith(prefix)) {
                MVMap<String, byte[]> t = table(map.substring(prefix.length()));
                for (var e : t.entrySet()) {
                    keys++;
                    bytes += e.getKey().length() + e.getValue().length;
                }
            }
        }
        this.quota = new Quota("db:" + name, limits, keys, bytes);
    }

    public String name() {
        return name;
    }

    /** Starts a transaction. */
    public DbTransaction begin() {
        return new DbTransaction(this);
    }

    /** The committed table {@code table}, created empty on first use. */
    MVMap<String, byte[]> table(String table) {
        return tables.computeIfAbsent(table, t -> store.map("db/" + name + "/" + t));
    }
}
