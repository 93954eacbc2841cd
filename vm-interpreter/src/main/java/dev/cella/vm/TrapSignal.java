package dev.cella.vm;

import java.util.EnumMap;
import java.util.Map;

/**
 * A trap raised by a shared semantic helper ({@link Numerics}) that does not know where it runs.
 * The engine that called the helper catches it and throws the real {@link Trap}, which adds the
 * function and pc ({@link #toTrap}).
 *
 * <p>It is a control-flow signal, not an error: it has no stack trace, no cause and no
 * suppressed exceptions, and one immutable instance per {@link TrapKind} is shared by all threads
 * ({@link #of}), so raising it allocates nothing. It must never escape an engine.
 */
public final class TrapSignal extends RuntimeException {
    private static final Map<TrapKind, TrapSignal> SIGNALS = new EnumMap<>(TrapKind.class);

    static {
        for (TrapKind kind : TrapKind.values()) {
            SIGNALS.put(kind, new TrapSignal(kind));
        }
    }

    /** The shared signal for an integer division or remainder by zero. */
    public static final TrapSignal DIVIDE_BY_ZERO = of(TrapKind.INTEGER_DIVIDE_BY_ZERO);
    /** The shared signal for signed division overflow and out-of-range truncation. */
    public static final TrapSignal OVERFLOW = of(TrapKind.INTEGER_OVERFLOW);
    /** The shared signal for truncating a NaN to an integer. */
    public static final TrapSignal INVALID_CONVERSION = of(TrapKind.INVALID_CONVERSION);
    /** The shared signal for a memory access outside memory. */
    public static final TrapSignal OUT_OF_BOUNDS = of(TrapKind.OUT_OF_BOUNDS_MEMORY);
    /** The shared signal for the unreachable instruction. */
    public static final TrapSignal UNREACHABLE = of(TrapKind.UNREACHABLE);
    /** The shared signal for a call past the maximum call depth. */
    public static final TrapSignal CALL_STACK_EXHAUSTED = of(TrapKind.CALL_STACK_EXHAUSTED);
    /** The shared signal for a block that the remaining fuel cannot pay for. */
    public static final TrapSignal FUEL_EXHAUSTED = of(TrapKind.FUEL_EXHAUSTED);
    /** The shared signal for call_indirect with an index outside the table. */
    public static final TrapSignal UNDEFINED_ELEMENT = of(TrapKind.UNDEFINED_ELEMENT);
    /** The shared signal for call_indirect through a null table element. */
    public static final TrapSignal UNINITIALIZED_ELEMENT = of(TrapKind.UNINITIALIZED_ELEMENT);
    /** The shared signal for call_indirect to a function of another type. */
    public static final TrapSignal INDIRECT_CALL_TYPE_MISMATCH = of(TrapKind.INDIRECT_CALL_TYPE_MISMATCH);

    /** The shared signal for a table access or bulk table operation outside the table or segment. */
    public static final TrapSignal OUT_OF_BOUNDS_TABLE = of(TrapKind.OUT_OF_BOUNDS_TABLE);

    private final TrapKind kind;

    private TrapSignal(TrapKind kind) {
        super(kind.message, null, false, false);
        this.kind = kind;
    }

    /** The shared signal of {@code kind}. */
    public static TrapSignal of(TrapKind kind) {
        return SIGNALS.get(kind);
    }

    public TrapKind kind() {
        return kind;
    }

    /**
     * The trap this signal stands for, raised by the instruction at {@code pc} of function {@code
     * function}.
     *
     * @param functionName the function's debugging name, or null if it has none
     */
    public Trap toTrap(int function, String functionName, int pc) {
        return new Trap(kind, function, functionName, pc);
    }
}
