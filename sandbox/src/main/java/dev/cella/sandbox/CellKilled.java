package dev.cella.sandbox;

import dev.cella.isa.CellaException;

/** The host killed the cell ({@link Cell#kill()}) while its guest was running. */
public final class CellKilled extends CellaException {
    public CellKilled() {
        super("cell killed by the host");
    }
}
