package dev.cella.vm;

import dev.cella.isa.CellaException;

/**
 * A guest trap: the guest did something the ISA forbids (or ran out of fuel or call stack). Names
 * the kind, the function and the pc of the instruction that trapped (for fuel, the first pc of
 * the block that could not be paid for). Both engines throw it identically.
 */
public final class Trap extends CellaException {
    private final TrapKind kind;
    private final int function;
    private final String functionName;
    private final int pc;

    public Trap(TrapKind kind, int function, String functionName, int pc) {
        super("trap: " + kind.message + " in " + (functionName != null ? functionName + " (function " + function + ")"
                : "function " + function) + " at pc " + pc);
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
