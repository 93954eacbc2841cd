package dev.cella.sandbox.wasi;

import dev.cella.sandbox.fs.FileHandle;
import dev.cella.sandbox.fs.Node;
import dev.cella.sandbox.fs.DirEntry;
import dev.cella.sandbox.stream.StreamDescriptor;
import java.util.List;

/**
 * One open file descriptor of a cell: a standard stream, a regular file (with its offset), a
 * directory (a capability: paths are resolved inside it) or a stream a host module provides (a
 * socket or a pipe, {@link StreamDescriptor}).
 */
final class Descriptor {
    enum Kind { STDIN, STDOUT, STDERR, FILE, DIRECTORY, STREAM }

    final Kind kind;
    long rightsBase;
    long rightsInheriting;
    int fdflags;

    /** FILE: the open file and the descriptor's offset. */
    final FileHandle file;
    long position;

    /** FILE and DIRECTORY: the node. */
    final Node node;

    /** DIRECTORY: the guest path it was preopened as, or null if the guest opened it. */
    final String preopenPath;

    /** True if the guest opened it (path_open): these count against the open-files quota. */
    final boolean guestOpened;

    /** STREAM: the socket or pipe. */
    StreamDescriptor stream;

    /** DIRECTORY: the listing a readdir sequence pages through; refreshed at cookie 0. */
    List<DirEntry> listing;

    private Descriptor(Kind kind, long rightsBase, long rightsInheriting, FileHandle file, Node node,
            String preopenPath, boolean guestOpened) {
        this.kind = kind;
        this.rightsBase = rightsBase;
        this.rightsInheriting = rightsInheriting;
        this.file = file;
        this.node = node;
        this.preopenPath = preopenPath;
        this.guestOpened = guestOpened;
    }

    static Descriptor stream(Kind kind) {
        long rights = kind == Kind.STDIN ? Abi.STDIO_RIGHTS & ~Abi.RIGHT_FD_WRITE : Abi.STDIO_RIGHTS & ~Abi.RIGHT_FD_READ;
        return new Descriptor(kind, rights, 0, null, null, null, false);
    }

    static Descriptor preopen(Node dir, String guestPath) {
        return new Descriptor(Kind.DIRECTORY, Abi.DIR_RIGHTS, Abi.DIR_RIGHTS | Abi.FILE_RIGHTS, null, dir, guestPath,
                false);
    }

    static Descriptor directory(Node dir, long rightsBase, long rightsInheriting) {
        return new Descriptor(Kind.DIRECTORY, rightsBase, rightsInheriting, null, dir, null, true);
    }

    static Descriptor file(FileHandle file, Node node, long rightsBase, int fdflags) {
        Descriptor d = new Descriptor(Kind.FILE, rightsBase, 0, file, node, null, true);
        d.fdflags = fdflags;
        return d;
    }

    /** A socket or pipe a host module provided; it counts as guest-opened (the open-files quota). */
    static Descriptor stream(StreamDescriptor stream) {
        Descriptor d = new Descriptor(Kind.STREAM, Abi.STREAM_RIGHTS, 0, null, null, null, true);
        d.stream = stream;
        return d;
    }

    /** True for what has no offset: the standard streams, sockets and pipes. */
    boolean isStream() {
        return kind == Kind.STDIN || kind == Kind.STDOUT || kind == Kind.STDERR || kind == Kind.STREAM;
    }

    /** Releases what the descriptor holds (a host file's channel). */
    void close() {
        if (file != null) {
            file.close();
        }
        if (stream != null) {
            stream.close();
        }
    }
}
