package dev.cella.jit;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deep guest recursion without JVM stack overflow. Compiled guest calls recurse on the JVM stack,
 * and a thread's stack (1 MiB by default, less what the embedder already uses) cannot be
 * assumed to hold the instance's maximum call depth (10,000 by default, more if configured). So
 * the guest's frames are split into <em>segments</em>: the first runs on the caller's thread and
 * holds at most {@link JitEngine#firstSegmentFrames} guest frames; a call past a segment's end
 * (the {@link JitContext#depthLimit} check every guest call makes anyway) continues on a pooled
 * thread with a {@link #STACK_BYTES} stack, holding {@link JitEngine#segmentFrames} more, while
 * the calling thread waits. The frame budgets come from a conservative per-module bound on the
 * JVM stack one guest frame can take ({@link JitEngine#frameBytes}), so the depth limit is always
 * reached before the JVM stack runs out and CALL_STACK_EXHAUSTED traps at the same call as in the
 * interpreter.
 *
 * <p>Only one thread runs the guest at any time (the caller blocks), so the context needs no
 * synchronization; the executor's hand-off orders the memory effects.
 */
final class StackSegments {
    /** Stack size of a segment thread; reserved address space, committed only as it is used. */
    static final long STACK_BYTES = 64L << 20;
    /** The share of a segment thread's stack that guest frames may fill; the rest is margin. */
    static final long SEGMENT_BUDGET = STACK_BYTES / 2;
    /** Guest frames' share of the caller's thread, whose stack size and current depth are unknown. */
    static final long FIRST_SEGMENT_BUDGET = 192L << 10;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadFactory FACTORY = r -> {
        Thread t = new Thread(null, r, "cella-jit-segment-" + THREADS.incrementAndGet(), STACK_BYTES);
        t.setDaemon(true);
        return t;
    };
    private static final ExecutorService POOL = Executors.newCachedThreadPool(FACTORY);

    private static final MethodHandle HOP;

    static {
        try {
            HOP = MethodHandles.lookup().findStatic(StackSegments.class, "hop",
                    MethodType.methodType(Object.class, MethodHandle.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private StackSegments() {}

    /**
     * A handle of {@code target}'s type that runs {@code target} in a new segment. The first
     * argument of {@code target} is the {@link JitContext}, the second the callee's frame word
     * in the new segment (see {@link JitRuntime#deepCall}).
     */
    static MethodHandle hopping(MethodHandle target) {
        MethodType type = target.type();
        return HOP.bindTo(target).asCollector(Object[].class, type.parameterCount()).asType(type);
    }

    /** Runs {@code target} with {@code args} on a segment thread and waits for it. */
    private static Object hop(MethodHandle target, Object[] args) throws Throwable {
        JitContext ctx = (JitContext) args[0];
        int savedLimit = ctx.depthLimit;
        // The caller is exactly at its segment's limit (that is why the call hops), and the
        // callee's frame word in args[1] was computed against the next segment's limit.
        int nextLimit = ctx.nextSegmentLimit();
        Future<Object> done = POOL.submit(() -> {
            ctx.depthLimit = nextLimit;
            try {
                return target.invokeWithArguments(args);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        try {
            return awaitUninterruptibly(done);
        } finally {
            ctx.depthLimit = savedLimit;
        }
    }

    /**
     * Waits for {@code done}; an interrupt of the waiting thread is kept for later, since the
     * guest is stopped through the interrupt hook, not by interrupting the host's thread.
     */
    private static Object awaitUninterruptibly(Future<Object> done) throws Throwable {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw e.getCause();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
