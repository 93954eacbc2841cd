package dev.cella.bench;

/**
 * The runtimes compared side by side (named so as not to shadow {@code java.lang.Runtime}); the
 * JMH parameter {@code runtime} takes these names.
 */
public enum Contender {
    JAVA,
    CELLA_INTERP,
    CELLA_JIT,
    /** Cella's interpreter running the WebAssembly version, translated by the importer. */
    CELLA_WASM_INTERP,
    /** Cella's JIT running the WebAssembly version, translated by the importer. */
    CELLA_WASM_JIT,
    CHICORY_INTERP,
    CHICORY_COMPILER
}
