package dev.cella.sandbox;

import dev.cella.isa.CellaException;

/**
 * The sandbox cannot do what the host asked: an invalid configuration (a bad mount, argument or
 * variable), an engine that is not available, a module with nothing to run, a cell used after it
 * finished, or a host function that failed with an exception other than a Cella error.
 */
public final class SandboxException extends CellaException {
    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
