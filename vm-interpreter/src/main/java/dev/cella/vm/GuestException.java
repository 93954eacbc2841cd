package dev.cella.vm;

/**
 * An exception a guest threw ({@code throw}; see the note on exceptions in {@link
 * dev.cella.isa.Opcode}), while it unwinds, and the trap it becomes when no frame catches it.
 *
 * <p>Both engines unwind with this one object: the interpreter through its explicit frames, the
 * JIT as a Java exception through compiled frames, each handing it to the other where their frames
 * meet, so an exception crosses tiers unchanged. It is a {@link Trap} ({@link
 * TrapKind#UNCAUGHT_EXCEPTION}, at the function and pc of the throw) so that wherever it leaves
 * the guest, the host sees the typed error of a trap. It has no stack trace: guests such as Lua
 * throw one per error they report.
 */
public final class GuestException extends Trap {
    /**
     * The tag of an exception that reached an instance through a host function from outside its
     * {@linkplain Instance#tagNamespace() tag namespace} (another module's, say): tag numbers mean
     * nothing there, so it matches no tag the module catches, only catch-all clauses, and a
     * module that passes it on throws it with this tag.
     */
    public static final int FOREIGN = -1;

    private final int tag;
    private final long[] payload;
    /** The tag namespace of the instance that threw it, in which {@link #tag} is meaningful. */
    private final Object namespace;

    /**
     * @param tag the exception's tag
     * @param payload its payload (not copied: the caller gives up the array)
     * @param namespace the {@linkplain Instance#tagNamespace() tag namespace} of the throwing instance
     * @param function the function that threw it, and its name (null if none) and the byte pc of the throw
     */
    public GuestException(int tag, long[] payload, Object namespace, int function, String functionName, int pc) {
        super(TrapKind.UNCAUGHT_EXCEPTION, " (tag " + tag + ")", function, functionName, pc, false);
        this.tag = tag;
        this.payload = payload;
        this.namespace = namespace;
    }

    /**
     * This exception as {@code caller}, calling the host function that threw it, sees it: itself
     * if the caller shares its tag namespace, else with the tag {@link #FOREIGN}.
     */
    public GuestException enter(Instance caller) {
        Object ns = caller.tagNamespace();
        if (ns == namespace || tag == FOREIGN) {
            return this;
        }
        return new GuestException(FOREIGN, payload, ns, function(), functionName(), pc());
    }

    /** The tag. */
    public int tag() {
        return tag;
    }

    /**
     * Writes the exception into the registers of a catching frame, as call_catch's exn list
     * describes: the tag into {@code r[fp + code[at]]}, payload value {@code j} into {@code
     * r[fp + code[at + 1 + j]]} for the {@code n - 1} payload registers, zero past the payload.
     *
     * @param at the decoded position of the first register of the list
     * @param n the length of the list (at least 1)
     */
    public void writeTo(long[] r, int fp, int[] code, int at, int n) {
        r[fp + code[at]] = tag;
        for (int j = 0; j < n - 1; j++) {
            r[fp + code[at + 1 + j]] = j < payload.length ? payload[j] : 0;
        }
    }

    /** Payload value {@code j}, or 0 past the payload (what the JIT's catching code reads). */
    public long payload(int j) {
        return j < payload.length ? payload[j] : 0;
    }
}
