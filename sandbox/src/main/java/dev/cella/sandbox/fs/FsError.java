package dev.cella.sandbox.fs;

/**
 * Why a virtual filesystem operation failed, in POSIX terms. The WASI layer maps each to its
 * errno; the names are the POSIX ones without the leading {@code E}.
 */
public enum FsError {
    ACCES("permission denied"),
    BUSY("the node is a mount point"),
    DQUOT("the cell's disk or files-created quota is used up"),
    EXIST("file exists"),
    FBIG("file too large"),
    ILSEQ("path is not valid UTF-8"),
    INVAL("invalid argument"),
    IO("host I/O error"),
    ISDIR("is a directory"),
    LOOP("too many levels of symbolic links"),
    MFILE("too many open files (the cell's open-files quota, or the host's limit)"),
    NAMETOOLONG("name too long"),
    NOENT("no such file or directory"),
    NOSPC("no space left on the host device"),
    NOTCAPABLE("path escapes its directory"),
    NOTDIR("not a directory"),
    NOTEMPTY("directory not empty"),
    NOTSUP("not supported for this kind of file"),
    PERM("operation not permitted"),
    ROFS("read-only mount"),
    XDEV("cross-device rename");

    /** A short description, used in exception messages. */
    public final String description;

    FsError(String description) {
        this.description = description;
    }
}
