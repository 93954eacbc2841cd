package dev.cella.vm;

import dev.cella.isa.CellaException;

/**
 * An {@link ExecutionState} cannot be resumed in an instance: it names a function, pc, register
 * or depth that the instance's module or limits do not have, or the instance's fuel does not
 * match. The message names the frame (depth, function, pc) and what is wrong.
 */
public final class ExecutionStateException extends CellaException {
    public ExecutionStateException(String message) {
        super("invalid execution state: " + message);
    }
}
