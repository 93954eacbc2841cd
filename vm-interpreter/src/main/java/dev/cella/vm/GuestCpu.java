package dev.cella.vm;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Callable;

/**
 * A CPU clock for a guest's run that counts the guest wherever it runs. An engine may move part
 * of a run to a helper thread while the calling thread waits for it (the JIT's stack segments);
 * the CPU the helper used for that part is then credited to the waiting caller, so that the
 * difference of two {@link #now} readings on the caller, around a run, is the CPU the whole run
 * used on every thread that ran it. Credits nest: a helper that hands part of its share to a
 * further helper is credited in turn, and passes the total on.
 *
 * <p>Only platform threads have a CPU clock ({@link ThreadMXBean}); on a virtual thread its own
 * share reads 0 and only what helpers did for it counts.
 */
public final class GuestCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported();
    /** CPU nanoseconds helpers used on behalf of this thread, ever; only differences matter. */
    private static final ThreadLocal<long[]> CREDITED = ThreadLocal.withInitial(() -> new long[1]);

    private GuestCpu() {}

    /**
     * This thread's CPU time plus what helpers used on its behalf, in nanoseconds from an
     * arbitrary origin: only the difference of two readings on the same thread means anything.
     */
    public static long now() {
        long own = SUPPORTED ? THREADS.getCurrentThreadCpuTime() : -1;
        return Math.max(own, 0) + CREDITED.get()[0];
    }

    /**
     * The CPU one helper thread uses for one part of a run: {@link #on} wraps the part to run on
     * the helper, and the caller calls {@link #credit} once it has waited for it to end.
     */
    public static final class Share {
        /** Written by the helper before its task completes; read by the caller after waiting for it. */
        private long nanos;

        /** {@code part}, timed with {@link #now} on the thread that runs it. */
        public <T> Callable<T> on(Callable<T> part) {
            return () -> {
                long start = now();
                try {
                    return part.call();
                } finally {
                    nanos = now() - start;
                }
            };
        }

        /**
         * Adds the part's CPU to the calling thread's clock. Call on the thread that waited for
         * the part, after it ended (normally or not), so that the task's completion orders the
         * helper's write before this read.
         */
        public void credit() {
            CREDITED.get()[0] += nanos;
        }
    }
}
