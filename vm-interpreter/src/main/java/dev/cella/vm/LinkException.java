package dev.cella.vm;

import dev.cella.isa.CellaException;

/** A module cannot be instantiated: a missing or mistyped import, or an initializer out of range. */
public final class LinkException extends CellaException {
    public LinkException(String message) {
        super("link error: " + message);
    }
}
