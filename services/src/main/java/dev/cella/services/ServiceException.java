package dev.cella.services;

/**
 * A service call that failed in a way the caller can handle, with the {@link ServiceErrno} a
 * guest receives for it. Thrown by the Java API; the host functions turn it into the call's
 * result. It carries no stack trace: it is an expected outcome (a quota, a conflict), not a bug.
 */
public final class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final long detail;

    public ServiceException(int errno, String message) {
        this(errno, message, 0);
    }

    /** With a number the caller needs (the length an ENOBUFS buffer must have). */
    public ServiceException(int errno, String message, long detail) {
        super(ServiceErrno.name(errno) + ": " + message, null, false, false);
        this.errno = errno;
        this.detail = detail;
    }

    /** The number that comes with the error: for ENOBUFS, the length needed; else 0. */
    public long detail() {
        return detail;
    }

    /** The {@link ServiceErrno} value. */
    public int errno() {
        return errno;
    }
}
