package dev.cella.sandbox.checkpoint;

import dev.cella.isa.CellaException;

/**
 * A checkpoint cannot be written, read or restored. {@link #kind()} says why; the message says
 * where (the file, the section and byte offset) and what.
 */
public final class CheckpointException extends CellaException {
    /** Why a checkpoint was refused. */
    public enum Kind {
        /** The file does not start with the checkpoint magic: it is not a Cella checkpoint. */
        NOT_A_CHECKPOINT,
        /** A Cella checkpoint of a format version (or with flags) this build does not read. */
        UNSUPPORTED_VERSION,
        /** The bytes were damaged: a checksum does not match, or the file is truncated. */
        CORRUPT,
        /** A key was given and the file is not authenticated with it (unsigned, another key, or changed). */
        UNAUTHENTICATED,
        /** The file holds more than the restore's limits allow; refused before it is allocated. */
        TOO_LARGE,
        /** The module given for the restore is not the one the checkpoint was taken of. */
        MODULE_MISMATCH,
        /** The restore configuration lacks what the checkpointed cell had (mounts, host functions). */
        CONFIG_MISMATCH,
        /** The checksums match but the contents are impossible for this module and configuration. */
        INVALID,
        /** The cell to checkpoint is not suspended at a safe point. */
        NOT_SUSPENDED,
        /** The cell to checkpoint has sockets or pipes open, whose other ends cannot be restored. */
        OPEN_CONNECTIONS,
        /**
         * The cell's instance is linked with other instances (a {@link dev.cella.vm.Store}): its
         * tables or globals may hold references to their functions, which a checkpoint of one
         * instance cannot hold.
         */
        LINKED,
        /** The file could not be read or written. */
        IO,
        /**
         * A delta checkpoint ({@link CheckpointDelta}) given where a whole one is needed, a whole
         * one where a delta is, or a delta applied over a base other than the one it was taken
         * against.
         */
        BASE_MISMATCH
    }

    private final Kind kind;

    public CheckpointException(Kind kind, String message) {
        super("checkpoint: " + message);
        this.kind = kind;
    }

    public CheckpointException(Kind kind, String message, Throwable cause) {
        super("checkpoint: " + message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
