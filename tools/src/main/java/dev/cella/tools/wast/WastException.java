package dev.cella.tools.wast;

import dev.cella.isa.CellaException;

/**
 * A script cannot be run at all: wast2json is missing or failed, the JSON it wrote does not
 * parse, or a file it names cannot be read. Failures of individual commands are not exceptions;
 * they are counted in the {@link WastReport}.
 */
public final class WastException extends CellaException {
    public WastException(String message) {
        super(message);
    }

    public WastException(String message, Throwable cause) {
        super(message, cause);
    }
}
