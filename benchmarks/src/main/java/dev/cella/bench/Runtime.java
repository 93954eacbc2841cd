package dev.cella.bench;

/** The runtimes compared side by side. */
public enum Runtime {
    JAVA,
    CELLA_INTERP,
    CELLA_JIT,
    CHICORY_INTERP,
    CHICORY_COMPILER
}
