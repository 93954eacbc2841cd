package dev.cella.services;

/**
 * The error numbers the service calls return to a guest: WASI preview 1's {@code errno} values
 * (the same numbers {@code wasi_snapshot_preview1} uses, so a C guest compares them with
 * {@code <errno.h>}'s names). What each means for each call is in docs/host-abi.md, "Services".
 */
public final class ServiceErrno {
    private ServiceErrno() {}

    public static final int SUCCESS = 0;
    /** A rate quota (operations per second) is used up for now: retry later. */
    public static final int AGAIN = 6;
    /** An unknown or finished transaction handle. */
    public static final int BADF = 8;
    /** A compare-and-set whose expected value did not match, or a transaction that lost a conflict. */
    public static final int CANCELED = 11;
    /** A quota of keys, bytes or messages would be passed. */
    public static final int DQUOT = 19;
    /** A pointer or length reaching outside the guest's memory. */
    public static final int FAULT = 21;
    /** A value longer than {@link Limits#MAX_VALUE}. */
    public static final int FBIG = 22;
    /** A malformed argument: an empty key, a bad name, a value increment cannot read. */
    public static final int INVAL = 28;
    /** The store failed (the services were closed, or the disk failed). */
    public static final int IO = 29;
    /** Too many transactions open in one cell. */
    public static final int MFILE = 33;
    /** A message longer than {@link Limits#MAX_VALUE}. */
    public static final int MSGSIZE = 35;
    /** A key or name longer than {@link Limits#MAX_KEY}. */
    public static final int NAMETOOLONG = 37;
    /** The caller's buffer is too small; the length needed was written. */
    public static final int NOBUFS = 42;
    /** No such key, message, subscription or next key. */
    public static final int NOENT = 44;
    /** An increment that would overflow a signed 64-bit value. */
    public static final int OVERFLOW = 61;
    /** A write to a namespace granted read-only. */
    public static final int ROFS = 69;
    /** A receive that waited its whole timeout. */
    public static final int TIMEDOUT = 73;
    /** A namespace the cell was not granted (whether or not it exists). */
    public static final int NOTCAPABLE = 76;

    /** The name of errno {@code e} as the C headers spell it ({@code "ENOENT"}), or {@code "errno N"}. */
    public static String name(int e) {
        return switch (e) {
            case SUCCESS -> "SUCCESS";
            case AGAIN -> "EAGAIN";
            case BADF -> "EBADF";
            case CANCELED -> "ECANCELED";
            case DQUOT -> "EDQUOT";
            case FAULT -> "EFAULT";
            case FBIG -> "EFBIG";
            case INVAL -> "EINVAL";
            case IO -> "EIO";
            case MFILE -> "EMFILE";
            case MSGSIZE -> "EMSGSIZE";
            case NAMETOOLONG -> "ENAMETOOLONG";
            case NOBUFS -> "ENOBUFS";
            case NOENT -> "ENOENT";
            case OVERFLOW -> "EOVERFLOW";
            case ROFS -> "EROFS";
            case TIMEDOUT -> "ETIMEDOUT";
            case NOTCAPABLE -> "ENOTCAPABLE";
            default -> "errno " + e;
        };
    }
}
