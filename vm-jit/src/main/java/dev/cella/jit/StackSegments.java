package dev.cella.jit;

import dev.cella.vm.GuestCpu;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deep guest recursion without JVM stack overflow, and without thread hand-offs on hot call
 * paths. Compiled guest calls recurse on the JVM stack, and the stack of a thread we did not
 * create (1 MiB by default, less what the embedder already uses) cannot be assumed to hold the
 * instance's maximum call depth (10,000 by default, more if configured). So the guest's frames
 * are split into <em>segments</em>, each on a thread whose stack is known to hold it:
 * <ul>
 *   <li><b>Where a run starts.</b> A run started from a platform thread we did not create goes,
 *       once, to a pooled {@link SegmentThread} with a {@link #STACK_BYTES} stack ({@link
 *       #onGuestStack}), unless the whole maximum depth fits the caller's first-segment budget
 *       anyway. Its first segment then holds {@link JitEngine#segmentFrames} frames, which for
 *       the default depth is every frame the guest can have: no call ever hops. The move costs
 *       a hand-off (several microseconds), which a long run does not notice but a host invoking
 *       a short function in a loop would: so it is made for an engine's first {@link
 *       #YOUNG_RUNS} runs (a command-line run is one long run) and, after that, only by engines
 *       whose guest has hopped (see {@link JitEngine#needsDeepStack}). Virtual threads (the
 *       sandbox's cells) and runs nested inside a running guest (a host function calling back
 *       in) stay on their thread, with a first segment of {@link #FIRST_SEGMENT_BUDGET}.
 *   <li><b>Past a segment's end.</b> A call past a segment's end (the {@link
 *       JitContext#depthLimit} check every guest call makes anyway) continues on another segment
 *       thread holding {@link JitEngine#segmentFrames} more frames, while the calling thread
 *       waits ({@link #hopping}). This hand-off costs a few microseconds each way, so a program
 *       whose hot calls cross a boundary slows down a thousandfold: that is why a run gets a
 *       big first segment up front rather than hopping lazily.
 * </ul>
 * The frame budgets come from a conservative per-module bound on the JVM stack one guest frame
 * can take ({@link JitEngine#frameBytes}), so the depth limit is always reached before the JVM
 * stack runs out and CALL_STACK_EXHAUSTED traps at the same call as in the interpreter.
 *
 * <p>Only one thread runs the guest at any time (the caller blocks), so the context needs no
 * synchronization; the executor's hand-off orders the memory effects.
 */
final class StackSegments {
    /** Stack size of a segment thread; reserved address space, committed only as it is used. */
    static final long STACK_BYTES = 256L << 20;
    /** The share of a segment thread's stack that guest frames may fill; the rest is margin. */
    static final long SEGMENT_BUDGET = STACK_BYTES / 2;
    /** Guest frames' share of a thread whose stack size and current depth are unknown. */
    static final long FIRST_SEGMENT_BUDGET = 192L << 10;
    /** Runs of an engine that start on a segment thread whether or not its guest has hopped yet. */
    static final int YOUNG_RUNS = 16;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadFactory FACTORY = r -> {
        Thread t = new SegmentThread(r, "cella-jit-segment-" + THREADS.incrementAndGet());
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

    /**
     * A pooled thread with a {@link #STACK_BYTES} stack. {@link #guestRuns} counts the guest
     * segments active on it (read and written only by the thread itself): a run that starts on
     * it while none is active has the whole {@link #SEGMENT_BUDGET} to itself.
     */
    static final class SegmentThread extends Thread {
        int guestRuns;

        SegmentThread(Runnable r, String name) {
            super(null, r, name, STACK_BYTES);
        }
    }

    private StackSegments() {}

    /**
     * Runs {@code run}, which starts compiled guest code of {@code engine} for an instance whose
     * maximum depth is {@code maxDepth}, on a thread whose stack holds that depth where it can
     * (see the class comment): here if this is a segment thread, a virtual thread, if the
     * caller's first segment holds {@code maxDepth} frames anyway, or if the engine is past its
     * young runs and its guest never hopped; else on a segment thread.
     */
    static <T> T onGuestStack(JitEngine engine, int maxDepth, Callable<T> run) {
        Thread t = Thread.currentThread();
        try {
            if (t instanceof SegmentThread || t.isVirtual() || maxDepth <= engine.firstSegmentFrames()
                    || !engine.needsDeepStack()) {
                return run.call();
            }
            Future<T> done;
            // The guest's CPU is counted on the caller's clock, which waits (GuestCpu).
            GuestCpu.Share cpu = new GuestCpu.Share();
            try {
                done = POOL.submit(cpu.on(run));
            } catch (OutOfMemoryError e) {
                // No thread with a 256 MiB stack could be made (a strict overcommit limit): the
                // run stays here, with the caller's first segment, as a nested run would.
                return run.call();
            }
            engine.countEntryHop();
            try {
                return awaitUninterruptibly(done);
            } finally {
                cpu.credit();
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The depth limit of a segment of guest frames that starts on this thread with its first
     * frame at {@code depth}: a fresh segment thread's full budget, else the unknown thread's
     * (or nested run's) {@link #FIRST_SEGMENT_BUDGET}. Pair with {@link #leave}.
     */
    static int enter(JitEngine engine, int maxDepth, int depth) {
        int frames = engine.firstSegmentFrames();
        if (Thread.currentThread() instanceof SegmentThread s) {
            if (s.guestRuns == 0) {
                frames = engine.segmentFrames();
            }
            s.guestRuns++;
        }
        return (int) Math.min(maxDepth, (long) depth - 1 + frames);
    }

    /** Ends the segment {@link #enter} began on this thread. */
    static void leave() {
        if (Thread.currentThread() instanceof SegmentThread s) {
            s.guestRuns--;
        }
    }

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
        ctx.engine.countHop();
        int savedLimit = ctx.depthLimit;
        // The caller is exactly at its segment's limit (that is why the call hops), and the
        // callee's frame word in args[1] was computed against the next segment's limit.
        int nextLimit = ctx.nextSegmentLimit();
        GuestCpu.Share cpu = new GuestCpu.Share();
        Future<Object> done = POOL.submit(cpu.on(() -> {
            SegmentThread self = (SegmentThread) Thread.currentThread();
            ctx.depthLimit = nextLimit;
            self.guestRuns++;
            try {
                return target.invokeWithArguments(args);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            } finally {
                self.guestRuns--;
            }
        }));
        try {
            return awaitUninterruptibly(done);
        } finally {
            ctx.depthLimit = savedLimit;
            cpu.credit();
        }
    }

    /**
     * Waits for {@code done}; an interrupt of the waiting thread is kept for later, since the
     * guest is stopped through the interrupt hook, not by interrupting the host's thread.
     */
    private static <T> T awaitUninterruptibly(Future<T> done) throws Throwable {
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
