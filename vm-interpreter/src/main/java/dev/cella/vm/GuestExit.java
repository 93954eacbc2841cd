package dev.cella.vm;

import dev.cella.isa.CellaException;

/** Thrown by a host function (WASI {@code proc_exit}) to end the guest with an exit status. */
public final class GuestExit extends CellaException {
    private final int status;

    public GuestExit(int status) {
        super("guest exited with status " + status);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
