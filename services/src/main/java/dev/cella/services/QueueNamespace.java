package dev.cella.services;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.h2.mvstore.MVMap;

/**
 * A queue namespace: one work queue (subscription name {@code ""}) and any number of named
 * subscriptions, each a queue of its own that receives a copy of every message published after
 * it was created (publish/subscribe).
 *
 * <p>Delivery is at least once: a received message is leased to its receiver until it is
 * acknowledged; a lease that runs out puts the message back at the head of its queue. Messages
 * are stored (and, persistent, committed) when sent and removed when acknowledged, so a restart
 * hands out again every message not acknowledged. Leases are not stored.
 *
 * <p>Locking: the namespace's lock guards the channels and is taken before the store's lock,
 * never after it; the store is only written (and its lock taken) when it is persistent. A
 * receiver waiting for a message holds neither.
 */
public final class QueueNamespace {
    /**
     * How a blocked receive tells the caller it starts and stops waiting (to lend its scheduler
     * slot), and asks it every {@link #WAKE_NANOS} of the wait whether to go on.
     */
    public interface Waiting {
        Waiting NONE = new Waiting() {
            @Override
            public void starts() {}

            @Override
            public void stillWaiting() {}

            @Override
            public void ends() {}
        };

        void starts();

        /** Throws to end the wait now (a kill, a deadline); {@link #ends} follows. */
        void stillWaiting();

        void ends();
    }

    /** The longest a receiver waits before asking its {@link Waiting} whether to go on (a kill is seen within it). */
    static final long WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final Store store;
    private final long leaseMillis;
    /** The clock of leases, in milliseconds ({@link Services.Builder#clock}). */
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<String, Channel> channels = new HashMap<>();
    private final MVMap<String, byte[]> subscriptions;
    final Quota quota;
    private boolean closed;
    /** Receivers waiting on {@link #arrived}: a send signals only when there is one. */
    private int waiters;

    /**
     * One queue: its messages by id ({@code live}; in a persistent store also in {@code stored},
     * written before a send returns and removed when acknowledged), the ids ready in order, the
     * leased ones with their deadlines.
     */
    private static final class Channel {
        final MVMap<Long, byte[]> stored;
        final Map<Long, byte[]> live = new HashMap<>();
        final ArrayDeque<Long> ready = new ArrayDeque<>();
        /**
         * Leased ids to their deadlines, in lease order. Every lease of a namespace is equally
         * long, so lease order is deadline order: the first entry is the next to run out, and an
         * acknowledgement removes its entry at once (nothing stale piles up).
         */
        final LinkedHashMap<Long, Long> leased = new LinkedHashMap<>();
        /** Ids handed out at least once and not yet acknowledged (to flag redeliveries). */
        final Set<Long> handedOut = new HashSet<>();
        long nextId;

        Channel(MVMap<Long, byte[]> stored) {
            this.stored = stored;
            Long last = stored.isEmpty() ? null : stored.lastKey();
            this.nextId = last == null ? 1 : last + 1;
            for (var e : stored.entrySet()) {
                ready.add(e.getKey());
                live.put(e.getKey(), e.getValue());
            }
        }
    }

    QueueNamespace(String name, Store store, long leaseMillis, LongSupplier clock, Limits limits) {
        this.name = name;
        this.store = store;
        this.leaseMillis = leaseMillis;
        this.clock = clock;
        this.subscriptions = store.map("qsub/" + name);
        long count = 0;
        long bytes = 0;
        channels.put("", new Channel(store.map("q/" + name + "/")));
        for (String sub : subscriptions.keySet()) {
            channels.put(sub, new Channel(store.map("q/" + name + "/" + sub)));
        }
        for (Channel c : channels.values()) {
            for (byte[] m : c.live.values()) {
                count++;
                bytes += m.length;
            }
        }
        this.quota = new Quota("queue:" + name, limits, 0, bytes);
        quota.add(0, 0, count);
    }

    public String name() {
        return name;
    }

