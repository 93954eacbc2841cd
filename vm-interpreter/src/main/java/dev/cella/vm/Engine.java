package dev.cella.vm;

/**
 * Runs the functions of one module. One engine object serves one {@link dev.cella.isa.module.Module}
 * and may be shared by any number of instances of it, from any number of threads (an instance
 * itself is used by one thread at a time).
 */
public interface Engine {
    /**
     * Calls function {@code function} (an index in the function index space: an import calls the
     * host function directly) with arguments given as raw bits (see {@link dev.cella.isa.ValType}).
     *
     * @param instance an instance of this engine's module
     * @param function the function's index
     * @param args one value per parameter
     * @return one value per result, as raw bits
     * @throws Trap if the guest traps (including fuel and call-depth exhaustion)
     * @throws GuestExit if a host function ends the guest
     * @throws dev.cella.isa.CellaException whatever a host function or interrupt hook threw
     * @throws IllegalArgumentException if the instance is not of this engine's module, the
     *     function index is out of range or the number of arguments is wrong
     */
    long[] invoke(Instance instance, int function, long... args);
}
