package dev.cella.jit;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.vm.CodeFingerprint;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One module's classes in a {@link ClassCache}: those read from its file, on first use, and
 * those this process generated, to be written by {@link ClassCache#flush}. A class is named by a
 * key: its kind ({@link #FUNCTION}, {@link #ENTRY}, {@link #REGION_ENTRY}, {@link #REGION}), variant
 * (metered or not), function and block leader (for {@link #REGION}, the region).
 *
 * <p>Thread-safe (every method is synchronized; the file is read once, under the lock).
 */
final class ModuleClasses {
    /** A function's class (its methods, and for a function compiled by regions the regions). */
    static final int FUNCTION = 0;
    /** The class of an entry method continuing a function at a block leader ({@link FunctionCompiler#compileEntry}). */
    static final int ENTRY = 1;
    /** The class of a region entry method for on-stack replacement ({@link FunctionCompiler#compileRegionEntry}). */
    static final int REGION_ENTRY = 2;
    /** The class of one region of a function whose regions are emitted lazily ({@link FunctionCompiler#compileRegion}); keyed by region, not leader. */
    static final int REGION = 3;

    /**
     * What the compiler made of one class: the bytes and what {@link FunctionCompiler.Output}
     * says of them ({@code starts}: the region plan's starts, null for a class of one method).
     */
    record Stored(byte[] bytes, int[] codeSizes, boolean exits, int[] starts) {}

    private final ClassCache cache;
    /** The module, until its digest has been taken (then null, so this object does not pin it). */
    private Module module;
    private final String version;
    private String key;
    private Map<Long, Stored> read;
    private final Map<Long, Stored> generated = new LinkedHashMap<>();
    /** By kind: classes defined from the file, and classes generated. */
    private final AtomicIntegerArray used = new AtomicIntegerArray(4);
    private final AtomicIntegerArray made = new AtomicIntegerArray(4);
    private final AtomicInteger refused = new AtomicInteger();

    ModuleClasses(ClassCache cache, Module module, String version) {
        this.cache = cache;
        this.module = module;
        this.version = version;
    }

    /** The key of a class: kind in the top 2 bits, then the variant, the function (31 bits) and the leader (30 bits). */
    static long key(int kind, boolean metered, int function, int leader) {
        return (long) kind << 62 | (metered ? 1L : 0L) << 61 | (long) function << 30 | leader;
    }

    /**
     * The stored class of that key, or null if there is none or {@link ClassCheck} refuses it
     * (then it is generated again and replaces the stored one); reads the file on first use.
     */
    synchronized Stored get(int kind, boolean metered, int function, int leader) {
        Stored s = loaded().get(key(kind, metered, function, leader));
        if (s == null || ClassCheck.refusal(s.bytes(), className(kind, metered, function, leader)) == null) {
            return s;
        }
        refused.incrementAndGet();
        return null;
    }

    /** True if the file holds a class of that key (not checked: {@link #get} may still refuse it); reads the file on first use. */
    synchronized boolean has(int kind, boolean metered, int function, int leader) {
        return loaded().containsKey(key(kind, metered, function, leader));
    }

    /** The name the compiler gives the class of that key ({@link FunctionCompiler}). */
    static String className(int kind, boolean metered, int function, int leader) {
        String name = FunctionCompiler.className(function) + (metered ? "" : "$unmetered");
        return switch (kind) {
            case ENTRY -> name + "$e" + leader;
            case REGION_ENTRY -> name + "$o" + leader;
            case REGION -> name + "$r" + leader;
            default -> name;
        };
    }

    /** Stored classes {@link ClassCheck} refused. */
    int refused() {
        return refused.get();
    }

    /** Records that a class was defined from the file. */
    void used(int kind) {
        used.incrementAndGet(kind);
    }

    /**
     * Records a class this process generated: kept for the next {@link ClassCache#flush}, in
     * place of a stored one the JVM or the JIT could not use.
     */
    synchronized void generated(int kind, boolean metered, int function, int leader, Stored s) {
        made.incrementAndGet(kind);
        long k = key(kind, metered, function, leader);
        loaded().remove(k);
        generated.put(k, s);
        cache.pending(this);
    }

    /** Functions whose classes were defined from the file. */
    int functionsUsed() {
        return used.get(FUNCTION);
    }

    /** Functions whose classes were generated. */
    int functionsGenerated() {
        return made.get(FUNCTION);
    }

    /** Writes what was generated, merged with the file as it is now; true if a file was written. */
    synchronized boolean flush() {
        if (generated.isEmpty()) {
            return false;
        }
        var file = cache.file(key());
        Map<Long, Stored> all = ClassCache.read(file);
        all.putAll(loaded());
        all.putAll(generated);
        boolean wrote = cache.write(file, all);
        read.putAll(generated);
        generated.clear();
        return wrote;
    }

    private Map<Long, Stored> loaded() {
        if (read == null) {
            read = ClassCache.read(cache.file(key()));
        }
        return read;
    }

    /** The module's key ({@link ClassCache#identify}, else the SHA-256 of its binary) and the JIT's version: the file's name. */
    private String key() {
        if (key == null) {
            String id = ClassCache.identity(module);
            if (id == null) {
                id = HexFormat.of().formatHex(CodeFingerprint.sha256().digest(ModuleWriter.write(module)));
            }
            key = id + "-" + version;
            module = null;
        }
        return key;
    }
}
