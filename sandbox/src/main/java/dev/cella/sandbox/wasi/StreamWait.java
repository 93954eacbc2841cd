package dev.cella.sandbox.wasi;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * How a cell's thread waits for its streams. Each stream in the table has {@link #waker()}, which
 * unparks the thread waiting here (if any); the waiter records itself before it checks readiness
 * again and parks, so a wake between the check and the park is not lost (the unpark's permit
 * makes the park return at once).
 *
 * <p>A wait is announced to the instance's interrupt hook (a scheduler lends the cell's slot
 * meanwhile) and parks in slices of {@link WasiLimits#park}, which throws when the cell is
 * killed or its deadline passes: a guest blocked on a socket can always be stopped.
 */
final class StreamWait {
    /** Spins this many times (yielding) before the wait is announced and the thread parks: a reply often comes that soon. */
    private static final int SPINS = 64;

    private final WasiLimits limits;
    private volatile Thread waiter;
    private final Runnable waker = () -> {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    };

    StreamWait(WasiLimits limits) {
        this.limits = limits;
    }

    Runnable waker() {
        return waker;
    }

    /** Waits until {@code s} is ready for {@code mask}, or {@code nanos} passed; returns whether it is ready. */
    boolean await(Instance inst, StreamDescriptor s, int mask, long nanos) {
        return await(inst, List.of(s), new int[] {mask}, nanos);
    }

    /**
     * Waits until one of {@code streams} is ready for its mask in {@code masks}, or {@code nanos}
     * of host time passed ({@link Long#MAX_VALUE}: no limit).
     *
     * @return true if a stream is ready
     */
    boolean await(Instance inst, List<StreamDescriptor> streams, int[] masks, long nanos) {
        for (int i = 0; i < SPINS; i++) {
            if (anyReady(streams, masks)) {
                return true;
            }
            Thread.yield();
        }
        long end = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
        InterruptHook hook = inst.interruptHook();
        if (hook != null) {
            hook.blockingStarts(inst);
        }
        try {
            waiter = Thread.currentThread();
            while (true) {
                if (anyReady(streams, masks)) {
                    return true;
                }
                long left = end == Long.MAX_VALUE ? Long.MAX_VALUE : end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                limits.park(left);
            }
        } finally {
            waiter = null;
            if (hook != null) {
                hook.blockingEnds(inst);
            }
        }
    }

    private static boolean anyReady(List<StreamDescriptor> streams, int[] masks) {
        for (int i = 0; i < streams.size(); i++) {
            if ((streams.get(i).ready() & masks[i]) != 0) {
                return true;
            }
        }
        return false;
    }
}
