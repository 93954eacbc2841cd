package dev.cella.sandbox.stream;

/**
 * A stream operation refused with a WASI errno (ECONNRESET, EPIPE, ENOTCONN, a quota's EDQUOT):
 * the call that made it returns the errno to the guest, which goes on. Not a {@link
 * dev.cella.isa.CellaException}: it never ends a run.
 */
public final class StreamException extends RuntimeException {
    private final WasiErrno errno;

    public StreamException(WasiErrno errno) {
        super(errno.wasiName(), null, false, false);
        this.errno = errno;
    }

    public StreamException(WasiErrno errno, String message) {
        super(errno.wasiName() + ": " + message, null, false, false);
        this.errno = errno;
    }

    public WasiErrno errno() {
        return errno;
    }
}
