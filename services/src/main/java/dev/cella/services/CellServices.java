package dev.cella.services;

import dev.cella.sandbox.CellConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one cell may use of the {@link Services}: its grants, its own quota, its open database
 * transactions. One per cell, used from the cell's thread only.
 *
 * <p>Namespaces are reached by kind and name; a name not granted is ENOTCAPABLE whether or not
 * the namespace exists, so a cell cannot even learn of the others.
 */
public final class CellServices {
    /** Most transactions a cell may have open at once (more: EMFILE). */
    public static final int MAX_TRANSACTIONS = 16;

    private final Services services;
    private final List<Grant> grants;
    private final Map<String, Grant> byName = new HashMap<>();
    private final Quota quota;
    private final DbTransaction[] transactions = new DbTransaction[MAX_TRANSACTIONS];
    long received;

    CellServices(Services services, List<Grant> grants, Limits quota) {
        this.services = services;
        this.grants = List.copyOf(grants);
        this.quota = new Quota("this cell", quota, 0, 0);
        for (Grant g : this.grants) {
            if (byName.putIfAbsent(g.kind().word() + ":" + g.name(), g) != null) {
                throw new IllegalArgumentException("namespace " + g.kind().word() + ":" + g.name() + " granted twice");
            }
            services.quota(g.kind(), g.name()); // opens it now, so a bad store fails before the run
        }
    }

    public List<Grant> grants() {
        return grants;
    }

    /** The cell's use so far: keys created, bytes written, messages sent, operations, refusals. */
    public Quota usage() {
        return quota;
    }

    /** Messages the cell has received (redeliveries included). */
    public long received() {
        return received;
    }

    /**
     * Adds the host modules {@code cella_kv}, {@code cella_queue} and {@code cella_db} to a cell's
     * configuration, bound to these grants, and records each grant as a host import named
     * {@code cella_services."grant KIND:NAME:MODE"} (never called by guests). A checkpoint lists a
     * cell's host imports and a restore must supply them all, so a checkpoint records the cell's
     * grants, never the shared data, and restores only where the same grants are given.
     */
    public CellConfig.Builder addTo(CellConfig.Builder b) {
        KvCalls.register(b, this);
        QueueCalls.register(b, this);
        DbCalls.register(b, this);
        for (Grant g : grants) {
            b.hostFunction("cella_services", "grant " + g, (inst, args) -> 0);
        }
        return b;
    }

    /** The grant of {@code kind:name}; ENOTCAPABLE if none, EROFS if {@code write} and it is read-only. */
    Grant grant(ServiceKind kind, String name, boolean write) {
        Grant g = byName.get(kind.word() + ":" + name);
        if (g == null) {
            throw new ServiceException(ServiceErrno.NOTCAPABLE, kind.word() + ":" + name + " is not granted to this cell");
        }
        if (write && g.readOnly()) {
            throw new ServiceException(ServiceErrno.ROFS, g + " is granted read-only");
        }
        return g;
    }

    /** Counts one operation on a namespace against the cell's and the namespace's rates. */
    void op(Quota namespace) {
        quota.op();
        namespace.op();
    }

    KvNamespace kv(String name, boolean write) {
        KvNamespace ns = services.kv(grant(ServiceKind.KV, name, write).name());
        op(ns.quota);
        return ns;
    }

    QueueNamespace queue(String name, boolean write) {
        QueueNamespace ns = services.queue(grant(ServiceKind.QUEUE, name, write).name());
        op(ns.quota);
        return ns;
    }

    DbNamespace db(String name) {
        DbNamespace ns = services.db(grant(ServiceKind.DB, name, false).name());
        op(ns.quota);
        return ns;
    }

    /** Registers a new transaction; returns its handle (1 to {@link #MAX_TRANSACTIONS}). */
    int open(DbTransaction tx) {
        for (int i = 0; i < transactions.length; i++) {
            if (transactions[i] == null) {
                transactions[i] = tx;
                return i + 1;
            }
        }
        throw new ServiceException(ServiceErrno.MFILE, MAX_TRANSACTIONS + " transactions are open already");
    }

    /** The open transaction of handle {@code h}, counted as an operation; EBADF if none. */
    DbTransaction transaction(long h) {
        DbTransaction tx = h >= 1 && h <= transactions.length ? transactions[(int) h - 1] : null;
        if (tx == null) {
            throw new ServiceException(ServiceErrno.BADF, "no open transaction " + h);
        }
        op(tx.namespace().quota);
        return tx;
    }

    /** Whether transaction {@code h}'s namespace is granted writable; EROFS if not. */
    void requireWritable(DbTransaction tx) {
        grant(ServiceKind.DB, tx.namespace().name(), true);
    }

    void close(long h) {
        transactions[(int) h - 1] = null;
    }
}
