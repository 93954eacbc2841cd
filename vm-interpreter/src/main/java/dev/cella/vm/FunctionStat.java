package dev.cella.vm;

/**
 * Where one function ran ({@link EngineDiagnostics}), for {@code --stats}: whether it was interpreted, compiled (in one JVM
 * method or split into regions), or fell back to the interpreter because it could not be
 * compiled (with the reason).
 *
 * @param function index in the function index space
 * @param name the function's debugging name, or {@code f<index>}
 * @param tier where it ran
 * @param regions region methods it was split into (0 if compiled in one method or not compiled)
 * @param interpretedCalls calls and on-stack transfers the interpreter made of it (tiered engine only)
 * @param detail why it fell back, or how it was entered compiled (empty if nothing to say)
 */
public record FunctionStat(int function, String name, Tier tier, int regions, long interpretedCalls, String detail) {

    /** Where a function ran. */
    public enum Tier {
        /** Never called. */
        NOT_RUN,
        /** Ran only in the interpreter (it never became hot). */
        INTERPRETED,
        /** Compiled to JVM bytecode (perhaps after starting in the interpreter). */
        COMPILED,
        /** Could not be compiled and ran in the interpreter instead; {@link #detail} says why. */
        FELL_BACK,
        /** An imported host function. */
        HOST
    }

    /** The tier as {@code --stats} names it: lower case, words separated by spaces ({@code fell back}). */
    public String tierName() {
        return tier.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** One line of text, e.g. {@code f3 main: compiled (4 regions)}. */
    public String toText() {
        StringBuilder sb = new StringBuilder().append('f').append(function);
        if (!name.equals("f" + function)) {
            sb.append(' ').append(name);
        }
        sb.append(": ").append(tierName());
        if (regions > 0) {
            sb.append(" (").append(regions).append(" regions)");
        }
        if (interpretedCalls > 0) {
            sb.append(", ").append(interpretedCalls).append(" interpreted entries");
        }
        if (!detail.isEmpty()) {
            sb.append(", ").append(detail);
        }
        return sb.toString();
    }
}
