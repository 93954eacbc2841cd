package dev.cella.sandbox.sched;

/**
 * How a cell is to be scheduled: its name, its weight (fair share), its CPU share and memory
 * partition (static), and whether it starts suspended. Immutable; the {@code with*} methods
 * return changed copies.
 *
 * @param name a name for progress and accounting (need not be unique)
 * @param weight the cell's weight under {@link SchedulingPolicy#FAIR_SHARE}, 1 to {@link
 *     #MAX_WEIGHT}: with all busy, a cell of weight 2 gets twice the CPU of a cell of weight 1
 * @param share the cell's fixed CPU fraction under {@link SchedulingPolicy#STATIC}, in (0, 1];
 *     0 means "not given" (spawning under STATIC then fails)
 * @param memory the cell's memory cap (fair share) or partition (static) in bytes, never more than
 *     what the cell's own memory limit leaves once its stack is reserved ({@link
 *     dev.cella.sandbox.Cell#memoryCap()}); {@link #CELL_LIMIT} means that much
 * @param suspended true to spawn the cell SUSPENDED, to be started by {@link CellHandle#resume()}
 */
public record CellSpec(String name, int weight, double share, long memory, boolean suspended) {
    /** The largest weight. */
    public static final int MAX_WEIGHT = 1_000_000;
    /** {@link #memory} value meaning what the cell's own memory limit leaves its memory ({@code Cell.memoryCap()}). */
    public static final long CELL_LIMIT = -1;

    /**
     * @throws SchedulerException if the name is null or empty, the weight is out of range, the
     *     share is not 0 or in (0, 1], or memory is negative (other than {@link #CELL_LIMIT})
     */
    public CellSpec {
        if (name == null || name.isEmpty()) {
            throw new SchedulerException("a cell needs a non-empty name");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new SchedulerException("cell " + name + ": weight must be 1 to " + MAX_WEIGHT + ", not " + weight);
        }
        if (!(share == 0 || (share > 0 && share <= 1))) {
            throw new SchedulerException("cell " + name + ": CPU share must be in (0, 1], not " + share);
        }
        if (memory < 0 && memory != CELL_LIMIT) {
            throw new SchedulerException("cell " + name + ": memory must not be negative, not " + memory);
        }
    }

    /** Weight 1, no static share, the cell's own memory limit, not suspended. */
    public static CellSpec named(String name) {
        return new CellSpec(name, 1, 0, CELL_LIMIT, false);
    }

    public CellSpec withWeight(int weight) {
        return new CellSpec(name, weight, share, memory, suspended);
    }

    public CellSpec withShare(double share) {
        return new CellSpec(name, weight, share, memory, suspended);
    }

    public CellSpec withMemory(long bytes) {
        return new CellSpec(name, weight, share, bytes, suspended);
    }

    public CellSpec withSuspended(boolean suspended) {
        return new CellSpec(name, weight, share, memory, suspended);
    }
}
