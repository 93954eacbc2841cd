package dev.cella.sandbox.durable;

import dev.cella.isa.CellaException;

/** A {@link DurableRun} cannot start or go on, or segment bytes are refused. {@link #kind()} says why. */
public final class DurableRunException extends CellaException {
    /** Why a durable run was refused or stopped. */
    public enum Kind {
        /**
         * The configuration is not fit for a durable run: it grants the host clock or host
         * entropy, attaches a host module (network, shared services), or is unmetered; or the
         * segment to resume from belongs to another cell or another program's inputs.
         */
        REFUSED,
        /** The commit sink failed a segment: it is not durable, and the run stopped before releasing it. */
        COMMIT_FAILED,
        /** The output sink failed: the segment is committed, its output not released. */
        RELEASE_FAILED,
        /** Segment bytes ({@link Segment#fromBytes}) are not a well-formed segment. */
        MALFORMED,
        /** Segment bytes are not authenticated with the given key (unsigned, another key, or changed). */
        UNAUTHENTICATED
    }

    private final Kind kind;

    public DurableRunException(Kind kind, String message) {
        super("durable run: " + message);
        this.kind = kind;
    }

    public DurableRunException(Kind kind, String message, Throwable cause) {
        super("durable run: " + message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
