package dev.cella.vm;

import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import java.util.Objects;

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

    /**
     * The checks every engine makes before a call, in one place so that all of them refuse the
     * same calls with the same messages.
     *
     * @return the type of function {@code function}
     * @throws IllegalArgumentException if {@code instance} is not of {@code module}, the function
     *     index is out of range or {@code args} has the wrong length
     * @throws Trap CALL_STACK_EXHAUSTED if a defined function's frame does not fit the instance's
     *     stack ({@link StateValidator#checkEntry})
     */
    static FuncType checkCall(Module module, Instance instance, int function, long[] args) {
        Objects.requireNonNull(instance, "instance");
        if (instance.module() != module) {
            throw new IllegalArgumentException("the instance is of another module than this engine's");
        }
        if (function < 0 || function >= module.functionCount()) {
            throw new IllegalArgumentException("no function " + function + " (the module has "
                    + module.functionCount() + " functions)");
        }
        FuncType type = module.functionType(function);
        if (args.length != type.params().size()) {
            throw new IllegalArgumentException("function " + function + " of type " + type + " takes "
                    + type.params().size() + " arguments, not " + args.length);
        }
        if (!module.isImport(function)) {
            StateValidator.checkEntry(instance, function);
        }
        return type;
    }
}
