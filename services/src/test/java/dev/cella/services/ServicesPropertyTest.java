package dev.cella.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

/**
 * Many cells on many threads make random calls on shared namespaces; the outcome must be one a
 * sequential execution gives:
 * <ul>
 *   <li>kv: each cell increments and compare-and-sets counters; the final counters equal the
 *       sums of the increments that succeeded and the CAS steps that succeeded, as a sequential
 *       model replaying the successful operations computes;</li>
 *   <li>db: each cell moves amounts between accounts in transactions; committed ones are
 *       replayed in commit order on a sequential model, which must end with the same balances
 *       (and the total is conserved);</li>
 *   <li>queue: every message sent is received and acknowledged exactly once by some cell.</li>
 * </ul>
 */
class ServicesPropertyTest {
    private static final int EXAMPLES = Math.max(5, Integer.getInteger("cella.property.examples", 200) / 10);

    /** One cell's script: per step, an op kind (0..3), an account/key (0..3) and an amount. */
    private static Gen<List<int[]>> script() {
        return SourceDSL.lists().of(SourceDSL.integers().between(0, 127)
                .map(x -> new int[] {x & 3, (x >> 2) & 3, x >> 4})).ofSizeBetween(1, 40);
    }

    @Test
    void concurrentCellsMatchASequentialModel() {
        qt().withExamples(EXAMPLES).forAll(SourceDSL.lists().of(script()).ofSizeBetween(2, 6)).checkAssert(this::check);
    }

    private record Commit(long order, Map<String, Long> writes) {}

    private void check(List<List<int[]>> scripts) {
        try (Services s = Services.inMemory()) {
            DbTransaction seed = s.db("bank").begin();
            for (int a = 0; a < 4; a++) {
                seed.put("acct", key(a), num(100));
            }
            seed.commit();
            Map<Integer, Long> kvModel = new HashMap<>();
            List<Commit> commits = new ArrayList<>();
            long[] commitClock = {0};
            int[] sent = {0};
            List<String> received = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int c = 0; c < scripts.size(); c++) {
                List<int[]> script = scripts.get(c);
                int cell = c;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    CellServices me = s.forCell(List.of(Grant.parse("kv:ctr:rw"), Grant.parse("queue:q:rw"), Grant.parse("db:bank:rw")), Limits.NONE);
                    int step = 0;
                    for (int[] op : script) {
                        step++;
                        byte[] k = key(op[1] % 4);
                        switch (op[0] % 4) {
                            case 0 -> {
                                s.kv("ctr").increment(k, op[2], me.usage());
                                synchronized (kvModel) {
                                    kvModel.merge(op[1] % 4, (long) op[2], Long::sum);
                                }
                            }
                            case 1 -> {
                                // CAS loop: add op[2] by compare-and-set (retry on conflict).
                                while (true) {
                                    byte[] old = s.kv("ctr").get(k);
                                    long v = old == null ? 0 : java.nio.ByteBuffer.wrap(old).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                                    byte[] nv = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v + op[2]).array();
                                    if (s.kv("ctr").compareAndSet(k, old, nv, me.usage())) {
                                        break;
                                    }
                                }
                                synchronized (kvModel) {
                                    kvModel.merge(op[1] % 4, (long) op[2], Long::sum);
                                }
                            }
                            case 2 -> {
                                DbTransaction tx = s.db("bank").begin();
                                byte[] from = key(op[1] % 4);
                                byte[] to = key((op[1] + 1) % 4);
                                long f = val(tx.get("acct", from)) - op[2];
                                long t = val(tx.get("acct", to)) + op[2];
                                tx.put("acct", from, num(f));
                                tx.put("acct", to, num(t));
                                try {
                                    synchronized (commits) {
                                        // Commit order is the order under this lock: the store's lock is taken inside it.
                                        tx.commit(me.usage());
                                        commits.add(new Commit(commitClock[0]++, Map.of(new String(from), f, new String(to), t)));
                                    }
                                } catch (ServiceException e) {
                                    assertEquals(ServiceErrno.CANCELED, e.errno());
                                }
                            }
                            default -> {
                                s.queue("q").send((cell + "/" + step).getBytes(), me.usage());
                                synchronized (sent) {
                                    sent[0]++;
                                }
                                Delivery d = s.queue("q").receive("", 0, Integer.MAX_VALUE, QueueNamespace.Waiting.NONE);
                                if (d != null) {
                                    synchronized (received) {
                                        received.add(new String(d.message()));
                                    }
                                    assertEquals(true, s.queue("q").ack("", d.id()));
                                }
                            }
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            for (var e : kvModel.entrySet()) {
                assertEquals(e.getValue(), val(s.kv("ctr").get(key(e.getKey()))), "counter " + e.getKey());
            }
            // Replay committed transfers in commit order on the model: each wrote balances
            // computed from the state left by the previous commit (serializability), so the
            // writes replayed give the final state, and money is conserved.
            Map<String, Long> model = new TreeMap<>();
            for (int a = 0; a < 4; a++) {
                model.put(new String(key(a)), 100L);
            }
            long total = 0;
            for (Commit c : commits) {
                long before = model.values().stream().mapToLong(Long::longValue).sum();
                model.putAll(c.writes());
                assertEquals(before, model.values().stream().mapToLong(Long::longValue).sum(), "transfer " + c.order() + " conserves");
            }
            DbTransaction check = s.db("bank").begin();
            for (var e : model.entrySet()) {
                assertEquals(e.getValue(), val(check.get("acct", e.getKey().getBytes())), "account " + e.getKey());
                total += e.getValue();
            }
            assertEquals(400, total);
            // Every message sent was received exactly once (drain what is left).
            Delivery d;
            while ((d = s.queue("q").receive("", 0, Integer.MAX_VALUE, QueueNamespace.Waiting.NONE)) != null) {
                received.add(new String(d.message()));
                s.queue("q").ack("", d.id());
            }
            assertEquals(sent[0], received.size());
            assertEquals(received.size(), received.stream().distinct().count(), "no message twice");
            assertEquals(0, s.queue("q").depth(""));
        }
    }

    private static byte[] key(int a) {
        return ("a" + a).getBytes();
    }

    private static byte[] num(long v) {
        return java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long val(byte[] b) {
        return b == null ? 0 : java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
