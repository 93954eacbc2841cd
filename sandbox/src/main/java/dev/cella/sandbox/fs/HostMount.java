package dev.cella.sandbox.fs;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host directory mounted into cells at a guest path. Immutable, so one instance may serve
 * many cells at once.
 *
 * <p>Every host call goes through this class, and only with a path built from the mount root and
 * components that {@link VirtualFileSystem} validated and resolved itself: the sandbox never
 * hands a guest's path to the host unresolved, never lets the host follow a symbolic link (every
 * check uses {@link LinkOption#NOFOLLOW_LINKS}, and files are opened with it), and re-checks that
 * each directory on the way is still a real directory before it acts on a stored node.
 */
public final class HostMount {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final boolean UNIX = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("unix");

    private final Path root;
    private final String guestPath;
    private final boolean readOnly;
    private final long dev;

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

    /** The guest's view of a host path, for messages (never the host path itself). */
    String describe(Path p) {
        String rel = root.relativize(p).toString().replace(File.separatorChar, '/');
        return guestPath.equals("/") ? "/" + rel : rel.isEmpty() ? guestPath : guestPath + "/" + rel;
    }

    /** True if {@code name} may be used as one host path component. */
    static boolean isPortableName(String name) {
        return File.separatorChar == '/' || (name.indexOf(File.separatorChar) < 0 && name.indexOf(':') < 0);
    }

    /**
     * Checks that every component of {@code rel} is still a real directory (not a symbolic link),
     * so the host will not follow anything when it resolves {@code rel}.
     */
    void verifyDirectory(String rel) {
        Path p = root;
        if (!rel.isEmpty()) {
            for (String c : rel.split("/")) {
                p = p.resolve(c);
                FileStat st = statPath(p);
                if (st.type() != FileType.DIRECTORY) {
                    throw new FsException(FsError.NOTDIR, describe(p));
                }
            }
        }
    }

    /** Looks up child {@code name} of directory {@code dir} without following it; null if absent. */
    HostNode lookup(HostNode dir, String name) {
        String rel = dir.child(name);
        try {
            return new HostNode(this, rel, lstat(path(rel)).type());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw map(e, describe(path(rel)));
        }
    }

    /** The attributes of {@code p}, not following a final symbolic link. */
    FileStat statPath(Path p) {
        try {
            return lstat(p);
        } catch (IOException e) {
            throw map(e, describe(p));
        }
    }

    private FileStat lstat(Path p) throws IOException {
        if (UNIX) {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,ino,nlink,size,lastAccessTime,lastModifiedTime,ctime",
                    NOFOLLOW);
            int mode = (Integer) a.get("mode");
            return new FileStat(dev, (Long) a.get("ino"), typeOfMode(mode), ((Integer) a.get("nlink")).longValue(),
                    (Long) a.get("size"), nanos(a.get("lastAccessTime")), nanos(a.get("lastModifiedTime")),
                    nanos(a.get("ctime")));
        }
        BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        FileType t = b.isSymbolicLink() ? FileType.SYMBOLIC_LINK : b.isDirectory() ? FileType.DIRECTORY
                : b.isRegularFile() ? FileType.REGULAR_FILE : FileType.UNKNOWN;
        Object key = b.fileKey();
        return new FileStat(dev, key == null ? 0 : key.hashCode() & 0x7FFFFFFFL, t, 1, b.size(),
                nanos(b.lastAccessTime()), nanos(b.lastModifiedTime()), nanos(b.lastModifiedTime()));
    }

    private static long nanos(Object time) {
        FileTime t = (FileTime) time;
        return t == null ? 0 : t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static FileType typeOfMode(int mode) {
        return switch (mode & 0170000) {
            case 0040000 -> FileType.DIRECTORY;
            case 0100000 -> FileType.REGULAR_FILE;
            case 0120000 -> FileType.SYMBOLIC_LINK;
            case 0020000 -> FileType.CHARACTER_DEVICE;
            case 0060000 -> FileType.BLOCK_DEVICE;
            case 0140000 -> FileType.SOCKET_STREAM;
            default -> FileType.UNKNOWN;
        };
    }

    /** The entries of directory {@code dir}, sorted by name, without following links. */
    List<DirEntry> list(HostNode dir) {
        Path p = path(dir.rel());
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            for (Path child : ds) {
                names.add(child.getFileName().toString());
            }
        } catch (IOException e) {
            throw map(e, describe(p));
        } catch (java.nio.file.DirectoryIteratorException e) {
            throw map(e.getCause(), describe(p));
        }
        names.sort(null);
        List<DirEntry> out = new ArrayList<>(names.size());
        for (String n : names) {
            try {
                FileStat st = lstat(p.resolve(n));
                out.add(new DirEntry(n, st.ino(), st.type()));
            } catch (NoSuchFileException e) {
                // Removed between the listing and the stat: it is no longer an entry.
            } catch (IOException e) {
                throw map(e, describe(p.resolve(n)));
            }
        }
        return out;
    }

    /** True if directory {@code dir} has no entries. */
    boolean isEmptyDirectory(HostNode dir) {
        Path p = path(dir.rel());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            return !ds.iterator().hasNext();
        } catch (IOException e) {
            throw map(e, describe(p));
        }
    }

    /**
     * Opens (and with {@code create} creates) regular file {@code rel}. The host is told not to
     * follow a final symbolic link, so a link swapped in after resolution fails with ELOOP.
     */
    FileHandle open(String rel, boolean create, boolean exclusive, boolean write, boolean truncate, FsMeter meter) {
        Path p = path(rel);
        Set<OpenOption> opts = new HashSet<>();
        opts.add(LinkOption.NOFOLLOW_LINKS);
        opts.add(StandardOpenOption.READ);
        if (write || truncate || create) {
            if (readOnly) {
                throw new FsException(FsError.ROFS, describe(p));
            }
        }
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
        try {
            FileChannel ch = FileChannel.open(p, opts);
            return new HostFileHandle(ch, this, p, write, meter);
        } catch (IOException e) {
            throw map(e, describe(p));
        }
    }

    void createDirectory(String rel) {
        Path p = path(rel);
        try {
            Files.createDirectory(p);
        } catch (IOException e) {
            throw map(e, describe(p));
        }
    }

    void createSymlink(String rel, String target) {
        Path p = path(rel);
        try {
            Files.createSymbolicLink(p, p.getFileSystem().getPath(target));
        } catch (IOException e) {
            throw map(e, describe(p));
        }
    }

    String readSymlink(String rel) {
        Path p = path(rel);
        try {
            return Files.readSymbolicLink(p).toString().replace(File.separatorChar, '/');
        } catch (IOException e) {
            throw map(e, describe(p));
        }
    }

    /** Deletes file, link or empty directory {@code rel} (the caller checked which it is). */
    void delete(String rel) {
        Path p = path(rel);
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw map(e, describe(p));
        }
    }

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} as POSIX rename does. */
    void rename(String from, String to) {
        Path a = path(from);
        try {
            Files.move(a, path(to), StandardCopyOption.ATOMIC_MOVE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw map(e, describe(a));
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
