package dev.cella.sandbox.stream;

/**
 * Every WASI preview 1 error number, in its numbering order: {@link #code()} is the number a
 * host call returns ({@code TOOBIG} is WASI's {@code 2BIG}). Host modules outside the sandbox
 * (the virtual network) return these codes from their own calls, so a guest sees one errno space.
 */
public enum WasiErrno {
    SUCCESS, TOOBIG, ACCES, ADDRINUSE, ADDRNOTAVAIL, AFNOSUPPORT, AGAIN, ALREADY, BADF, BADMSG, BUSY, CANCELED,
    CHILD, CONNABORTED, CONNREFUSED, CONNRESET, DEADLK, DESTADDRREQ, DOM, DQUOT, EXIST, FAULT, FBIG, HOSTUNREACH,
    IDRM, ILSEQ, INPROGRESS, INTR, INVAL, IO, ISCONN, ISDIR, LOOP, MFILE, MLINK, MSGSIZE, MULTIHOP, NAMETOOLONG,
    NETDOWN, NETRESET, NETUNREACH, NFILE, NOBUFS, NODEV, NOENT, NOEXEC, NOLCK, NOLINK, NOMEM, NOMSG, NOPROTOOPT,
    NOSPC, NOSYS, NOTCONN, NOTDIR, NOTEMPTY, NOTRECOVERABLE, NOTSOCK, NOTSUP, NOTTY, NXIO, OVERFLOW, OWNERDEAD, PERM,
    PIPE, PROTO, PROTONOSUPPORT, PROTOTYPE, RANGE, ROFS, SPIPE, SRCH, STALE, TIMEDOUT, TXTBSY, XDEV, NOTCAPABLE;

    private static final WasiErrno[] ALL = values();

    /** The number WASI gives this error. */
    public int code() {
        return ordinal();
    }

    /** The name WASI gives this error ({@code "2BIG"} for {@link #TOOBIG}). */
    public String wasiName() {
        return this == TOOBIG ? "2BIG" : name();
    }

    /** The error numbered {@code code}, or null if WASI has none. */
    public static WasiErrno of(int code) {
        return code >= 0 && code < ALL.length ? ALL[code] : null;
    }
}
