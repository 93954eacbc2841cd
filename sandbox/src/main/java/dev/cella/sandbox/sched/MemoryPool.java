package dev.cella.sandbox.sched;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Linear memory shared by the cells of one {@link Scheduler}: a capacity in bytes and the bytes
 * reserved so far. Cells reserve before their memory exists (at spawn for the initial memory or
 * a static partition, at {@code memory.grow} for the growth) and release everything they hold
 * when they finish, so {@link #used()} never exceeds {@link #capacity()}.
 *
 * <p>Thread-safe and lock-free: a reservation is one compare-and-set on the used counter.
 */
public final class MemoryPool {
    /** A capacity meaning "no limit". */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    /**
     * @param capacity the bytes the pool holds ({@link #UNLIMITED} for no limit)
     * @throws SchedulerException if {@code capacity} is negative
     */
    public MemoryPool(long capacity) {
        if (capacity < 0) {
            throw new SchedulerException("memory pool capacity must not be negative, not " + capacity);
        }
        this.capacity = capacity;
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes reserved now, by all cells together. */
    public long used() {
        return used.get();
    }

    /**
     * Reserves {@code bytes} if they fit in what is left; otherwise reserves nothing.
     *
     * @return true if reserved
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public boolean tryReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative reservation " + bytes);
        }
        while (true) {
            long now = used.get();
            if (bytes > capacity - now) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /**
     * Gives back {@code bytes} reserved earlier.
     *
     * @throws IllegalStateException if more would be released than is reserved (a bookkeeping bug)
     */
    public void release(long bytes) {
        long after = used.addAndGet(-bytes);
        if (after < 0) {
            used.addAndGet(bytes);
            throw new IllegalStateException("released " + bytes + " bytes, more than the " + (after + bytes)
                    + " reserved");
        }
    }
}
