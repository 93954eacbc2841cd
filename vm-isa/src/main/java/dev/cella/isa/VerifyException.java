package dev.cella.isa;

/**
 * A module is well-formed but invalid. Names the function (index and, if known, name) and pc
 * when the problem is inside a function body; {@code function} is -1 for module-level problems.
 */
public final class VerifyException extends CellaException {
    private final int function;
    private final int pc;
    private final String reason;

    public VerifyException(int function, String functionName, int pc, String reason) {
        super(describe(function, functionName, pc) + reason);
        this.function = function;
        this.pc = pc;
        this.reason = reason;
    }

    /** A module-level problem (imports, exports, tables, segments...). */
    public VerifyException(String reason) {
        this(-1, null, -1, reason);
    }

    private static String describe(int function, String name, int pc) {
        if (function < 0) {
            return "invalid module: ";
        }
        String f = name != null ? name + " (function " + function + ")" : "function " + function;
        return pc < 0 ? "invalid " + f + ": " : "invalid " + f + " at pc " + pc + ": ";
    }

    /** Index of the offending function, or -1. */
    public int function() {
        return function;
    }

    /** Byte offset of the offending instruction in its function body, or -1. */
    public int pc() {
        return pc;
    }

    /** The problem, without the location. */
    public String reason() {
        return reason;
    }
}
