package dev.cella.sandbox.sched;

/**
 * How a {@link Scheduler} divides CPU (measured in fuel) and memory among its cells. See
 * {@code docs/scheduling.md} for the exact rules.
 */
public enum SchedulingPolicy {
    /**
     * Dynamic, weighted fair share: the waiting cell with the least fuel per unit of weight runs
     * next, so busy cells get CPU in proportion to their weights and a share a cell does not use
     * (it is suspended, finished or blocked) goes to the busy ones. Memory comes from the pool
     * as the cells grow, each up to its own cap; a grow the pool cannot hold fails for that cell.
     */
    FAIR_SHARE,
    /**
     * Static partitions: each cell is given a fixed fraction of the CPU and a fixed memory
     * partition when it is spawned, both reserved for it until it finishes. A cell never runs
     * more than its fraction, even when the rest of the machine is idle, and the shares of all
     * live cells add up to at most 1.
     */
    STATIC
}
