package dev.cella.sandbox;

/** Which engine runs a cell's guest code. */
public enum EngineKind {
    /** The interpreter: starts at once, runs everywhere. */
    INTERP,
    /** The JIT: every guest function compiled to JVM bytecode before it first runs. */
    JIT,
    /** Tiered: the interpreter first, hot functions (and any that can loop) compiled; see docs/engines.md. */
    AUTO
}
