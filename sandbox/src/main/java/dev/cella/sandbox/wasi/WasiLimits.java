package dev.cella.sandbox.wasi;

/**
 * The checks a WASI host asks of its cell before it lets a guest use more of something. Each
 * {@code before*} method may throw to refuse, and the call has then had no effect: an
 * {@link dev.cella.sandbox.fs.FsException} becomes the call's errno (the guest goes on), any
 * other {@link dev.cella.isa.CellaException} (a hard quota, or a kill) ends the run.
 */
public interface WasiLimits {
    /** Before {@code bytes} more are written to stdout or stderr ({@code totalSoFar} already were). */
    void beforeOutput(long totalSoFar, long bytes);

    /** Before the guest opens one more descriptor while {@code openNow} of its own are open. */
    void beforeOpen(int openNow);

    /**
     * Waits {@code nanos} of host time (poll_oneoff on a granted host clock). Must give up, by
     * throwing, when the cell's deadline passes or it is killed, rather than sleep past it.
     */
    void sleep(long nanos);

    /**
     * Parks the thread for at most {@code nanos} of host time while it waits for a stream; it may
     * return sooner (an unpark, a spurious wake-up, a slice of the cell's own). Must throw, like
     * {@link #sleep}, when the cell is killed or its deadline passes. The default just parks.
     */
    default void park(long nanos) {
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
    }

    /** Limits that allow everything; sleeping really sleeps. */
    WasiLimits NONE = new WasiLimits() {
        @Override
        public void beforeOutput(long totalSoFar, long bytes) {}

        @Override
        public void beforeOpen(int openNow) {}

        @Override
        public void sleep(long nanos) {
            java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        }
    };
}
