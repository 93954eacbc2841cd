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
}
