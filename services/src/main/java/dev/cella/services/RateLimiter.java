package dev.cella.services;

/**
 * A token bucket of operations per second: it holds at most one second's worth, refilled
 * continuously from {@link System#nanoTime}. Unlimited rates cost one comparison.
 */
final class RateLimiter {
    private final long perSecond;
    private double tokens;
    private long last;

    RateLimiter(long perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.last = System.nanoTime();
    }

    /** Takes one token, or returns false (EAGAIN for the caller) if none is left. */
    boolean tryAcquire() {
        if (perSecond == Limits.UNLIMITED) {
            return true;
        }
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(perSecond, tokens + (now - last) * (perSecond / 1e9));
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
