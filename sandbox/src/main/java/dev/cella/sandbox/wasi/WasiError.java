package dev.cella.sandbox.wasi;

/**
 * Carries an errno out of a WASI call's implementation to its entry point, which returns it to
 * the guest. Never escapes the WASI layer; carries no stack trace (guests cause it routinely).
 */
final class WasiError extends RuntimeException {
    final int errno;

    WasiError(int errno) {
        super(Errno.name(errno), null, false, false);
        this.errno = errno;
    }
}
