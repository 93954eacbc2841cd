package dev.cella.vm;

/**
 * A function the host provides to a guest through an import. Both engines call it the same way.
 *
 * <p>Arguments arrive as raw bits in {@code args} (see {@link dev.cella.isa.ValType}); the array
 * is scratch space owned by the engine, valid only during the call. A host function returns its
 * one result as raw bits, or anything (ignored) if its signature has no result; imports with more
 * than one result are rejected at link time. To end the guest it throws {@link GuestExit}; any
 * {@link dev.cella.isa.CellaException} it throws ends the run with that error.
 */
@FunctionalInterface
public interface HostFunction {
    long call(Instance instance, long[] args);
}
