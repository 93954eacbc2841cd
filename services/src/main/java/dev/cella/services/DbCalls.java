package dev.cella.services;

import static dev.cella.services.GuestArgs.add;
import static dev.cella.services.GuestArgs.key;
import static dev.cella.services.GuestArgs.label;
import static dev.cella.services.GuestArgs.name;
import static dev.cella.services.GuestArgs.out;
import static dev.cella.services.GuestArgs.value;

import dev.cella.sandbox.CellConfig;

/**
 * Host module {@code cella_db} (docs/host-abi.md, "Services"). A transaction is bound to one
 * namespace at {@code begin} and named by a small handle afterwards; the handles are the cell's
 * own, so no cell can reach another's transaction. A commit that fails (ECANCELED, EDQUOT) ends
 * the transaction as an abort does.
 */
final class DbCalls {
    private DbCalls() {}

    static void register(CellConfig.Builder b, CellServices s) {
        String m = ServiceKind.DB.module();
        // begin(ns, ns_len, tx_out)
        add(b, m, "begin", "iii", (inst, a) -> {
            DbNamespace db = s.db(name(inst, a[0], a[1]));
            GuestArgs.writeU32(inst, a[2], 0);
            GuestArgs.writeU32(inst, a[2], s.open(db.begin()));
            return ServiceErrno.SUCCESS;
        });
        // get(tx, table, table_len, key, key_len, buf, cap, len_out)
        add(b, m, "get", "iiiiiiii", (inst, a) -> {
            DbTransaction tx = s.transaction(a[0]);
            String table = label(inst, a[1], a[2], false);
            byte[] k = key(inst, a[3], a[4], false);
            GuestArgs.checkOut(inst, a[5], a[6], a[7]);
            byte[] v = tx.get(table, k);
            return v == null ? ServiceErrno.NOENT : out(inst, a[5], a[6], a[7], v);
        });
        // put(tx, table, table_len, key, key_len, value, value_len)
        add(b, m, "put", "iiiiiii", (inst, a) -> {
            DbTransaction tx = s.transaction(a[0]);
            s.requireWritable(tx);
            String table = label(inst, a[1], a[2], false);
            tx.put(table, key(inst, a[3], a[4], false), value(inst, a[5], a[6], ServiceErrno.FBIG));
            return ServiceErrno.SUCCESS;
        });
        // delete(tx, table, table_len, key, key_len)
        add(b, m, "delete", "iiiii", (inst, a) -> {
            DbTransaction tx = s.transaction(a[0]);
            s.requireWritable(tx);
            String table = label(inst, a[1], a[2], false);
            return tx.delete(table, key(inst, a[3], a[4], false)) ? ServiceErrno.SUCCESS : ServiceErrno.NOENT;
        });
        // next(tx, table, table_len, after, after_len, buf, cap, len_out)
        add(b, m, "next", "iiiiiiii", (inst, a) -> {
            DbTransaction tx = s.transaction(a[0]);
            String table = label(inst, a[1], a[2], false);
            byte[] after = key(inst, a[3], a[4], true);
            GuestArgs.checkOut(inst, a[5], a[6], a[7]);
            byte[] k = tx.next(table, after);
            return k == null ? ServiceErrno.NOENT : out(inst, a[5], a[6], a[7], k);
        });
        // commit(tx)
        add(b, m, "commit", "i", (inst, a) -> {
            DbTransaction tx = s.transaction(a[0]);
            try {
                tx.commit(s.usage());
            } finally {
                s.close(a[0]);
            }
            return ServiceErrno.SUCCESS;
        });
        // abort(tx)
        add(b, m, "abort", "i", (inst, a) -> {
            s.transaction(a[0]).abort();
            s.close(a[0]);
            return ServiceErrno.SUCCESS;
        });
    }
}
