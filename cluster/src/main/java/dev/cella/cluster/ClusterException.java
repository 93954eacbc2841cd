package dev.cella.cluster;

import dev.cella.isa.CellaException;

/** A cluster operation failed; {@link #kind()} says how, the message says where and what. */
public final class ClusterException extends CellaException {
    /** How a cluster operation failed. */
    public enum Kind {
        /** No member answered in time (wrong address, member down, or a member that refused our key). */
        UNAVAILABLE,
        /** The cluster refused the work: a cell fits on no member, or it asks for what a cluster cell cannot have. */
        REFUSED,
        /** A member's own settings are wrong (a port, a keystore, a size). */
        CONFIG
    }

    private final Kind kind;

    public ClusterException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ClusterException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
