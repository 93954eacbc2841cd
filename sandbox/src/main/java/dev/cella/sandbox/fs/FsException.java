package dev.cella.sandbox.fs;

import dev.cella.isa.CellaException;

/**
 * A virtual filesystem operation failed; {@link #error()} says why. The WASI layer turns it into
 * an errno for the guest, so it never ends a run. It carries no stack trace: guests cause it
 * routinely (a missing file is not exceptional for them) and it must be cheap.
 */
public final class FsException extends CellaException {
    private final FsError error;

    /**
     * @param error why the operation failed
     * @param what the path or node involved, for the message
     */
    public FsException(FsError error, String what) {
        super(error.name() + " (" + error.description + "): " + what);
        this.error = error;
    }

    public FsError error() {
        return error;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
