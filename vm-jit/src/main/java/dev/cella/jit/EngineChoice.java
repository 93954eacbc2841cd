package dev.cella.jit;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.interp.Interpreter;
import java.util.Locale;

/**
 * The engine choice of the command line's {@code --engine interp|jit|auto}, for the Java API:
 * {@code EngineChoice.parse("auto").create(module)}. See docs/engines.md.
 */
public enum EngineChoice {
    /** The interpreter only. */
    INTERP,
    /** Every function compiled to JVM bytecode when first called. */
    JIT,
    /** The interpreter first, compiled code for what is hot or can loop ({@link TieredEngine}). */
    AUTO;

    /** The engine of this choice for {@code verifiedModule}. */
    public Engine create(Module verifiedModule) {
        return switch (this) {
            case INTERP -> new Interpreter(verifiedModule);
            case JIT -> new JitEngine(verifiedModule);
            case AUTO -> new TieredEngine(verifiedModule);
        };
    }

    /** The lower-case name used on the command line. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The choice named {@code text} ({@code interp}, {@code jit} or {@code auto}, any case).
     *
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static EngineChoice parse(String text) {
        for (EngineChoice c : values()) {
            if (c.text().equalsIgnoreCase(text.strip())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + text + "' (expected interp, jit or auto)");
    }
}
