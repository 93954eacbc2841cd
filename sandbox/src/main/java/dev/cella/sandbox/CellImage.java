package dev.cella.sandbox;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
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

    private CellImage(Module module, EngineKind kind, Engine engine) {
        this.module = module;
        this.kind = kind;
        this.engine = engine;
    }

    /**
     * Prepares an image of {@code module} for engine {@code kind}, without the cache.
     *
     * @param module a verified module
     * @throws SandboxException if the engine is not available
     */
    public static CellImage prepare(Module module, EngineKind kind) {
        EngineKind actual = Engines.resolve(Objects.requireNonNull(kind, "kind"));
        return new CellImage(Objects.requireNonNull(module, "module"), actual, Engines.create(module, actual));
    }

    /** The cached image of {@code module} for engine {@code kind}, prepared on first use. */
    public static CellImage of(Module module, EngineKind kind) {
        return Cache.get(module, Engines.resolve(kind));
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
