package dev.cella.sandbox.sched;

import dev.cella.sandbox.Accounting;
import dev.cella.sandbox.RunResult;

/**
 * A snapshot of one cell's accounting under a scheduler, taken by {@link CellHandle#stats()}.
 * While the cell runs on another thread its counters may be a little stale.
 *
 * @param id the cell's number in its scheduler, in spawn order from 0
 * @param name the name it was spawned with
 * @param state its state when the snapshot was taken
 * @param weight its weight (fair share)
 * @param share its CPU share (static), 0 if none
 * @param fuelUsed fuel its guest has used over its life
 * @param fuelCharged fuel the scheduler has charged it, slice by slice (equals fuelUsed once the
 *     cell is not running, except fuel used before it was spawned)
 * @param slices slices it has been granted
 * @param memoryBytes its linear memory's size now (0 once finished)
 * @param peakMemoryBytes the largest its linear memory has been
 * @param reservedBytes bytes it holds in the scheduler's memory pool (0 once finished)
 * @param growsRefused memory grows refused (by its cap, its partition or the pool)
 * @param runNanos wall time it spent holding a scheduler thread
 * @param wallNanos wall time from spawn to its end (or to now)
 * @param finishedAtClock the scheduler's clock when it finished, -1 if it has not
 * @param accounting the cell's own accounting (I/O, files, outcome), or null if it never ran
 * @param result how its run ended, or null if it has not finished
 */
public record CellStats(long id, String name, CellState state, int weight, double share, long fuelUsed,
        long fuelCharged, long slices, long memoryBytes, long peakMemoryBytes, long reservedBytes, long growsRefused,
        long runNanos, long wallNanos, long finishedAtClock, Accounting accounting, RunResult result) {}
