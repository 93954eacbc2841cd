package dev.cella.bench;

/** The runtimes compared side by side. */
public enum Runtime {
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
