package dev.cella.isa;

/**
 * The root of Cella's typed failures. Each subclass is one contract: a malformed binary, an
 * invalid program, a text error, a link error, a guest trap, a quota hit, and so on; the
 * command line maps each to its own exit code.
 */
public abstract class CellaException extends RuntimeException {
    protected CellaException(String message) {
        super(message);
    }

    /** An exception without a stack trace unless {@code stackTrace}: for ones that guests raise often. */
    protected CellaException(String message, boolean stackTrace) {
        super(message, null, false, stackTrace);
    }

    protected CellaException(String message, Throwable cause) {
        super(message, cause);
    }
}
