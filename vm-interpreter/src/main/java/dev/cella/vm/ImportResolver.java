package dev.cella.vm;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Limits;

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

    /**
     * Supplies an imported memory, which the importing instance then shares with whoever else
     * holds it (its data segments write into it at instantiation). The instance checks that it
     * meets {@code limits}; a resolver may throw a {@link LinkException} of its own.
     *
     * @param limits the least the memory must have, in pages: its current size at least {@code
     *     min}, and, if {@code max} is given, a maximum of at most {@code max}
     * @return the memory, or null if there is none (the default: hosts share no memory)
     */
    default Memory memory(String module, String name, Limits limits) {
        return null;
    }

    /**
     * Supplies an imported global: the variable itself, shared with its provider. The instance
     * checks nothing more; a resolver returns only a global of the type and mutability asked for,
     * or throws a {@link LinkException} naming the mismatch.
     *
     * @return the variable, or null if there is none (the default)
     */
    default GlobalCell global(String module, String name, ValType type, boolean mutable) {
        return null;
    }

    /**
     * Supplies an imported table, which the importing instance then shares with whoever else holds
     * it (its active element segments write into it at instantiation). The instance checks its
     * element type and that it meets {@code limits} (Wasm's import matching); a resolver may throw
     * a {@link LinkException} of its own. A funcref table shared between instances of different
     * modules needs them in one {@link Store}, so that a reference names the right function.
     *
     * @param type the element type the module expects
     * @param limits the least the table must have, in elements: its current size at least {@code
     *     min}, and, if {@code max} is given, a maximum of at most {@code max}
     * @return the table, or null if there is none (the default: hosts share no table)
     */
    default Table table(String module, String name, ValType type, Limits limits) {
        return null;
    }

    /**
     * The numbering the module's exception tags belong to. A guest exception leaving one instance
     * for another through a host function keeps its tag only if both instances have the same
     * namespace; otherwise it arrives as foreign ({@link GuestException#FOREIGN}). An embedder
     * that numbers the tags of the modules it links so that a tag imported from another module
     * gets that module's number (for Wasm, {@code dev.cella.wasm.TagImports}) gives their
     * instances one namespace object.
     *
     * @return the namespace, compared by identity, or null (the default) for the instance's own
     */
    default Object tagNamespace() {
        return null;
    }

    /** A resolver that provides nothing: every import is missing. */
    ImportResolver NONE = (module, name, type) -> null;
}
