package dev.cella.sandbox;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.interp.Interpreter;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A verified module with its prepared engine: the part of a cell that many cells share. Engines
 * keep no per-instance state, so one image serves any number of cells at once, on any threads,
 * and creating a cell from an image costs only the instance and its WASI state.
 *
 * <p>{@link #of} caches images by module identity (softly: an image whose module is still in
 * use stays until the JVM needs the memory), so {@link Cell#create(Module, CellConfig)} prepares
 * each module's engine once.
 */
public final class CellImage {
    private final Module module;
    private final EngineKind kind;
    private final Engine engine;
    /** The interpreter that suspendable runs use when the engine is not suspendable; made on first use. */
    private volatile SuspendableEngine suspendable;

    private CellImage(Module module, EngineKind kind, Engine engine) {
        this.module = module;
        this.kind = kind;
        this.engine = engine;
    }

    /**
     * Prepares an image of {@code module} for engine {@code kind}, without the cache.
     *
     * @param module a verified module
     */
    public static CellImage prepare(Module module, EngineKind kind) {
        Objects.requireNonNull(kind, "kind");
        return new CellImage(Objects.requireNonNull(module, "module"), kind, Engines.create(module, kind));
    }

    /**
     * An image of {@code module} that runs on {@code engine}, which the caller made (an embedder's
     * own engine, or an engine wrapped for tracing); not cached.
     *
     * @param module a verified module
     * @param kind what {@link #engineKind()} reports (not AUTO)
     * @param engine an engine of {@code module}
     * @throws IllegalArgumentException if {@code kind} is AUTO
     */
    public static CellImage withEngine(Module module, EngineKind kind, Engine engine) {
        if (Objects.requireNonNull(kind, "kind") == EngineKind.AUTO) {
            throw new IllegalArgumentException("AUTO is not an engine; say which engine this is");
        }
        return new CellImage(Objects.requireNonNull(module, "module"), kind, Objects.requireNonNull(engine, "engine"));
    }

    /** The cached image of {@code module} for engine {@code kind}, prepared on first use. */
    public static CellImage of(Module module, EngineKind kind) {
        return Cache.get(module, Objects.requireNonNull(kind, "kind"));
    }

    public Module module() {
        return module;
    }

    /** The engine kind this image runs on. */
    public EngineKind engineKind() {
        return kind;
    }

    public Engine engine() {
        return engine;
    }

    /**
     * An engine of this image's module that can suspend and resume runs ({@link
     * dev.cella.sandbox.Cell#run(dev.cella.vm.SuspendRequest)}): the image's engine if it is one,
     * else an interpreter of the module, made on first use and shared by the image's cells.
     */
    public SuspendableEngine suspendableEngine() {
        if (engine instanceof SuspendableEngine s) {
            return s;
        }
        SuspendableEngine s = suspendable;
        if (s == null) {
            // Two threads may both make one; either serves, since engines keep no per-run state.
            s = new Interpreter(module);
            suspendable = s;
        }
        return s;
    }

    /** Images by module identity and engine kind. Keys are weak, values soft: neither pins a module. */
    private static final class Cache {
        private static final ReferenceQueue<Module> QUEUE = new ReferenceQueue<>();
        private static final Map<Key, SoftReference<CellImage>> MAP = new HashMap<>();
        private static volatile CellImage last;

        static CellImage get(Module module, EngineKind kind) {
            CellImage l = last;
            if (l != null && l.module == module && l.kind == kind) {
                return l;
            }
            Key probe = new Key(module, kind, null);
            synchronized (MAP) {
                expunge();
                SoftReference<CellImage> ref = MAP.get(probe);
                CellImage img = ref == null ? null : ref.get();
                if (img == null) {
                    img = prepare(module, kind);
                    MAP.put(new Key(module, kind, QUEUE), new SoftReference<>(img));
                }
                last = img;
                return img;
            }
        }

        private static void expunge() {
            for (Object k; (k = QUEUE.poll()) != null; ) {
                MAP.remove(k);
            }
        }
    }

    /** A weak, identity-compared reference to a module, plus the engine kind. */
    private static final class Key extends WeakReference<Module> {
        private final int hash;
        private final EngineKind kind;

        Key(Module module, EngineKind kind, ReferenceQueue<Module> queue) {
            super(module, queue);
            this.hash = System.identityHashCode(module) * 31 + kind.ordinal();
            this.kind = kind;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Key k)) {
                return false;
            }
            Module m = get();
            return m != null && m == k.get() && kind == k.kind;
        }
    }
}
