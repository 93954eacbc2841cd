package dev.cella.sandbox;

/** Which engine runs a cell's guest code. */
public enum EngineKind {
    /** The interpreter: starts at once, runs everywhere. */
    INTERP,
    /** The JIT: guest functions compiled to JVM bytecode (available once registered in {@link Engines}). */
    JIT,
    /** The JIT if one is registered, else the interpreter. */
    AUTO
}
