package dev.cella.images;

/**
 * A failure of an image or an app file, of one {@link Kind}, with a message that names the place:
 * the blob (by digest and path in the layout), or the line, column and field of a YAML file.
 */
public final class ImageException extends dev.cella.isa.CellaException {
    private static final long serialVersionUID = 1L;

    /** What went wrong; the command line gives each kind its own exit code. */
    public enum Kind {
        /** The image is not an OCI image layout Cella can read, or a document in it is malformed. */
        MALFORMED,
        /** A blob's bytes do not match its digest or size, or a referenced blob is missing. */
        TAMPERED,
        /** The image asks for a grant (a mount, the host clock, a network) the command line did not give. */
        NOT_GRANTED,
        /** A manifest of defaults or an app file is wrong (names file:line:column and the field). */
        SPEC
    }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
