package dev.cella.sandbox;

import java.util.Locale;

/**
 * Which engine runs a cell's guest code; the one vocabulary of engines for the Java API, {@code
 * cella run --engine} and a batch file's {@code engine=} (see docs/engines.md).
 */
public enum EngineKind {
    /** The interpreter: starts at once, runs everywhere. */
    INTERP,
    /** The JIT: every guest function compiled to JVM bytecode before it first runs. */
    JIT,
    /** Tiered: the interpreter first, hot functions (and any that can loop) compiled; see docs/engines.md. */
    AUTO;

    /** The lower-case name the command line uses: {@code interp}, {@code jit} or {@code auto}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The engine named {@code text}: {@code interp}, {@code jit} or {@code auto}, in any case.
     *
     * @throws IllegalArgumentException for any other name, naming it and the valid ones
     */
    public static EngineKind parse(String text) {
        for (EngineKind k : values()) {
            if (k.text().equalsIgnoreCase(text)) {
                return k;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an engine (expected interp, jit or auto)");
    }
}
