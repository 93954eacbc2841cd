package dev.cella.sandbox.sched;

/**
 * Told by a {@link Scheduler} about every slice and every cell's end, for progress displays,
 * measurements and tests. The calls are made under the scheduler's lock, in the order the events
 * happen, on the thread of the cell concerned: an observer must be quick and must not block.
 * It may call the lifecycle methods ({@link CellHandle#suspend()}, {@link CellHandle#kill()},
 * {@link Scheduler#pause()}...) and read {@link CellHandle#stats()}; the changes take effect
 * before the scheduler picks the next cell.
 */
public interface SchedulerObserver {
    /**
     * {@code cell} has used up its slice (or been asked to park) and has been charged {@code fuel}
     * for it; the scheduler's clock already includes it.
     */
    default void sliceEnded(Scheduler scheduler, CellHandle cell, long fuel) {}

    /** {@code cell} has finished; its result is set. */
    default void cellFinished(Scheduler scheduler, CellHandle cell) {}
}
