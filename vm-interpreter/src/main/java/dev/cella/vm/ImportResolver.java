package dev.cella.vm;

import dev.cella.isa.module.FuncType;

/**
 * Supplies the host functions a module imports, at instantiation. The resolver sees the type the
 * module expects, so it decides what a mismatch means: return null to report the import missing
 * (a {@link LinkException}), or throw a {@link LinkException} of its own naming the mismatch.
 */
@FunctionalInterface
public interface ImportResolver {
    /**
     * @param module the import's module name, e.g. {@code wasi_snapshot_preview1}
     * @param name the import's field name
     * @param type the signature the guest expects
     * @return the host function to call, or null if there is none
     */
    HostFunction resolve(String module, String name, FuncType type);

    /** A resolver that provides nothing: every import is missing. */
    ImportResolver NONE = (module, name, type) -> null;
}
