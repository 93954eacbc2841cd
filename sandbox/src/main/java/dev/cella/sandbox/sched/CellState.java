package dev.cella.sandbox.sched;

/**
 * Where a cell is in its life under a {@link Scheduler}.
 *
 * <p>A cell in WAITING or SUSPENDED is never inside guest code: it either has not started yet
 * or is parked in the instance's interrupt hook, at a safe point with its fuel current (where a
 * checkpoint can be taken).
 */
public enum CellState {
    /** Runnable: waiting for the scheduler to grant it a slice. */
    WAITING,
    /** Holding one of the scheduler's threads and running its slice (or in a host call). */
    RUNNING,
    /**
     * In a host call that may block for a while (a host-clock sleep, a read of a host stream with
     * no data yet): it gave its thread slot to the others and waits for one again when the call
     * is over.
     */
    BLOCKED,
    /** Stopped by {@link CellHandle#suspend()} until {@link CellHandle#resume()}; not runnable. */
    SUSPENDED,
    /** Its run ended (exit, trap, quota, kill or error); it holds no memory, files or thread. */
    FINISHED
}
