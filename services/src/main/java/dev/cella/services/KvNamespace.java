package dev.cella.services;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.h2.mvstore.MVMap;

/**
 * A key-value namespace: byte-string keys to byte-string values, each with an optional
 * time-to-live. Reads are lock-free; writes hold the store's lock and are committed before they
 * return ({@link Store}). Expired entries read as absent and are removed when next touched.
 *
 * <p>Stored value layout: 8 bytes little-endian expiry time in milliseconds of {@link
 * Services#clock} (0: never), then the value.
 */
public final class KvNamespace {
    private final String name;
    private final Store store;
    private final MVMap<String, byte[]> map;
    private final LongSupplier clock;
    final Quota quota;

    KvNamespace(String name, Store store, LongSupplier clock, Limits limits) {
        this.name = name;
        this.store = store;
        this.map = store.map("kv/" + name);
        this.clock = clock;
        long keys = 0;
        long bytes = 0;
        for (var e : map.entrySet()) {
            keys++;
            bytes += e.getKey().length() + e.getValue().length - 8L;
        }
        this.quota = new Quota("kv:" + name, limits, keys, bytes);
    }

    public String name() {
        return name;
    }

    /** The value of {@code key}, or null if it is absent or expired. */
    public byte[] get(byte[] key) {
        String k = Store.key(key);
        byte[] stored = map.get(k);
        if (stored == null) {
            return null;
        }
        if (expired(stored)) {
            removeExpired(k);
            return null;
        }
        return Arrays.copyOfRange(stored, 8, stored.length);
    }

    /**
     * Sets {@code key} to {@code value}, expiring after {@code ttlMillis} (0: never).
     *
     * @param cell the calling cell's quota, or null (the host)
     * @return true if the key was created (it was absent or expired)
     * @throws ServiceException EDQUOT past a quota
     */
    public boolean put(byte[] key, byte[] value, long ttlMillis, Quota cell) {
        String k = Store.key(key);
        store.lock.lock();
        try {
            byte[] old = live(k);
            change(k, old, value, ttlMillis, cell);
            return old == null;
        } finally {
            store.unlock();
        }
    }

    /** Sets a value with no quota but the namespace's (the host's seeding call). */
    public boolean put(byte[] key, byte[] value) {
        return put(key, value, 0, null);
    }

    /** Removes {@code key}; false if it was absent. */
    public boolean delete(byte[] key) {
        String k = Store.key(key);
        store.lock.lock();
        try {
            byte[] old = live(k);
            if (old == null) {
                return false;
            }
            change(k, old, null, 0, null);
            return true;
        } finally {
            store.unlock();
        }
    }

    /**
     * Sets {@code key} to {@code value} (null: removes it) only if its value is {@code expected}
     * (null: only if it is absent). The time-to-live is cleared.
     *
     * @return false, changing nothing, if the value was not as expected
     */
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] value, Quota cell) {
        String k = Store.key(key);
        store.lock.lock();
        try {
            byte[] old = live(k);
            byte[] oldValue = old == null ? null : Arrays.copyOfRange(old, 8, old.length);
            if (!Arrays.equals(oldValue, expected)) {
                return false;
            }
            if (old != null || value != null) {
                change(k, old, value, 0, cell);
            }
            return true;
        } finally {
            store.unlock();
        }
    }

    /**
     * Adds {@code delta} to the signed 64-bit little-endian number stored at {@code key} (an
     * absent key counts as 0) and returns the sum; the time-to-live is kept.
     *
     * @throws ServiceException EINVAL if the value is not 8 bytes, EOVERFLOW if the sum overflows
     */
    public long increment(byte[] key, long delta, Quota cell) {
        String k = Store.key(key);
        store.lock.lock();
        try {
            byte[] old = live(k);
            long v = 0;
            long expiry = 0;
            if (old != null) {
                if (old.length != 16) {
                    throw new ServiceException(ServiceErrno.INVAL, "the value of the key is " + (old.length - 8)
                            + " bytes, not an 8-byte number");
                }
                v = le(old, 8);
                expiry = le(old, 0);
            }
            long sum;
            try {
                sum = Math.addExact(v, delta);
            } catch (ArithmeticException e) {
                throw new ServiceException(ServiceErrno.OVERFLOW, v + " + " + delta + " overflows");
            }
            byte[] value = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(sum).array();
            changeAt(k, old, value, expiry, cell);
            return sum;
        } finally {
            store.unlock();
        }
    }

    /**
     * The first live key after {@code after} (exclusive; empty: from the start) that starts with
     * {@code prefix}, or null when there is none: a scan passes each key found as the next
     * {@code after}, so the cursor is the last key seen and needs no state on the host.
     */
    public byte[] nextKey(byte[] prefix, byte[] after) {
        String p = Store.key(prefix);
        String k = after.length == 0 || Store.key(after).compareTo(p) < 0 ? map.ceilingKey(p) : map.higherKey(Store.key(after));
        while (k != null && k.startsWith(p)) {
            byte[] stored = map.get(k);
            if (stored != null && !expired(stored)) {
                return Store.bytes(k);
            }
            k = map.higherKey(k);
        }
        return null;
    }

    /** The number of keys stored (expired ones not yet removed included). */
    public long size() {
        return quota.keys();
    }

    private boolean expired(byte[] stored) {
        long expiry = le(stored, 0);
        return expiry != 0 && clock.getAsLong() >= expiry;
    }

    /** The stored entry of {@code k} if live; an expired one is removed first. Under the lock. */
    private byte[] live(String k) {
        byte[] stored = map.get(k);
        if (stored != null && expired(stored)) {
            change(k, stored, null, 0, null);
            return null;
        }
        return stored;
    }

    private void removeExpired(String k) {
        store.lock.lock();
        try {
            live(k);
        } finally {
            store.unlock();
        }
    }

    private void change(String k, byte[] old, byte[] value, long ttlMillis, Quota cell) {
        long expiry = ttlMillis <= 0 ? 0 : clock.getAsLong() + ttlMillis;
        changeAt(k, old, value, expiry, cell);
    }

    /** Replaces the entry (null value: removes it), quotas checked first, committed. Under the lock. */
    private void changeAt(String k, byte[] old, byte[] value, long expiry, Quota cell) {
        long keyDelta = (value == null ? 0 : 1) - (old == null ? 0 : 1);
        long byteDelta = (value == null ? 0 : k.length() + value.length) - (old == null ? 0 : k.length() + old.length - 8L);
        long written = value == null ? 0 : k.length() + value.length;
        quota.check(keyDelta, byteDelta, 0);
        if (cell != null) {
            cell.check(Math.max(keyDelta, 0), written, 0);
        }
        if (value == null) {
            map.remove(k);
        } else {
            byte[] stored = new byte[8 + value.length];
            ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN).putLong(expiry);
            System.arraycopy(value, 0, stored, 8, value.length);
            map.put(k, stored);
        }
        store.commit();
        quota.add(keyDelta, byteDelta, 0);
        if (cell != null) {
            cell.add(Math.max(keyDelta, 0), written, 0);
        }
    }

    private static long le(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
