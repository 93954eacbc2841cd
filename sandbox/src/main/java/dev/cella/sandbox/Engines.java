package dev.cella.sandbox;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.interp.Interpreter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The engines cells can run on: one factory per {@link EngineKind}. The interpreter is always
 * here; a JIT is added by registering its factory under {@link EngineKind#JIT} (this class is the
 * one place that changes when the JIT module joins the sandbox's dependencies).
 */
public final class Engines {
    private static final Map<EngineKind, Function<Module, Engine>> FACTORIES = new EnumMap<>(EngineKind.class);

    static {
        FACTORIES.put(EngineKind.INTERP, Interpreter::new);
    }

    private Engines() {}

    /**
     * Registers (or replaces) the factory for {@code kind}.
     *
     * @throws IllegalArgumentException for {@link EngineKind#AUTO}, which is a choice, not an engine
     */
    public static synchronized void register(EngineKind kind, Function<Module, Engine> factory) {
        if (kind == EngineKind.AUTO) {
            throw new IllegalArgumentException("AUTO is not an engine; register INTERP or JIT");
        }
        FACTORIES.put(kind, Objects.requireNonNull(factory, "factory"));
    }

    /** The engine {@code kind} stands for: AUTO becomes JIT if one is registered, else INTERP. */
    public static synchronized EngineKind resolve(EngineKind kind) {
        if (kind == EngineKind.AUTO) {
            return FACTORIES.containsKey(EngineKind.JIT) ? EngineKind.JIT : EngineKind.INTERP;
        }
        return kind;
    }

    /**
     * Prepares an engine of kind {@code kind} for {@code module}.
     *
     * @throws SandboxException if no engine of that kind is registered
     */
    public static Engine create(Module module, EngineKind kind) {
        Function<Module, Engine> f;
        synchronized (Engines.class) {
            f = FACTORIES.get(resolve(kind));
        }
        if (f == null) {
            throw new SandboxException("engine " + kind + " is not available in this build");
        }
        return f.apply(module);
    }
}
