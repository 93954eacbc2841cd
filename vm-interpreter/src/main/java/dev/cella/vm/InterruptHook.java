package dev.cella.vm;

/**
 * Called by the engines at safe points (block boundaries, between two charges of fuel) at least
 * once per 65,536 units of fuel charged, so a host can stop a guest for a timeout, a kill or a
 * suspension without polling inside every instruction.
 *
 * <p>The instance's fuel is current when the hook runs, and the hook may change it with {@link
 * Instance#setFuel}. To stop the guest the hook throws a {@link dev.cella.isa.CellaException}, which
 * the engine propagates unchanged.
 */
@FunctionalInterface
public interface InterruptHook {
    void poll(Instance instance);

    /**
     * Called by a host function on the guest's thread before it may block for a while (a sleep,
     * a read that has no data yet), so a scheduler can give the guest's thread slot to another
     * guest meanwhile. Always followed by {@link #blockingEnds} on the same thread, even if the
     * call fails. The default does nothing.
     */
    default void blockingStarts(Instance instance) {}

    /**
     * Called by a host function when the blocking part that {@link #blockingStarts} announced is
     * over, before it touches the guest again; a scheduler may park the guest here until it has
     * a slot again, or stop it by throwing (a kill). The default does nothing.
     */
    default void blockingEnds(Instance instance) {}

    /**
     * Called by a host function while it is blocked (between {@link #blockingStarts} and {@link
     * #blockingEnds}), at least every few milliseconds of its wait, so that a kill or a deadline
     * stops the guest promptly rather than when the wait ends: the host throws a {@link
     * dev.cella.isa.CellaException} to stop it, which the host function lets through (after
     * {@link #blockingEnds}). Like {@link #compiling}, it must not park the thread. The default
     * does nothing.
     */
    default void stillBlocked(Instance instance) {}

    /**
     * Called by an engine on the guest's thread while it compiles code for the guest (before
     * each function, and between the parts of a large one), which may take long, so that the
     * time counts against the guest's deadline: the host may stop the guest by throwing a {@link
     * dev.cella.isa.CellaException}, as from {@link #poll}. Not a poll (not at a safe point, the
     * fuel may not be current, and only engines that compile call it), so it must not park the
     * thread or count as one. The default does nothing.
     */
    default void compiling(Instance instance) {}
}
