package dev.cella.sandbox.sched;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.Memory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.function.Function;

/**
 * A cell under a {@link Scheduler}: the host's controls for it (suspend, resume, kill, wait) and
 * its live accounting. All methods may be called from any thread.
 *
 * <p>Lifecycle: a spawned cell is WAITING (or SUSPENDED if spawned so), RUNNING while it holds a
 * slice, back to WAITING when its slice is used up, and FINISHED when its run ends. A finished
 * cell holds no memory, files or thread; its handle keeps only the result and the counters.
 */
public final class CellHandle {
    final Scheduler scheduler;
    final long id;
    final CellSpec spec;
    final CellMemory memory;
    private final CompletableFuture<RunResult> done = new CompletableFuture<>();
    private final long spawnedAt;

    // Scheduling state, guarded by the scheduler's lock (key also by RunQueue's ordering rule).
    /** The cell, dropped (null) when it finishes so that its memory can be collected. */
    Cell cell;
    Instance instance;
    CellState state;
    double key;
    Thread thread;
    Condition wake;
    long fuelCharged;
    long slices;
    long runNanos;
    long sliceStartNanos;
    long finishedAtClock = -1;
    long finishedAt;
    long finalFuel;
    long finalMemoryBytes;
    long peakMemoryBytes;
    RunResult result;
    /** What the cell's thread runs: {@link Cell#run()} unless spawned with a program of the host's. */
    Function<Cell, RunResult> program;

    // Read by the guest thread in the interrupt hook without the lock.
    long sliceStartFuel;
    volatile boolean suspendRequested;
    volatile boolean killRequested;

    CellHandle(Scheduler scheduler, long id, CellSpec spec, Cell cell, CellMemory memory) {
        this.scheduler = scheduler;
        this.id = id;
        this.spec = spec;
        this.cell = cell;
        this.instance = cell.instance();
        this.memory = memory;
        this.spawnedAt = System.nanoTime();
        this.sliceStartFuel = instance.fuelUsed();
    }

    /**
     * The interrupt hook a scheduled cell's instance runs: the cell's own hook (kill, deadline)
     * first, then the slice check. The fast path reads two volatile flags and the fuel; only a
     * used-up slice or a pending request takes the scheduler's lock.
     */
    static final class SliceHook implements InterruptHook {
        private final InterruptHook inner;
        private final CellHandle handle;

        SliceHook(InterruptHook inner, CellHandle handle) {
            this.inner = inner;
            this.handle = handle;
        }

        @Override
        public void poll(Instance instance) {
            if (inner != null) {
                inner.poll(instance);
            }
            CellHandle h = handle;
            if (h.killRequested) {
                throw new CellKilled();
            }
            long used = instance.fuelUsed();
            if (used - h.sliceStartFuel >= h.scheduler.sliceFuel() || h.suspendRequested) {
                h.scheduler.endSlice(h, used);
            }
        }

        /** The cell's own checks and a kill; never the slice check, which may park (compilation holds a lock). */
        @Override
        public void compiling(Instance instance) {
            if (inner != null) {
                inner.compiling(instance);
            }
            if (handle.killRequested) {
                throw new CellKilled();
            }
        }

        /** As {@link #compiling}: the cell's checks and a kill, never a park. */
        @Override
        public void stillBlocked(Instance instance) {
            if (inner != null) {
                inner.stillBlocked(instance);
            }
            if (handle.killRequested) {
                throw new CellKilled();
            }
        }

        @Override
        public void blockingStarts(Instance instance) {
            if (inner != null) {
                inner.blockingStarts(instance);
            }
            handle.scheduler.blockingStarts(handle, instance.fuelUsed());
        }

        @Override
        public void blockingEnds(Instance instance) {
            try {
                handle.scheduler.blockingEnds(handle, instance.fuelUsed());
            } finally {
                if (inner != null) {
                    inner.blockingEnds(instance);
                }
            }
        }
    }

    /** The cell's number in its scheduler, in spawn order from 0. */
    public long id() {
        return id;
    }

    public String name() {
        return spec.name();
    }

    public CellSpec spec() {
        return spec;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The state now (may change as soon as it is returned, unless FINISHED). */
    public CellState state() {
        return scheduler.stateOf(this);
    }

    /**
     * Stops the cell from getting slices. A waiting cell is suspended at once; a running one at
     * its next safe point (within 65,536 units of its fuel), where it parks with its fuel
     * current; use {@link #awaitParked} to wait for that. No effect on a suspended or finished
     * cell.
     */
    public void suspend() {
        scheduler.suspend(this);
    }

    /** Makes a suspended cell runnable again (and cancels a suspension not yet reached). */
    public void resume() {
        scheduler.resume(this);
    }

    /**
     * Kills the cell: a running cell stops at its next safe point or host call, a parked or
     * unstarted one at once. Its run ends with {@link CellKilled}; its files are closed as they
     * were after its last completed host call, its memory and pool reservation are released,
     * and the other cells go on. No effect on a finished cell.
     */
    public void kill() {
        scheduler.kill(this);
    }

    /**
     * Waits until the cell is SUSPENDED (parked at a safe point, or never started) or FINISHED.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitParked(Duration timeout) throws InterruptedException {
        return scheduler.awaitParked(this, timeout);
    }

    /** Waits for the cell to finish and returns how its run ended. */
    public RunResult await() throws InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a cell's result is never exceptional", e);
        }
    }

    /**
     * Waits at most {@code timeout} for the cell to finish.
     *
     * @return how its run ended, or null if it is still running after {@code timeout}
     */
    public RunResult await(Duration timeout) throws InterruptedException {
        try {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a cell's result is never exceptional", e);
        }
    }

    /** How its run ended, or null if it has not finished. */
    public RunResult result() {
        return done.getNow(null);
    }

    /** A snapshot of its accounting: fuel, slices, memory, times, and the cell's own counters. */
    public CellStats stats() {
        return scheduler.statsOf(this);
    }

    /** Completes {@link #await}; called once, without the scheduler's lock. */
    void complete(RunResult r) {
        done.complete(r);
    }

    long spawnedAt() {
        return spawnedAt;
    }

    /** The live memory's size, or 0 if none; reads a field the guest thread writes. */
    long memoryBytesNow() {
        Memory m = instance == null ? null : instance.memory();
        return m == null ? 0 : m.size();
    }

    @Override
    public String toString() {
        return "cell " + id + " (" + spec.name() + ")";
    }
}
