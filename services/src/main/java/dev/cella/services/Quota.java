package dev.cella.services;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one namespace holds, or what one cell has used, against its {@link Limits}: keys, bytes,
 * messages, and a rate of operations. Counts change only under the store's lock (namespaces) or
 * on the cell's own thread (cells); {@link #check} comes before a change, {@link #add} after it
 * has been committed.
 */
public final class Quota {
    private final String owner;
    private final Limits limits;
    private final RateLimiter rate;
    private volatile long keys;
    private volatile long bytes;
    private volatile long messages;
    private final LongAdder ops = new LongAdder();
    private final LongAdder refused = new LongAdder();

    Quota(String owner, Limits limits, long keys, long bytes) {
        this.owner = owner;
        this.limits = limits;
        this.rate = new RateLimiter(limits.opsPerSecond());
        this.keys = keys;
        this.bytes = bytes;
    }

    public Limits limits() {
        return limits;
    }

    public long keys() {
        return keys;
    }

    public long bytes() {
        return bytes;
    }

    public long messages() {
        return messages;
    }

    /** Operations counted (including refused ones). */
    public long ops() {
        return ops.sum();
    }

    /** Operations refused by a quota (EDQUOT or EAGAIN). */
    public long refused() {
        return refused.sum();
    }

    /** Counts one operation; EAGAIN if the rate is used up. */
    void op() {
        ops.increment();
        if (!rate.tryAcquire()) {
            refused.increment();
            throw new ServiceException(ServiceErrno.AGAIN, owner + ": more than " + limits.opsPerSecond()
                    + " operations per second");
        }
    }

    /** EDQUOT if adding these (positive) amounts would pass a limit. */
    void check(long dKeys, long dBytes, long dMessages) {
        if (over(keys, dKeys, limits.keys()) || over(bytes, dBytes, limits.bytes())
                || over(messages, dMessages, limits.messages())) {
            refused.increment();
            throw new ServiceException(ServiceErrno.DQUOT, owner + ": quota " + limits + " reached");
        }
    }

    private static boolean over(long now, long delta, long limit) {
        return delta > 0 && now + delta > limit;
    }

    void add(long dKeys, long dBytes, long dMessages) {
        keys += dKeys;
        bytes += dBytes;
        messages += dMessages;
    }
}
