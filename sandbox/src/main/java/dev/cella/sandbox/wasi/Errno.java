package dev.cella.sandbox.wasi;

import dev.cella.sandbox.fs.FsError;
import dev.cella.sandbox.stream.WasiErrno;

/**
 * WASI preview 1 error numbers ({@code errno}, a u16), exactly as {@code wasi_snapshot_preview1}
 * numbers them. Only the ones this host returns are named here; {@link WasiErrno} lists all.
 */
public final class Errno {
    public static final int SUCCESS = 0;
    public static final int TOOBIG = 1;
    public static final int ACCES = 2;
    public static final int AGAIN = 6;
    public static final int BADF = 8;
    public static final int BUSY = 10;
    public static final int DQUOT = 19;
    public static final int EXIST = 20;
    public static final int FAULT = 21;
    public static final int FBIG = 22;
    public static final int ILSEQ = 25;
    public static final int INVAL = 28;
    public static final int IO = 29;
    public static final int ISDIR = 31;
    public static final int LOOP = 32;
    public static final int MFILE = 33;
    public static final int NAMETOOLONG = 37;
    public static final int NOENT = 44;
    public static final int NOSPC = 51;
    public static final int NOSYS = 52;
    public static final int NOTDIR = 54;
    public static final int NOTEMPTY = 55;
    public static final int NOTSOCK = 57;
    public static final int NOTSUP = 58;
    public static final int OVERFLOW = 61;
    public static final int PERM = 63;
    public static final int PIPE = 64;
    public static final int ROFS = 69;
    public static final int SPIPE = 70;
    public static final int XDEV = 75;
    public static final int NOTCAPABLE = 76;

    private Errno() {}

    /** The WASI name of {@code errno} ({@code "NOENT"}), or {@code "errno N"} if there is none. */
    public static String name(int errno) {
        WasiErrno e = WasiErrno.of(errno);
        return e != null ? e.wasiName() : "errno " + errno;
    }

    /** The errno for a filesystem failure. */
    public static int of(FsError e) {
        return switch (e) {
            case ACCES -> ACCES;
            case BUSY -> BUSY;
            case DQUOT -> DQUOT;
            case EXIST -> EXIST;
            case FBIG -> FBIG;
            case ILSEQ -> ILSEQ;
            case INVAL -> INVAL;
            case IO -> IO;
            case ISDIR -> ISDIR;
            case LOOP -> LOOP;
            case MFILE -> MFILE;
            case NAMETOOLONG -> NAMETOOLONG;
            case NOENT -> NOENT;
            case NOSPC -> NOSPC;
            case NOTCAPABLE -> NOTCAPABLE;
            case NOTDIR -> NOTDIR;
            case NOTEMPTY -> NOTEMPTY;
            case NOTSUP -> NOTSUP;
            case PERM -> PERM;
            case ROFS -> ROFS;
            case XDEV -> XDEV;
        };
    }
}
