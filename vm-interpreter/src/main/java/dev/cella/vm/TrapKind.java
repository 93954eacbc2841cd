package dev.cella.vm;

/**
 * Every way a guest can trap, with the one message each. Both engines, the sandbox and the tests
 * use this list; the messages follow the WebAssembly specification's wording where it has one.
 */
public enum TrapKind {
    UNREACHABLE("unreachable"),
    INTEGER_DIVIDE_BY_ZERO("integer divide by zero"),
    INTEGER_OVERFLOW("integer overflow"),
    INVALID_CONVERSION("invalid conversion to integer"),
    OUT_OF_BOUNDS_MEMORY("out of bounds memory access"),
    UNDEFINED_ELEMENT("undefined element"),
    UNINITIALIZED_ELEMENT("uninitialized element"),
    INDIRECT_CALL_TYPE_MISMATCH("indirect call type mismatch"),
    CALL_STACK_EXHAUSTED("call stack exhausted"),
    FUEL_EXHAUSTED("fuel exhausted"),
    OUT_OF_BOUNDS_TABLE("out of bounds table access"),
    /** An exception ({@code throw}) that no frame of the run caught: {@link GuestException}. */
    UNCAUGHT_EXCEPTION("uncaught exception");

    public final String message;

    TrapKind(String message) {
        this.message = message;
    }
}
