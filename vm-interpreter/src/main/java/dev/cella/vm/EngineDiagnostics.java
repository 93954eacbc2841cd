package dev.cella.vm;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What an engine can tell about how it ran a module, for {@code cella run --stats} and {@code
 * --dump-jit}, without its caller knowing which engine it is. The JIT and the tiered engine
 * implement it; an engine that compiles nothing need not.
 */
public interface EngineDiagnostics {
    /** Where each function ran so far: one entry per function of the module, in function index order. */
    List<FunctionStat> functionStats();

    /**
     * The code this engine generates for {@code function}, readable (the JIT: JVM bytecode as
     * ASM's Textifier prints it). For debugging; may compile afresh.
     *
     * @throws IllegalArgumentException if there is no such function
     */
    String dumpBytecode(int function);

    /**
     * How many functions' compiled classes came from the disk cache of generated classes, and how
     * many were generated in this process.
     */
    record ClassCacheUse(int fromCache, int generated) {}

    /** The use of the disk cache of generated classes, or null if this engine keeps none. */
    default ClassCacheUse classCacheUse() {
        return null;
    }

    /** The stats as text, one function per line; functions never run are left out. */
    default String statsText() {
        return functionStats().stream()
                .filter(s -> s.tier() != FunctionStat.Tier.NOT_RUN)
                .map(FunctionStat::toText)
                .collect(Collectors.joining("\n"));
    }
}
