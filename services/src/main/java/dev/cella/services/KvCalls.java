package dev.cella.services;

import static dev.cella.services.GuestArgs.add;
import static dev.cella.services.GuestArgs.key;
import static dev.cella.services.GuestArgs.name;
import static dev.cella.services.GuestArgs.out;
import static dev.cella.services.GuestArgs.value;

import dev.cella.sandbox.CellConfig;

/**
 * Host module {@code cella_kv} (docs/host-abi.md, "Services"). Every call names its namespace
 * with {@code (ns, ns_len)} and returns an errno. Checks come in one order: memory of the name
 * (EFAULT), the grant (ENOTCAPABLE, EROFS), the rates (EAGAIN), the other arguments, then quotas.
 */
final class KvCalls {
    private KvCalls() {}

    static void register(CellConfig.Builder b, CellServices s) {
        String m = ServiceKind.KV.module();
        // get(ns, ns_len, key, key_len, buf, cap, len_out)
        add(b, m, "get", "iiiiiii", (inst, a) -> {
            KvNamespace ns = s.kv(name(inst, a[0], a[1]), false);
            byte[] k = key(inst, a[2], a[3], false);
            GuestArgs.checkOut(inst, a[4], a[5], a[6]);
            byte[] v = ns.get(k);
            if (v == null) {
                return ServiceErrno.NOENT;
            }
            return out(inst, a[4], a[5], a[6], v);
        });
        // put(ns, ns_len, key, key_len, value, value_len, ttl_ms)
        add(b, m, "put", "iiiiiil", (inst, a) -> {
            KvNamespace ns = s.kv(name(inst, a[0], a[1]), true);
            byte[] k = key(inst, a[2], a[3], false);
            byte[] v = value(inst, a[4], a[5], ServiceErrno.FBIG);
            if (a[6] < 0) {
                return ServiceErrno.INVAL;
            }
            ns.put(k, v, a[6], s.usage());
            return ServiceErrno.SUCCESS;
        });
        // delete(ns, ns_len, key, key_len)
        add(b, m, "delete", "iiii", (inst, a) -> {
            KvNamespace ns = s.kv(name(inst, a[0], a[1]), true);
            return ns.delete(key(inst, a[2], a[3], false)) ? ServiceErrno.SUCCESS : ServiceErrno.NOENT;
        });
        // cas(ns, ns_len, key, key_len, expected, expected_len (-1: absent), value, value_len (-1: delete))
        add(b, m, "cas", "iiiiiiii", (inst, a) -> {
            KvNamespace ns = s.kv(name(inst, a[0], a[1]), true);
            byte[] k = key(inst, a[2], a[3], false);
            byte[] expected = (int) a[5] == -1 ? null : value(inst, a[4], a[5], ServiceErrno.FBIG);
            byte[] v = (int) a[7] == -1 ? null : value(inst, a[6], a[7], ServiceErrno.FBIG);
            return ns.compareAndSet(k, expected, v, s.usage()) ? ServiceErrno.SUCCESS : ServiceErrno.CANCELED;
        });
        // incr(ns, ns_len, key, key_len, delta, result_out)
        add(b, m, "incr", "iiiili", (inst, a) -> {
            KvNamespace ns = s.kv(name(inst, a[0], a[1]), true);
            byte[] k = key(inst, a[2], a[3], false);
            GuestArgs.checkU64(inst, a[5]);
            GuestArgs.writeU64(inst, a[5], ns.increment(k, a[4], s.usage()));
            return ServiceErrno.SUCCESS;
        });
        // scan(ns, ns_len, prefix, prefix_len, after, after_len, buf, cap, len_out)
        add(b, m, "scan", "iiiiiiiii", (inst, a) -> {
            KvNamespace ns = s.kv(name(inst, a[0], a[1]), false);
            byte[] prefix = key(inst, a[2], a[3], true);
            byte[] after = key(inst, a[4], a[5], true);
            GuestArgs.checkOut(inst, a[6], a[7], a[8]);
            byte[] next = ns.nextKey(prefix, after);
            return next == null ? ServiceErrno.NOENT : out(inst, a[6], a[7], a[8], next);
        });
    }
}
