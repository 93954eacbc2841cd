package dev.cella.sandbox.fs;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A host directory mounted into cells at a guest path. Immutable, so one instance may serve
 * many cells at once.
 *
 * <p>Every host call goes through this class and {@link HostDir}: an operation on a node walks
 * from the mount root to the node's directory one component at a time through open directory
 * handles, never following a link, and then acts relative to that handle on one final
 * component. The host is never handed a path the guest could redirect; another cell or a host
 * process that swaps a directory for a link meanwhile makes the operation fail, never leave the
 * mount (see {@link HostDir} for the invariant and its two exceptions).
 */
public final class HostMount {

    private final Path root;
    private final String guestPath;
    private final boolean readOnly;
    private final long dev;
    private final Object rootKey;

    /**
     * @param root the host directory, an absolute real path (symbolic links already resolved by
     *     the host's configuration)
     * @param guestPath where the guest sees it: normalized, absolute
     * @param readOnly if true nothing under it is ever written, created, removed or renamed
     * @param index the mount's position in its configuration, which gives its device number
     * @throws IllegalArgumentException if {@code root} is not an absolute path
     */
    public HostMount(Path root, String guestPath, boolean readOnly, int index) {
        if (!root.isAbsolute()) {
            throw new IllegalArgumentException("mount root must be absolute: " + root);
        }
        this.root = root;
        this.guestPath = guestPath;
        this.readOnly = readOnly;
        this.dev = 2L + index;
        this.rootKey = keyOf(root);
    }

    private static Object keyOf(Path root) {
        try {
            return Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null; // a missing root fails every operation anyway
        }
    }

    public Path root() {
        return root;
    }

    public String guestPath() {
        return guestPath;
    }

    public boolean readOnly() {
        return readOnly;
    }

    long dev() {
        return dev;
    }

