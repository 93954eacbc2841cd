package dev.cella.services;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.h2.mvstore.MVMap;

/**
 * One transaction on a {@link DbNamespace} (see there for the concurrency control). Not thread
 * safe: one cell (one thread) uses it. After {@link #commit} or {@link #abort} every call fails
 * with EBADF.
 */
public final class DbTransaction {
    /** A deleted key in the write set. */
    private static final byte[] TOMBSTONE = new byte[0];

    private final DbNamespace db;
    /** What was read from the committed tables: table, key, and the value seen (null: absent). */
    private final List<Read> reads = new ArrayList<>();
    /** The writes, per table, ordered: a value, or {@link #TOMBSTONE}. */
    private final Map<String, TreeMap<String, byte[]>> writes = new HashMap<>();
    private boolean done;

    private record Read(String table, String key, byte[] value, boolean next) {}

    DbTransaction(DbNamespace db) {
        this.db = db;
    }

    public DbNamespace namespace() {
        return db;
    }

    /** The value of {@code key} in {@code table} as this transaction sees it, or null. */
    public byte[] get(String table, byte[] key) {
        String k = Store.key(key);
        byte[] w = written(table, k);
        if (w != null) {
            return w == TOMBSTONE ? null : w.clone();
        }
        byte[] v = db.table(table).get(k);
        reads.add(new Read(table, k, v, false));
        return v == null ? null : v.clone();
    }

    /** Sets {@code key} in {@code table}, visible to others once committed. */
    public void put(String table, byte[] key, byte[] value) {
        open();
        writes.computeIfAbsent(table, t -> new TreeMap<>()).put(Store.key(key), value.clone());
    }

    /** Deletes {@code key} from {@code table}; false if it was absent (as this transaction sees it). */
    public boolean delete(String table, byte[] key) {
        if (get(table, key) == null) {
            return false;
        }
        writes.computeIfAbsent(table, t -> new TreeMap<>()).put(Store.key(key), TOMBSTONE);
        return true;
    }

    /** The first key after {@code after} (exclusive; empty: from the start) in {@code table} as this transaction sees it, or null. */
    public byte[] next(String table, byte[] after) {
        open();
        MVMap<String, byte[]> committed = db.table(table);
        TreeMap<String, byte[]> mine = writes.get(table);
        String from = Store.key(after);
        String c = from;
        // The committed successor, skipping keys this transaction deleted; every step is recorded.
        while (true) {
            String n = c.isEmpty() && after.length == 0 ? committed.firstKey() : committed.higherKey(c);
            reads.add(new Read(table, c, n == null ? null : Store.bytes(n), true));
            if (n == null || mine == null || mine.get(n) != TOMBSTONE) {
                c = n;
                break;
            }
            c = n;
        }
        String w = null;
        if (mine != null) {
            for (var e : mine.tailMap(from, after.length == 0).entrySet()) {
                if (e.getValue() != TOMBSTONE) {
                    w = e.getKey();
                    break;
                }
            }
        }
        String r = c == null ? w : w == null ? c : (c.compareTo(w) <= 0 ? c : w);
        return r == null ? null : Store.bytes(r);
    }

    /**
     * Commits: checks every read against the committed tables and applies the writes, as one
     * store commit.
     *
     * @throws ServiceException ECANCELED (the transaction is aborted) if something it read has
     *     changed since; EDQUOT (aborted too) if the writes would pass the namespace's or the
     *     cell's quota
     */
    public void commit(Quota cell) {
        open();
        done = true;
        db.store.lock.lock();
        try {
            for (Read r : reads) {
                MVMap<String, byte[]> t = db.table(r.table);
                byte[] now;
                if (r.next) {
                    String n = r.key.isEmpty() ? t.firstKey() : t.higherKey(r.key);
                    now = n == null ? null : Store.bytes(n);
                } else {
                    now = t.get(r.key);
                }
                if (!Arrays.equals(now, r.value)) {
                    throw new ServiceException(ServiceErrno.CANCELED, "db:" + db.name() + ": table " + r.table
                            + " changed since this transaction read it");
                }
            }
            long keys = 0;
            long bytes = 0;
            long written = 0;
            long created = 0;
            for (var t : writes.entrySet()) {
                MVMap<String, byte[]> table = db.table(t.getKey());
                for (var e : t.getValue().entrySet()) {
                    byte[] old = table.get(e.getKey());
                    byte[] v = e.getValue();
                    int klen = e.getKey().length();
                    if (v != TOMBSTONE) {
                        written += klen + v.length;
                    }
                    long dk = (v == TOMBSTONE ? 0 : 1) - (old == null ? 0 : 1);
                    keys += dk;
                    created += Math.max(dk, 0);
                    bytes += (v == TOMBSTONE ? 0 : klen + v.length) - (old == null ? 0 : klen + old.length);
                }
            }
            db.quota.check(keys, bytes, 0);
            if (cell != null) {
                cell.check(created, written, 0);
            }
            if (writes.isEmpty()) {
                return;
            }
            for (var t : writes.entrySet()) {
                MVMap<String, byte[]> table = db.table(t.getKey());
                for (var e : t.getValue().entrySet()) {
                    if (e.getValue() == TOMBSTONE) {
                        table.remove(e.getKey());
                    } else {
                        table.put(e.getKey(), e.getValue());
                    }
                }
            }
            db.store.commit();
            db.quota.add(keys, bytes, 0);
            if (cell != null) {
                cell.add(created, written, 0);
            }
        } finally {
            db.store.unlock();
        }
    }

    /** Commits with no quota but the namespace's (the host's own transactions). */
    public void commit() {
        commit(null);
    }

    /** Ends the transaction, discarding its writes. */
    public void abort() {
        open();
        done = true;
    }

    /** Whether the transaction has been committed or aborted. */
    public boolean done() {
        return done;
    }

    private byte[] written(String table, String k) {
        open();
        TreeMap<String, byte[]> t = writes.get(table);
        return t == null ? null : t.get(k);
    }

    private void open() {
        if (done) {
            throw new ServiceException(ServiceErrno.BADF, "the transaction has ended");
        }
    }

    @Override
    public String toString() {
        return "transaction on db:" + Objects.requireNonNull(db.name()) + (done ? " (ended)" : "");
    }
}
