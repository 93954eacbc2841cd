package dev.cella.sandbox;

import dev.cella.isa.module.Module;
import dev.cella.jit.JitEngine;
import dev.cella.jit.TieredEngine;
import dev.cella.vm.Engine;
import dev.cella.vm.interp.Interpreter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The engines cells can run on: one factory per {@link EngineKind}: the interpreter, the JIT
 * (every function compiled before it runs) and the tiered engine behind AUTO (see
 * docs/engines.md). An embedder may replace a factory with {@link #register}.
 */
public final class Engines {
    private static final Map<EngineKind, Function<Module, Engine>> FACTORIES = new EnumMap<>(EngineKind.class);

    static {
        FACTORIES.put(EngineKind.INTERP, Interpreter::new);
        FACTORIES.put(EngineKind.JIT, JitEngine::new);
        FACTORIES.put(EngineKind.AUTO, TieredEngine::new);
    }

    private Engines() {}

    /** Registers (or replaces) the factory for {@code kind}. */
    public static synchronized void register(EngineKind kind, Function<Module, Engine> factory) {
        FACTORIES.put(kind, Objects.requireNonNull(factory, "factory"));
    }

    /** Prepares an engine of kind {@code kind} for {@code module} (every kind has a factory). */
    public static Engine create(Module module, EngineKind kind) {
        Function<Module, Engine> f;
        synchronized (Engines.class) {
            f = FACTORIES.get(kind);
        }
        return f.apply(module);
    }
}