    /** The host path of {@code rel}, which must satisfy {@link HostNode}'s invariant. */
    Path path(String rel) {
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** The file key of the root when the mount was made, or null if it could not be read. */
    Object rootKey() {
        return rootKey;
    }

    /** The guest's view of {@code rel}, for messages (never the host path). */
    String describe(String rel) {
        return guestPath.equals("/") ? "/" + rel : rel.isEmpty() ? guestPath : guestPath + "/" + rel;
    }

    /** True if {@code name} may be used as one host path component. */
    static boolean isPortableName(String name) {
        return File.separatorChar == '/' || (name.indexOf(File.separatorChar) < 0 && name.indexOf(':') < 0);
    }

    /**
     * Opens directory {@code rel} by walking from the mount root one component at a time through
     * {@link HostDir} handles, never following a link: a component that is now a link or not a
     * directory fails the walk (NOTDIR), so the result is always a directory inside the mount.
     */
    HostDir openDir(String rel) {
        HostDir d = HostDir.root(this);
        if (rel.isEmpty()) {
            return d;
        }
        try {
            for (String c : rel.split("/")) {
                // Checking the kind first keeps the walk from opening (and blocking on) a FIFO.
                FileStat st = d.stat(c);
                if (st.type() != FileType.DIRECTORY) {
                    throw new FsException(FsError.NOTDIR, describe(rel));
                }
                HostDir next = d.open(c);
                d.close();
                d = next;
            }
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Opens the directory that holds {@code rel} (which is not the mount root). */
    HostDir openParent(String rel) {
        int slash = rel.lastIndexOf('/');
        return openDir(slash < 0 ? "" : rel.substring(0, slash));
    }

    /** The last component of {@code rel} (which is not the mount root). */
    static String name(String rel) {
        return rel.substring(rel.lastIndexOf('/') + 1);
    }

    /** The attributes of {@code rel} itself (a final link is not followed). */
    FileStat stat(String rel) {
        if (rel.isEmpty()) {
            try (HostDir d = openDir(rel)) {
                return d.statSelf();
            }
        }
        try (HostDir d = openParent(rel)) {
            return d.stat(name(rel));
        }
    }

    /** The entries of directory {@code dir}, sorted by name, without following links. */
    List<DirEntry> list(HostNode dir) {
        try (HostDir d = openDir(dir.rel())) {
            List<String> names = d.names();
            names.sort(null);
            List<DirEntry> out = new ArrayList<>(names.size());
            for (String n : names) {
                FileStat st = d.lookup(n);
                if (st != null) { // else removed between the listing and the stat: no longer an entry
                    out.add(new DirEntry(n, st.ino(), st.type()));
                }
            }
            return out;
        }
    }

    /** True if directory {@code dir} has no entries. */
    boolean isEmptyDirectory(HostNode dir) {
        try (HostDir d = openDir(dir.rel())) {
            return d.names().isEmpty();
        }
    }

    /**
     * Opens (and with {@code create} creates) regular file {@code rel}, relative to its parent's
     * handle and without following a final link (a link swapped in after resolution fails with
     * LOOP).
     */
    FileHandle open(String rel, boolean create, boolean exclusive, boolean write, boolean truncate, FsMeter meter) {
        if ((write || truncate || create) && readOnly) {
            throw new FsException(FsError.ROFS, describe(rel));
        }
        Set<OpenOption> opts = new HashSet<>();
        opts.add(StandardOpenOption.READ);
        if (write || truncate) {
            opts.add(StandardOpenOption.WRITE);
        }
        if (truncate) {
            opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (create) {
            opts.add(StandardOpenOption.WRITE);
            opts.add(exclusive ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
        }
        try (HostDir d = openParent(rel)) {
            if (!create) {
                // Checking the kind first keeps a FIFO or device from being opened (and blocking).
                FileType t = d.stat(name(rel)).type();
                if (t != FileType.REGULAR_FILE) {
                    throw new FsException(t == FileType.SYMBOLIC_LINK ? FsError.LOOP
                            : t == FileType.DIRECTORY ? FsError.ISDIR : FsError.NOTSUP, describe(rel));
                }
            }
            FileChannel ch = d.openFile(name(rel), opts);
            return new HostFileHandle(ch, this, rel, write, meter);
        }
    }

    void createDirectory(String rel) {
        try (HostDir d = openParent(rel)) {
            d.mkdir(name(rel));
        }
    }

    void createSymlink(String rel, String target) {
        try (HostDir d = openParent(rel)) {
            d.symlink(name(rel), target);
        }
    }

    String readSymlink(String rel) {
        try (HostDir d = openParent(rel)) {
            return d.readLink(name(rel));
        }
    }

    /** Sets the times of file or directory {@code rel} (null: leave that time), never following a link. */
    void setTimes(String rel, Long atim, Long mtim) {
        if (readOnly) {
            throw new FsException(FsError.ROFS, describe(rel));
        }
        if (rel.isEmpty()) {
            try (HostDir d = openDir(rel)) {
                d.setTimes(null, atim, mtim);
            }
            return;
        }
        try (HostDir d = openParent(rel)) {
            FileType t = d.stat(name(rel)).type();
            if (t != FileType.REGULAR_FILE && t != FileType.DIRECTORY) {
                // Setting times opens the node; a FIFO would block, a link is not followed.
                throw new FsException(FsError.NOTSUP, describe(rel));
            }
            d.setTimes(name(rel), atim, mtim);
        }
    }

    /** Deletes file or link {@code rel} ({@code directory} false) or empty directory {@code rel}. */
    void delete(String rel, boolean directory) {
        try (HostDir d = openParent(rel)) {
            if (directory) {
                d.deleteDirectory(name(rel));
            } else {
                d.deleteFile(name(rel));
            }
        }
    }

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} as POSIX rename does. */
    void rename(String from, String to) {
        try (HostDir a = openParent(from); HostDir b = openParent(to)) {
            a.move(name(from), b, name(to));
        }
    }

    /** Maps a host failure to the nearest POSIX error; the message names only guest-visible paths. */
    static FsException map(IOException e, String what) {
        FsError err;
        if (e instanceof NoSuchFileException) {
            err = FsError.NOENT;
        } else if (e instanceof FileAlreadyExistsException) {
            err = FsError.EXIST;
        } else if (e instanceof DirectoryNotEmptyException) {
            err = FsError.NOTEMPTY;
        } else if (e instanceof NotDirectoryException) {
            err = FsError.NOTDIR;
        } else if (e instanceof AccessDeniedException) {
            err = FsError.ACCES;
        } else if (e instanceof FileSystemLoopException) {
            err = FsError.LOOP;
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            String r = fse.getReason();
            err = r.contains("symbolic links") ? FsError.LOOP
                    : r.contains("Is a directory") ? FsError.ISDIR
                    : r.contains("Not a directory") ? FsError.NOTDIR
                    : r.contains("No space") || r.contains("quota") ? FsError.NOSPC
                    : r.contains("Too many open files") ? FsError.MFILE
                    : r.contains("Read-only") ? FsError.ROFS
                    : r.contains("not permitted") ? FsError.PERM
                    : FsError.IO;
        } else {
            err = FsError.IO;
        }
        return new FsException(err, what);
    }
}
