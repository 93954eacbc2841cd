package dev.cella.vm;

/**
 * Asks a {@link SuspendableEngine} to stop a running invocation at a safe point and hand back its
 * {@link ExecutionState}. Two triggers, either or both:
 *
 * <ul>
 *   <li>a <em>fuel point</em> N ({@link #atFuelUsed}): the invocation stops at the first block
 *       entry at which charging the block would take the instance's fuel used past N, before
 *       that block runs. This is exactly where a run with N units of fuel left would trap with
 *       fuel exhausted, so it is deterministic and the same on every engine (all engines charge
 *       fuel identically). If fuel used is already N or more, the invocation stops at its
 *       first block. If the guest's fuel left cannot pay for that block anyway, the invocation
 *       traps with fuel exhausted there, as it would without the request. A point closer to
 *       the fuel used than the next block's cost therefore stops a resumed run again at once,
 *       before that block: to make progress in steps, step by more than a block's cost.
 *       One exception: a bulk memory instruction charges inside its block ({@link BulkWork});
 *       if its charge crosses N it is still paid (from the fuel past N) and done, and the
 *       invocation stops at the next block entry, so fuel used passes N by less than that
 *       charge (at most the memory's size / 64), the same on every engine.
 *   <li>a <em>flag</em> ({@link #request()}), which any thread (or a host function, or the
 *       interrupt hook) may raise: the invocation stops at the next safe point at which the
 *       engine checks it: within 65,536 units of fuel, right after the host call that raised it,
 *       or at the block where the interrupt hook that raised it ran. Where exactly depends on
 *       timing, not on the program, when another thread raises it.
 * </ul>
 *
 * <p>A request is honoured only at block entries (never inside a host call). An invocation that
 * ends (returns, traps, exits) before either trigger fires simply ends.
 */
public final class SuspendRequest {
    /** The fuel point of a request without one. */
    public static final long NO_FUEL_POINT = Long.MAX_VALUE;

    private final long fuelPoint;
    private volatile boolean requested;

    private SuspendRequest(long fuelPoint) {
        this.fuelPoint = fuelPoint;
    }

    /**
     * A request to stop when the instance's fuel used would pass {@code fuelUsed} (see the class
     * comment); its flag may be raised too.
     *
     * @throws IllegalArgumentException if {@code fuelUsed} is negative
     */
    public static SuspendRequest atFuelUsed(long fuelUsed) {
        if (fuelUsed < 0) {
            throw new IllegalArgumentException("negative fuel point " + fuelUsed);
        }
        return new SuspendRequest(fuelUsed);
    }

    /** A request that fires only when its flag is raised ({@link #request()}). */
    public static SuspendRequest onDemand() {
        return new SuspendRequest(NO_FUEL_POINT);
    }

    /** Raises the flag: the running invocation stops at its next safe point. Thread-safe. */
    public void request() {
        requested = true;
    }

    /** True once {@link #request()} was called. */
    public boolean isRequested() {
        return requested;
    }

    /**
     * How much of an instance's {@code remaining} fuel a run may spend before {@code request}'s
     * fuel point, the instance having used {@code fuelUsed}: all of it without a request or a
     * fuel point, none once the point is reached. Engines hold the rest back, so that they run
     * dry exactly at the point.
     */
    public static long spendable(SuspendRequest request, long remaining, long fuelUsed) {
        if (request == null || request.fuelPoint == NO_FUEL_POINT) {
            return remaining;
        }
        long allowed = request.fuelPoint - fuelUsed;
        return allowed <= 0 ? 0 : Math.min(remaining, allowed);
    }

    /**
     * Checks that {@code request} (null: none) can be honoured on {@code instance}: an unmetered
     * instance charges no fuel, so a fuel point would never be reached there.
     *
     * @throws IllegalArgumentException if the request has a fuel point and the instance is unmetered
     */
    public static void checkUsable(SuspendRequest request, Instance instance) {
        if (request != null && !instance.metered() && request.fuelPoint != NO_FUEL_POINT) {
            throw new IllegalArgumentException("cannot suspend an unmetered instance at a fuel point (" + request
                    + "): it charges no fuel; use SuspendRequest.onDemand()");
        }
    }

    /** The fuel point, or {@link #NO_FUEL_POINT}. */
    public long fuelPoint() {
        return fuelPoint;
    }

    @Override
    public String toString() {
        return "SuspendRequest[" + (fuelPoint == NO_FUEL_POINT ? "on demand" : "at fuel used " + fuelPoint)
                + (requested ? ", requested" : "") + "]";
    }
}
