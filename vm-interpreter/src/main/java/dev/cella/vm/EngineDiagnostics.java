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

    /**
     * What making this engine's code cost in this process, in CPU time of the threads that did it
     * ({@link GuestCpu}): {@code cacheNanos} taking classes from the disk cache of generated
     * classes (reading its file, checking each class), {@code generateNanos} producing class
     * files (the JIT's emitters and ASM), {@code defineNanos} handing them to the JVM, which parses, verifies and links each
     * class there ({@code Lookup.defineHiddenClass}), for {@code classes} classes of {@code bytes}
     * bytes in all, those read from the class cache included (they are defined, not generated).
     * For {@code --stats} and the startup breakdown in docs/performance.md.
     */
    record CodeCost(int classes, long bytes, long cacheNanos, long generateNanos, long defineNanos) {}

    /** What making this engine's code cost so far, or null if this engine makes none. */
    default CodeCost codeCost() {
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
