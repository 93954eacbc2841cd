package dev.cella.cluster;

import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A member's decoded, verified modules by the content of their binary: every cell of a batch
 * carries the same module bytes ({@link Wire.CellJob#module()}), and a member decodes and
 * verifies them once, not once per cell. The {@link Module} it returns is then one instance
 * for all those cells, so the sandbox's engine image of it ({@code CellImage}, keyed by the
 * module's identity) is prepared once too.
 *
 * <p>The key is the bytes themselves, compared whole ({@link Arrays#equals(byte[], byte[])}), so
 * a binary that differs in any byte is a different entry, decoded and verified on its own, and
 * one that fails to decode or verify is never stored. The cache keeps its own copy of each key,
 * so a caller that changes its array afterwards cannot change an entry. Only a module's binary
 * is shared: each cell's grants and quotas come from its own job ({@link Worker#config}), so no
 * entry carries anything of one cell's configuration to another.
 *
 * <p>Not thread-safe: the member's actor is its one user.
 */
final class ModuleCache {
    /** A binary as a key: its content, hashed once. */
    private record Key(byte[] bytes, int hash) {
        static Key of(byte[] bytes) {
            return new Key(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Map<Key, Module> modules;
    private int decoded;

    /** @param capacity how many modules are kept; the least recently used goes first */
    ModuleCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.modules = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Module> e) {
                return size() > capacity;
            }
        };
    }

    /**
     * The module whose binary is {@code bytes}, decoded and verified on its first use.
     *
     * @throws dev.cella.isa.CellaException if the binary is malformed or the module does not verify
     */
    Module get(byte[] bytes) {
        Key probe = Key.of(bytes);
        Module m = modules.get(probe);
        if (m == null) {
            m = ModuleReader.read(bytes);
            Verifier.verify(m);
            decoded++;
            modules.put(new Key(bytes.clone(), probe.hash()), m);
        }
        return m;
    }

    /** How many binaries were decoded and verified so far (for tests). */
    int decoded() {
        return decoded;
    }

    int size() {
        return modules.size();
    }
}
