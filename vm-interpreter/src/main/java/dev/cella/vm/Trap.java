package dev.cella.vm;

import dev.cella.isa.CellaException;

/**
 * A guest trap: the guest did something the ISA forbids (or ran out of fuel or call stack). Names
 * the kind, the function and the pc of the instruction that trapped (for fuel, the first pc of
 * the block that could not be paid for). Both engines throw it identically.
 */
public sealed class Trap extends CellaException permits GuestException {
    private final TrapKind kind;
    private final int function;
    private final String functionName;
    private final int pc;

    public Trap(TrapKind kind, int function, String functionName, int pc) {
        this(kind, "", function, functionName, pc, true);
    }

    /** A trap whose message adds {@code detail} to the kind's, with a stack trace only if {@code stackTrace}. */
    Trap(TrapKind kind, String detail, int function, String functionName, int pc, boolean stackTrace) {
        super("trap: " + kind.message + detail + " in " + (functionName != null ? functionName + " (function " + function + ")"
                : "function " + function) + " at pc " + pc, stackTrace);
        this.kind = kind;
        this.function = function;
        this.functionName = functionName;
        this.pc = pc;
    }

    public TrapKind kind() {
        return kind;
    }

    /** Index of the function that trapped. */
    public int function() {
        return function;
    }

    /** Its name, if the module has one, else null. */
    public String functionName() {
        return functionName;
    }

    /** Byte offset of the trapping instruction in the function body. */
    public int pc() {
        return pc;
    }
}
