package dev.cella.isa.module;

import dev.cella.isa.ValType;

/**
 * A global variable: owned, with a constant initial value held as raw bits (see {@link
 * ValType}), or imported ({@code importModule} and {@code importName} not null; {@code init} is
 * then 0 and unused): the host provides the variable at instantiation, shared with whoever else
 * holds it.
 */
public record Global(ValType type, boolean mutable, long init, String importModule, String importName) {
    /** An owned global. */
    public Global(ValType type, boolean mutable, long init) {
        this(type, mutable, init, null, null);
    }

    /** True if the host provides this global. */
    public boolean imported() {
        return importModule != null;
    }
}
