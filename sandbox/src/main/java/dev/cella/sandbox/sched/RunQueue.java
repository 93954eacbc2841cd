package dev.cella.sandbox.sched;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * The waiting cells of a scheduler, ordered by their virtual time, and the rule that picks the
 * next one. Both policies are the same queue with a different key and eligibility:
 *
 * <ul>
 *   <li>{@link SchedulingPolicy#FAIR_SHARE}: a cell's virtual time grows by fuel / weight for
 *       every slice it runs; the waiting cell with the least virtual time runs next, at once
 *       (work-conserving).
 *   <li>{@link SchedulingPolicy#STATIC}: it grows by fuel / share, so it is the point of the
 *       scheduler's clock (all capacity delivered, idle capacity included) at which the cell
 *       will have used exactly its share; the cell is eligible only once the clock has reached
 *       it, so it never runs ahead of its share, and among eligible cells the least runs next.
 * </ul>
 *
 * <p>Ties go to the cell spawned first, so with one thread the order is deterministic. A cell
 * that becomes runnable after not being runnable (spawned, resumed) has its virtual time raised
 * to the present ({@link #wake}) so that time it did not run is not banked as credit.
 *
 * <p>Not thread-safe: the scheduler calls it under its lock. A cell's key never changes while
 * it is in the queue (the tree is ordered by it).
 */
final class RunQueue {
    private static final Comparator<CellHandle> ORDER =
            Comparator.<CellHandle>comparingDouble(c -> c.key).thenComparingLong(c -> c.id);

    private final SchedulingPolicy policy;
    private final TreeSet<CellHandle> waiting = new TreeSet<>(ORDER);
    /** Fair share: the virtual time of the last cell picked; never decreases. */
    private double floor;

    RunQueue(SchedulingPolicy policy) {
        this.policy = policy;
    }

    /** Puts back a cell that has just ended a slice (its key was already advanced by {@link #charge}). */
    void requeue(CellHandle c) {
        waiting.add(c);
    }

    /**
     * Adds a cell that was not runnable (just spawned or resumed), first raising its key to the
     * present: the least virtual time picked so far (fair share) or the clock (static).
     */
    void wake(CellHandle c, long clock) {
        double present = policy == SchedulingPolicy.STATIC ? clock : floor;
        c.key = Math.max(c.key, present);
        waiting.add(c);
    }

    /** Removes a cell (suspended, killed or finished while waiting); no effect if it is not queued. */
    void remove(CellHandle c) {
        waiting.remove(c);
    }

    /** Advances the virtual time of {@code c}, which is not queued, by {@code fuel} it has just used. */
    void charge(CellHandle c, long fuel) {
        double per = policy == SchedulingPolicy.STATIC ? c.spec.share() : c.spec.weight();
        c.key += fuel / per;
    }

    /**
     * Removes and returns the cell to run next, or null if none may run now (the queue is
     * empty, or under STATIC every waiting cell is ahead of its share at {@code clock}).
     */
    CellHandle poll(long clock) {
        if (waiting.isEmpty()) {
            return null;
        }
        CellHandle first = waiting.first();
        if (policy == SchedulingPolicy.STATIC && first.key > clock) {
            return null;
        }
        waiting.pollFirst();
        floor = Math.max(floor, first.key);
        return first;
    }

    /**
     * How far the clock must advance before {@link #poll} returns a cell: 0 if one may run now,
     * {@link Long#MAX_VALUE} if the queue is empty.
     */
    long idleBeforeEligible(long clock) {
        if (waiting.isEmpty()) {
            return Long.MAX_VALUE;
        }
        double gap = waiting.first().key - clock;
        return gap <= 0 ? 0 : (long) Math.ceil(gap);
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    int size() {
        return waiting.size();
    }
}
