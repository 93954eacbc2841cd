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

    private final List<Grant> grants;
    /** Per kind (by ordinal): namespace name to its grant and opened namespace, resolved once. */
    private final List<Map<String, Granted>> granted = List.of(new HashMap<>(), new HashMap<>(), new HashMap<>());
    private final Quota quota;
    private final DbTransaction[] transactions = new DbTransaction[MAX_TRANSACTIONS];
    long received;

    CellServices(Services services, List<Grant> grants, Limits quota) {
        this.grants = List.copyOf(grants);
        this.quota = new Quota("this cell", quota, 0, 0);
        for (Grant g : this.grants) {
            Object ns = switch (g.kind()) {
                case KV -> services.kv(g.name());
                case QUEUE -> services.queue(g.name());
                case DB -> services.db(g.name());
            };
            if (granted.get(g.kind().ordinal()).putIfAbsent(g.name(), new Granted(g, ns, services.quota(g.kind(), g.name())))
                    != null) {
                throw new IllegalArgumentException("namespace " + g.kind().word() + ":" + g.name() + " granted twice");
            }
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

    /** A granted namespace, opened when the cell was given it. */
    private record Granted(Grant grant, Object namespace, Quota quota) {}

    /**
     * The namespace {@code kind:name}, its operation counted against the rates; ENOTCAPABLE if
     * it is not granted, EROFS if {@code write} and it is granted read-only.
     */
    private Object namespace(ServiceKind kind, String name, boolean write) {
        Granted g = granted.get(kind.ordinal()).get(name);
        if (g == null) {
            throw new ServiceException(ServiceErrno.NOTCAPABLE, kind.word() + ":" + name + " is not granted to this cell");
        }
        if (write && g.grant.readOnly()) {
            throw new ServiceException(ServiceErrno.ROFS, g.grant + " is granted read-only");
        }
        op(g.quota);
        return g.namespace;
    }

    /** Counts one operation on a namespace against the cell's and the namespace's rates. */
    void op(Quota namespace) {
        quota.op();
        namespace.op();
    }

    KvNamespace kv(String name, boolean write) {
        return (KvNamespace) namespace(ServiceKind.KV, name, write);
    }

    QueueNamespace queue(String name, boolean write) {
        return (QueueNamespace) namespace(ServiceKind.QUEUE, name, write);
    }

    DbNamespace db(String name) {
        return (DbNamespace) namespace(ServiceKind.DB, name, false);
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

    /** EROFS unless transaction {@code tx}'s namespace is granted writable. */
    void requireWritable(DbTransaction tx) {
        Granted g = granted.get(ServiceKind.DB.ordinal()).get(tx.namespace().name());
        if (g.grant.readOnly()) {
            throw new ServiceException(ServiceErrno.ROFS, g.grant + " is granted read-only");
        }
    }

    void close(long h) {
        transactions[(int) h - 1] = null;
    }
}
