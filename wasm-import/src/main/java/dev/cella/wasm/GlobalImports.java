package dev.cella.wasm;

import dev.cella.isa.ValType;

/**
 * Supplies the values of the immutable globals a Wasm module imports: such a global becomes an
 * ordinary immutable global initialized to the value given here at translation time; a module
 * importing an immutable global nobody binds is rejected as unsupported. (A mutable global
 * import becomes a Cella global import, shared with its provider at instantiation.)
 */
@FunctionalInterface
public interface GlobalImports {
    /**
     * @param module the import's module name
     * @param name the import's field name
     * @param type the global's type
     * @return the global's value as raw bits (see {@link ValType}), or null if it is not bound
     */
    Long value(String module, String name, ValType type);

    /** Binds nothing: any global import is rejected. */
    GlobalImports NONE = (module, name, type) -> null;
}