    /** Appends a message to the work queue; returns its id. */
    public long send(byte[] message, Quota cell) {
        lock.lock();
        try {
            Channel c = channels.get("");
            long id = append(c, message, 1, cell);
            if (waiters > 0) {
                arrived.signalAll();
            }
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** Appends a copy of a message to every subscription; returns how many there are (0: dropped). */
    public int publish(byte[] message, Quota cell) {
        lock.lock();
        try {
            int n = channels.size() - 1;
            if (n == 0) {
                return 0;
            }
            checkOpen();
            quota.check(0, (long) n * message.length, n);
            if (cell != null) {
                cell.check(0, (long) n * message.length, 1);
            }
            List<Channel> subs = channels.entrySet().stream().filter(e -> !e.getKey().isEmpty()).map(Map.Entry::getValue)
                    .toList();
            if (store.persistent()) {
                store.lock.lock();
                try {
                    for (Channel c : subs) {
                        c.stored.put(c.nextId, message);
                    }
                    store.commit();
                } finally {
                    store.unlock();
                }
            }
            for (Channel c : subs) {
                c.live.put(c.nextId, message);
                c.ready.add(c.nextId++);
            }
            quota.add(0, (long) n * message.length, n);
            if (cell != null) {
                cell.add(0, (long) n * message.length, 1);
            }
            arrived.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Creates subscription {@code sub} if it does not exist; returns whether it was created. */
    public boolean subscribe(String sub) {
        Grant.checkName(sub, "subscription");
        lock.lock();
        try {
            checkOpen();
            if (channels.containsKey(sub)) {
                return false;
            }
            store.lock.lock();
            try {
                subscriptions.put(sub, new byte[0]);
                channels.put(sub, new Channel(store.map("q/" + name + "/" + sub)));
                store.commit();
            } finally {
                store.unlock();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next message of subscription {@code sub} ({@code ""}: the work queue), waiting up
     * to {@code timeoutMillis} for one, and leases it to the caller. A message whose lease ran out
     * comes first.
     *
     * @param maxBytes the largest message the caller can take: a longer one stays queued and
     *     ENOBUFS reports its length
     * @return the message, or null if none came in time
     * @throws ServiceException ENOENT if there is no such subscription, ENOBUFS ({@link
     *     ServiceException#detail}: its length) if the next message is longer than {@code maxBytes}
     */
    public Delivery receive(String sub, long timeoutMillis, int maxBytes, Waiting waiting) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        lock.lock();
        try {
            Delivery d = take(channel(sub), maxBytes);
            if (d != null || timeoutMillis <= 0) {
                return d;
            }
        } finally {
            lock.unlock();
        }
        waiting.starts();
        try {
            lock.lock();
            try {
                while (true) {
                    Channel c = channel(sub);
                    Delivery d = take(c, maxBytes);
                    long now = System.nanoTime();
                    if (d != null || now >= deadline) {
                        return d;
                    }
                    waiting.stillWaiting();
                    long wait = Math.min(deadline - now, WAKE_NANOS);
                    if (!c.leased.isEmpty()) {
                        long next = c.leased.firstEntry().getValue();
                        wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(Math.max(1, next - clock.getAsLong())));
                    }
                    waiters++;
                    try {
                        arrived.awaitNanos(wait);
                    } finally {
                        waiters--;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServiceException(ServiceErrno.IO, "interrupted while waiting for a message");
            } finally {
                lock.unlock();
            }
        } finally {
            waiting.ends();
        }
    }

    /**
     * Receives up to {@code maxCount} messages in one call: waits as {@link #receive} does for the
     * first, then takes, without waiting, the ones ready after it while their bytes together,
     * each counted with {@code overhead} more (the caller's record header), stay within {@code
     * maxBytes}. Each is leased as by {@link #receive}.
     *
     * @return the messages in delivery order, empty if none came in time
     * @throws ServiceException as {@link #receive} for the first message
     */
    public List<Delivery> receiveMany(String sub, long timeoutMillis, int maxBytes, int overhead, int maxCount,
            Waiting waiting) {
        Delivery first = receive(sub, timeoutMillis, maxBytes - overhead, waiting);
        if (first == null) {
            return List.of();
        }
        List<Delivery> out = new ArrayList<>();
        out.add(first);
        long left = (long) maxBytes - overhead - first.message().length;
        lock.lock();
        try {
            Channel c = channel(sub);
            while (out.size() < maxCount && left >= overhead) {
                Delivery d;
                try {
                    d = take(c, (int) (left - overhead));
                } catch (ServiceException e) {
                    break; // the next one does not fit: it stays queued for the next call
                }
                if (d == null) {
                    break;
                }
                out.add(d);
                left -= overhead + d.message().length;
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    /** Acknowledges message {@code id} of {@code sub}: it is removed for good. False if it was not queued. */
    public boolean ack(String sub, long id) {
        lock.lock();
        try {
            Channel c = channel(sub);
            byte[] m = c.live.get(id);
            if (m == null) {
                return false;
            }
            if (store.persistent()) {
                store.lock.lock();
                try {
                    c.stored.remove(id);
                    store.commit();
                } finally {
                    store.unlock();
                }
            }
            c.live.remove(id);
            c.handedOut.remove(id);
            if (c.leased.remove(id) == null) {
                c.ready.remove(id);
            }
            quota.add(0, -m.length, -1);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Messages queued in {@code sub} (leased ones included). */
    public long depth(String sub) {
        lock.lock();
        try {
            return channel(sub).live.size();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting receiver, which then fails with EIO. */
    void close() {
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ServiceException(ServiceErrno.IO, "the services are closed");
        }
    }

    private Channel channel(String sub) {
        checkOpen();
        Channel c = channels.get(sub);
        if (c == null) {
            throw new ServiceException(ServiceErrno.NOENT, "queue:" + name + " has no subscription '" + sub + "'");
        }
        return c;
    }

    /** Stores a message in {@code c}, committed; under the namespace lock. */
    private long append(Channel c, byte[] message, int count, Quota cell) {
        checkOpen();
        quota.check(0, message.length, count);
        if (cell != null) {
            cell.check(0, message.length, count);
        }
        long id = c.nextId;
        if (store.persistent()) {
            store.lock.lock();
            try {
                c.stored.put(id, message);
                store.commit();
            } finally {
                store.unlock();
            }
        }
        c.nextId++;
        c.live.put(id, message);
        c.ready.add(id);
        quota.add(0, message.length, count);
        if (cell != null) {
            cell.add(0, message.length, count);
        }
        return id;
    }

    /** The next deliverable message of {@code c}, leased; expired leases first. Under the namespace lock. */
    private Delivery take(Channel c, int maxBytes) {
        long now = clock.getAsLong();
        Long id = null;
        if (!c.leased.isEmpty() && c.leased.firstEntry().getValue() <= now) {
            // Run-out leases go back to the head of the queue, in their order.
            List<Long> due = new ArrayList<>();
            for (var it = c.leased.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue() > now) {
                    break;
                }
                due.add(e.getKey());
                it.remove();
            }
            for (int i = due.size() - 1; i >= 0; i--) {
                c.ready.addFirst(due.get(i));
            }
        }
        while (id == null && !c.ready.isEmpty()) {
            id = c.ready.peekFirst();
            if (!c.live.containsKey(id)) {
                c.ready.pollFirst();
                id = null;
            }
        }
        if (id == null) {
            return null;
        }
        byte[] m = c.live.get(id);
        if (m.length > maxBytes) {
            throw new ServiceException(ServiceErrno.NOBUFS, "the next message is " + m.length + " bytes, the buffer "
                    + maxBytes, m.length);
        }
        c.ready.pollFirst();
        long until = now + leaseMillis;
        boolean redelivered = !c.handedOut.add(id);
        c.leased.put(id, until);
        return new Delivery(id, m, redelivered);
    }
}
