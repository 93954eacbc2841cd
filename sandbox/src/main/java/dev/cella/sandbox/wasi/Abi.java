package dev.cella.sandbox.wasi;

import dev.cella.sandbox.fs.FileType;

/**
 * The numbers and memory layouts of WASI preview 1 ({@code wasi_snapshot_preview1}), as its witx
 * definitions give them. Structures are little-endian; offsets are in bytes.
 */
final class Abi {
    private Abi() {}

    // filetype (u8)
    static final int FILETYPE_UNKNOWN = 0;
    static final int FILETYPE_CHARACTER_DEVICE = 2;
    static final int FILETYPE_DIRECTORY = 3;
    static final int FILETYPE_REGULAR_FILE = 4;

    static int filetype(FileType t) {
        return switch (t) {
            case UNKNOWN -> 0;
            case BLOCK_DEVICE -> 1;
            case CHARACTER_DEVICE -> 2;
            case DIRECTORY -> 3;
            case REGULAR_FILE -> 4;
            case SOCKET_DGRAM -> 5;
            case SOCKET_STREAM -> 6;
            case SYMBOLIC_LINK -> 7;
        };
    }

    // fdflags (u16)
    static final int FDFLAGS_APPEND = 1;
    static final int FDFLAGS_DSYNC = 2;
    static final int FDFLAGS_NONBLOCK = 4;
    static final int FDFLAGS_RSYNC = 8;
    static final int FDFLAGS_SYNC = 16;
    static final int FDFLAGS_ALL = 31;

    // oflags (u16)
    static final int OFLAGS_CREAT = 1;
    static final int OFLAGS_DIRECTORY = 2;
    static final int OFLAGS_EXCL = 4;
    static final int OFLAGS_TRUNC = 8;
    static final int OFLAGS_ALL = 15;

    // lookupflags (u32)
    static final int LOOKUP_SYMLINK_FOLLOW = 1;

    // whence (u8)
    static final int WHENCE_SET = 0;
    static final int WHENCE_CUR = 1;
    static final int WHENCE_END = 2;

    // clockid (u32)
    static final int CLOCK_REALTIME = 0;
    static final int CLOCK_MONOTONIC = 1;
    static final int CLOCK_PROCESS_CPUTIME = 2;
    static final int CLOCK_THREAD_CPUTIME = 3;

    // eventtype (u8) and subclockflags (u16)
    static final int EVENTTYPE_CLOCK = 0;
    static final int EVENTTYPE_FD_READ = 1;
    static final int EVENTTYPE_FD_WRITE = 2;
    static final int SUBCLOCK_ABSTIME = 1;

    // preopentype (u8)
    static final int PREOPENTYPE_DIR = 0;

    // rights (u64)
    static final long RIGHT_FD_DATASYNC = 1L << 0;
    static final long RIGHT_FD_READ = 1L << 1;
    static final long RIGHT_FD_SEEK = 1L << 2;
    static final long RIGHT_FD_FDSTAT_SET_FLAGS = 1L << 3;
    static final long RIGHT_FD_SYNC = 1L << 4;
    static final long RIGHT_FD_TELL = 1L << 5;
    static final long RIGHT_FD_WRITE = 1L << 6;
    static final long RIGHT_FD_ADVISE = 1L << 7;
    static final long RIGHT_FD_ALLOCATE = 1L << 8;
    static final long RIGHT_PATH_CREATE_DIRECTORY = 1L << 9;
    static final long RIGHT_PATH_CREATE_FILE = 1L << 10;
    static final long RIGHT_PATH_LINK_SOURCE = 1L << 11;
    static final long RIGHT_PATH_LINK_TARGET = 1L << 12;
    static final long RIGHT_PATH_OPEN = 1L << 13;
    static final long RIGHT_FD_READDIR = 1L << 14;
    static final long RIGHT_PATH_READLINK = 1L << 15;
    static final long RIGHT_PATH_RENAME_SOURCE = 1L << 16;
    static final long RIGHT_PATH_RENAME_TARGET = 1L << 17;
    static final long RIGHT_PATH_FILESTAT_GET = 1L << 18;
    static final long RIGHT_PATH_FILESTAT_SET_SIZE = 1L << 19;
    static final long RIGHT_PATH_FILESTAT_SET_TIMES = 1L << 20;
    static final long RIGHT_FD_FILESTAT_GET = 1L << 21;
    static final long RIGHT_FD_FILESTAT_SET_SIZE = 1L << 22;
    static final long RIGHT_FD_FILESTAT_SET_TIMES = 1L << 23;
    static final long RIGHT_PATH_SYMLINK = 1L << 24;
    static final long RIGHT_PATH_REMOVE_DIRECTORY = 1L << 25;
    static final long RIGHT_PATH_UNLINK_FILE = 1L << 26;
    static final long RIGHT_POLL_FD_READWRITE = 1L << 27;
    static final long RIGHT_SOCK_SHUTDOWN = 1L << 28;
    static final long RIGHT_SOCK_ACCEPT = 1L << 29;

    /** Rights that make sense on a regular file. */
    static final long FILE_RIGHTS = RIGHT_FD_DATASYNC | RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_FDSTAT_SET_FLAGS
            | RIGHT_FD_SYNC | RIGHT_FD_TELL | RIGHT_FD_WRITE | RIGHT_FD_ADVISE | RIGHT_FD_ALLOCATE
            | RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES
            | RIGHT_POLL_FD_READWRITE;
    /** Rights that make sense on a directory. */
    static final long DIR_RIGHTS = RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC | RIGHT_FD_DATASYNC
            | RIGHT_PATH_CREATE_DIRECTORY | RIGHT_PATH_CREATE_FILE | RIGHT_PATH_LINK_SOURCE | RIGHT_PATH_LINK_TARGET
            | RIGHT_PATH_OPEN | RIGHT_FD_READDIR | RIGHT_PATH_READLINK | RIGHT_PATH_RENAME_SOURCE
            | RIGHT_PATH_RENAME_TARGET | RIGHT_PATH_FILESTAT_GET | RIGHT_PATH_FILESTAT_SET_SIZE
            | RIGHT_PATH_FILESTAT_SET_TIMES | RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_TIMES
            | RIGHT_PATH_SYMLINK | RIGHT_PATH_REMOVE_DIRECTORY | RIGHT_PATH_UNLINK_FILE;
    /** Rights that write: refused under a read-only mount. */
    static final long WRITE_RIGHTS = RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE;
    /** Rights of the standard streams. */
    /** A stream descriptor's (socket or pipe) rights. */
    static final long STREAM_RIGHTS = RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET
            | RIGHT_POLL_FD_READWRITE | RIGHT_SOCK_SHUTDOWN | RIGHT_SOCK_ACCEPT;

    static final long STDIO_RIGHTS = RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_FD_FDSTAT_SET_FLAGS
            | RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE;

    // Layouts.
    static final int IOVEC_SIZE = 8;
    static final int FDSTAT_SIZE = 24;
    static final int FILESTAT_SIZE = 64;
    static final int PRESTAT_SIZE = 8;
    static final int DIRENT_SIZE = 24;
    static final int SUBSCRIPTION_SIZE = 48;
    static final int EVENT_SIZE = 32;
}
