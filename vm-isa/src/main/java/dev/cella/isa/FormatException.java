package dev.cella.isa;

/** A guest binary is malformed: thrown by the reader, naming the byte offset where reading failed. */
public final class FormatException extends CellaException {
    private final long offset;
    private final String reason;

    public FormatException(long offset, String reason) {
        super("malformed binary at offset " + offset + " (0x" + Long.toHexString(offset) + "): " + reason);
        this.offset = offset;
        this.reason = reason;
    }

    /** The byte offset in the input at which the problem was found. */
    public long offset() {
        return offset;
    }

    /** The problem, without the offset. */
    public String reason() {
        return reason;
    }
}
