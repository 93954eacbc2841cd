package dev.cella.vm;

/**
 * An engine that can stop an invocation at a safe point and continue it later, possibly in
 * another instance (restored from a checkpoint) or another process. The state it hands out is
 * engine-neutral ({@link ExecutionState}), so any suspendable engine of the same module can
 * resume it.
 */
public interface SuspendableEngine extends Engine {
    /**
     * Calls {@code function} as {@link Engine#invoke} does, stopping early if {@code request}
     * fires (see {@link SuspendRequest}).
     *
     * @param request when to stop, or null never to stop
     * @return the results, or the state the invocation stopped at (the instance's fuel is
     *     current either way)
     * @throws Trap if the guest traps
     * @throws GuestExit if a host function ends the guest
     * @throws dev.cella.isa.CellaException whatever a host function or interrupt hook threw
     * @throws IllegalArgumentException as {@link Engine#invoke} does
     */
    Invocation invoke(Instance instance, int function, SuspendRequest request, long... args);

    /**
     * Continues the invocation that stopped at {@code state}, with {@code instance}'s current
     * memory, globals, tables and fuel (the ones it stopped with, or restored copies of them). The
     * instance's fuel used must equal the state's; its remaining fuel is what the resumed run may
     * spend.
     *
     * @param request when to stop again, or null never to stop
     * @return the entry function's results, or the state it stopped at again
     * @throws ExecutionStateException if the state does not fit the instance's module (a function
     *     that does not exist or is an import, a wrong register count or value, a pc that is not a
     *     block leader or a call to the next frame, too deep for the instance) or its fuel used
     * @throws Trap if the guest traps
     * @throws GuestExit if a host function ends the guest
     * @throws dev.cella.isa.CellaException whatever a host function or interrupt hook threw
     * @throws IllegalArgumentException if the instance is not of this engine's module
     */
    Invocation resume(Instance instance, ExecutionState state, SuspendRequest request);

    /**
     * Checks that {@link #resume} would accept {@code state} in {@code instance}, without running
     * anything or changing either.
     *
     * @throws ExecutionStateException if it would not (see {@link #resume})
     * @throws IllegalArgumentException if the instance is not of this engine's module
     */
    void checkResumable(Instance instance, ExecutionState state);
}
