package dev.cella.sandbox;

import dev.cella.isa.module.Module;
import dev.cella.jit.ClassCache;
import dev.cella.jit.JitEngine;
import dev.cella.jit.TieredEngine;
import dev.cella.vm.Engine;
import dev.cella.vm.interp.Interpreter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The engines cells can run on: one factory per {@link EngineKind}: the interpreter, the JIT
 * (every function compiled before it runs) and the tiered engine behind AUTO (see
 * docs/engines.md). An embedder may replace a factory with {@link #register}.
 *
 * <p>The JIT and AUTO factories keep the classes they generate in the process's class cache
 * directory, if one is set ({@link #useClassCache}; docs/cli.md "Class cache").
 */
public final class Engines {
    private static final Map<EngineKind, Function<Module, Engine>> FACTORIES = new EnumMap<>(EngineKind.class);

    /** Where the JIT keeps generated classes between processes, or null (none). */
    private static volatile ClassCache classes;

    static {
        FACTORIES.put(EngineKind.INTERP, Interpreter::new);
        FACTORIES.put(EngineKind.JIT, m -> new JitEngine(m, classes));
        FACTORIES.put(EngineKind.AUTO, m -> new TieredEngine(m, classes));
    }

    private Engines() {}

    /**
     * Makes the engines prepared from now on define the JIT's classes from, and keep new ones in,
     * {@code cacheDir}{@code /classes} (with {@code cacheDir} null: no class cache). Engines
     * already prepared keep the cache they had. Safe to call again with the same directory.
     */
    public static synchronized void useClassCache(Path cacheDir) {
        ClassCache c = classes;
        if (cacheDir == null) {
            flushClassCache();
            classes = null;
        } else if (c == null || !c.dir().equals(cacheDir.resolve("classes"))) {
            flushClassCache();
            classes = new ClassCache(cacheDir);
        }
    }

    /**
     * Tells the class cache that {@code key} names {@code module}'s content as surely as a SHA-256
     * of it (a loader's digest of its source: the translation cache's key of a .wasm), so that its
     * classes are found without hashing the module ({@link ClassCache#identify}).
     */
    public static void identify(Module module, String key) {
        ClassCache.identify(module, key);
    }

    /** Writes the classes generated since the last flush to the class cache, if one is set; never throws. */
    public static void flushClassCache() {
        ClassCache c = classes;
        if (c != null) {
            c.flush();
        }
    }

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
