package dev.cella.vm.interp;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.Instance;
import java.util.List;
import java.util.Objects;

/**
 * The interpreter tier: decodes every function of a module once, into a compact form ({@link Op})
 * that all instances of the module share, and runs it with a register-based dispatch loop
 * ({@link Dispatch}). Guest calls push explicit frames and never recurse on the JVM stack, so call
 * depth is a quota, not a JVM crash.
 *
 * <p>Thread-safe: the decoded code is immutable and every invocation has its own state.
 */
public final class Interpreter implements Engine {
    private final Module module;
    private final DecodedFunction[] functions;

    /**
     * Decodes {@code verifiedModule}. The module must have passed {@link
     * dev.cella.isa.verify.Verifier}: the interpreter relies on its guarantees and checks nothing
     * the verifier checks.
     *
     * @throws IllegalArgumentException if a function body is visibly not verified
     */
    public Interpreter(Module verifiedModule) {
        this.module = Objects.requireNonNull(verifiedModule, "verifiedModule");
        this.functions = new DecodedFunction[module.functionCount()];
        for (int i = 0; i < functions.length; i++) {
            functions[i] = Decoder.decode(module, i);
        }
    }

    /** The module this engine runs. */
    public Module module() {
        return module;
    }

    @Override
    public long[] invoke(Instance instance, int function, long... args) {
        Objects.requireNonNull(instance, "instance");
        if (instance.module() != module) {
            throw new IllegalArgumentException("the instance is of another module than this interpreter's");
        }
        if (function < 0 || function >= functions.length) {
            throw new IllegalArgumentException("no function " + function + " (the module has "
                    + functions.length + " functions)");
        }
        DecodedFunction f = functions[function];
        FuncType type = f.type;
        if (args.length != type.params().size()) {
            throw new IllegalArgumentException("function " + function + " of type " + type + " takes "
                    + type.params().size() + " arguments, not " + args.length);
        }
        if (f.isImport()) {
            return callImport(instance, f, args);
        }
        Machine m = new Machine(functions, instance, f);
        long[] r = m.regs;
        List<ValType> params = type.params();
        for (int i = 0; i < args.length; i++) {
            r[i] = Machine.normalize(params.get(i), args[i]);
        }
        try {
            return Dispatch.run(r, f.code, 0, 0, m);
        } finally {
            instance.consumeFuelTo(m.fuelLeft(m.credit));
        }
    }

    /** Calls an imported host function directly: no frame, no fuel. */
    private static long[] callImport(Instance instance, DecodedFunction f, long[] args) {
        List<ValType> params = f.type.params();
        long[] copy = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            copy[i] = Machine.normalize(params.get(i), args[i]);
        }
        long result = instance.hostFunction(f.index).call(instance, copy);
        return f.result == null ? new long[0] : new long[] {Machine.normalize(f.result, result)};
    }
}
