package dev.cella.services;

import static dev.cella.services.GuestArgs.add;
import static dev.cella.services.GuestArgs.label;
import static dev.cella.services.GuestArgs.name;
import static dev.cella.services.GuestArgs.value;

import dev.cella.sandbox.CellConfig;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;
import dev.cella.vm.InterruptHook;

/**
 * Host module {@code cella_queue} (docs/host-abi.md, "Services"). A receive that has to wait
 * announces it to the instance's interrupt hook, so a scheduler lends the cell's slot to another
 * cell meanwhile (docs/scheduling.md, "Blocking host calls").
 */
final class QueueCalls {
    /** Bytes before each message in receive_many's buffer: its id (u64) and its length (u32). */
    static final int RECORD_HEADER = 12;

    private QueueCalls() {}

    static void register(CellConfig.Builder b, CellServices s) {
        String m = ServiceKind.QUEUE.module();
        // send(ns, ns_len, msg, msg_len)
        add(b, m, "send", "iiii", (inst, a) -> {
            QueueNamespace q = s.queue(name(inst, a[0], a[1]), true);
            q.send(value(inst, a[2], a[3], ServiceErrno.MSGSIZE), s.usage());
            return ServiceErrno.SUCCESS;
        });
        // publish(ns, ns_len, msg, msg_len, count_out)
        add(b, m, "publish", "iiiii", (inst, a) -> {
            QueueNamespace q = s.queue(name(inst, a[0], a[1]), true);
            byte[] msg = value(inst, a[2], a[3], ServiceErrno.MSGSIZE);
            GuestArgs.writeU32(inst, a[4], 0);
            GuestArgs.writeU32(inst, a[4], q.publish(msg, s.usage()));
            return ServiceErrno.SUCCESS;
        });
        // subscribe(ns, ns_len, sub, sub_len)
        add(b, m, "subscribe", "iiii", (inst, a) -> {
            QueueNamespace q = s.queue(name(inst, a[0], a[1]), false);
            q.subscribe(label(inst, a[2], a[3], false));
            return ServiceErrno.SUCCESS;
        });
        // receive(ns, ns_len, sub, sub_len, buf, cap, len_out, id_out, timeout_ms)
        add(b, m, "receive", "iiiiiiiil", (inst, a) -> {
            QueueNamespace q = s.queue(name(inst, a[0], a[1]), false);
            String sub = label(inst, a[2], a[3], true);
            GuestArgs.checkOut(inst, a[4], a[5], a[6]);
            GuestArgs.checkU64(inst, a[7]);
            if (a[8] < 0) {
                return ServiceErrno.INVAL;
            }
            int cap = (int) Math.min(GuestArgs.u32(a[5]), Limits.MAX_VALUE);
            Delivery d;
            try {
                d = q.receive(sub, a[8], cap, waiting(inst));
            } catch (ServiceException e) {
                if (e.errno() == ServiceErrno.NOBUFS) {
                    GuestArgs.writeU32(inst, a[6], (int) e.detail());
                }
                throw e;
            }
            if (d == null) {
                return a[8] == 0 ? ServiceErrno.AGAIN : ServiceErrno.TIMEDOUT;
            }
            s.received++;
            GuestArgs.writeU64(inst, a[7], d.id());
            return GuestArgs.out(inst, a[4], a[5], a[6], d.message());
        });
        // receive_many(ns, ns_len, sub, sub_len, buf, cap, count_out, max, timeout_ms): records of
        // id (u64), length (u32) and the message's bytes, packed one after the other in buf
        add(b, m, "receive_many", "iiiiiiiil", (inst, a) -> {
            QueueNamespace q = s.queue(name(inst, a[0], a[1]), false);
            String sub = label(inst, a[2], a[3], true);
            GuestArgs.checkOut(inst, a[4], a[5], a[6]);
            long max = GuestArgs.u32(a[7]);
            if (a[8] < 0 || max == 0) {
                return ServiceErrno.INVAL;
            }
            GuestArgs.writeU32(inst, a[6], 0);
            int cap = (int) Math.min(GuestArgs.u32(a[5]), Limits.MAX_VALUE + (long) RECORD_HEADER);
            java.util.List<Delivery> ds;
            try {
                ds = q.receiveMany(sub, a[8], cap, RECORD_HEADER, (int) Math.min(max, Integer.MAX_VALUE), waiting(inst));
            } catch (ServiceException e) {
                if (e.errno() == ServiceErrno.NOBUFS) {
                    GuestArgs.writeU32(inst, a[6], (int) e.detail() + RECORD_HEADER);
                }
                throw e;
            }
            if (ds.isEmpty()) {
                return a[8] == 0 ? ServiceErrno.AGAIN : ServiceErrno.TIMEDOUT;
            }
            Memory mem = inst.memory();
            long at = GuestArgs.u32(a[4]);
            for (Delivery d : ds) {
                mem.writeI64(at, d.id());
                mem.writeI32(at + 8, d.message().length);
                mem.write(at + RECORD_HEADER, d.message(), 0, d.message().length);
                at += RECORD_HEADER + d.message().length;
            }
            s.received += ds.size();
            GuestArgs.writeU32(inst, a[6], ds.size());
            return ServiceErrno.SUCCESS;
        });
        // ack_many(ns, ns_len, sub, sub_len, ids, count): ids is an array of u64
        add(b, m, "ack_many", "iiiiii", (inst, a) -> {
            QueueNamespace q = s.queue(name(inst, a[0], a[1]), false);
            String sub = label(inst, a[2], a[3], true);
            long ids = GuestArgs.u32(a[4]);
            long count = GuestArgs.u32(a[5]);
            Memory mem = GuestArgs.checkIn(inst, ids, count * 8);
            int result = ServiceErrno.SUCCESS;
            for (long i = 0; i < count; i++) {
                if (!q.ack(sub, mem.readI64(ids + 8 * i))) {
                    result = ServiceErrno.NOENT;
                }
            }
            return result;
        });
        // ack(ns, ns_len, sub, sub_len, id)
        add(b, m, "ack", "iiiil", (inst, a) -> {
            QueueNamespace q = s.queue(name(inst, a[0], a[1]), false);
            return q.ack(label(inst, a[2], a[3], true), a[4]) ? ServiceErrno.SUCCESS : ServiceErrno.NOENT;
        });
    }

    /**
     * Tells the instance's interrupt hook (the scheduler) when a receive starts and stops waiting,
     * and lets it stop the cell meanwhile (a kill, the deadline).
     */
    private static QueueNamespace.Waiting waiting(Instance inst) {
        InterruptHook hook = inst.interruptHook();
        if (hook == null) {
            return QueueNamespace.Waiting.NONE;
        }
        return new QueueNamespace.Waiting() {
            @Override
            public void starts() {
                hook.blockingStarts(inst);
            }

            @Override
            public void stillWaiting() {
                hook.stillBlocked(inst);
            }

            @Override
            public void ends() {
                hook.blockingEnds(inst);
            }
        };
    }
}
