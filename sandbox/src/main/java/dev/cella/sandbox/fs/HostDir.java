package dev.cella.sandbox.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open directory inside a mount: the handle through which every host operation on a mount
 * goes. It is a {@link SecureDirectoryStream}, so each operation is the host's {@code *at} call
 * relative to this directory's descriptor ({@code openat}, {@code fstatat}, {@code unlinkat},
 * {@code renameat}) with one component and {@code O_NOFOLLOW}: the kernel never walks a path the
 * guest influenced, and never follows a symbolic link.
 *
 * <p>Invariant (the containment rule for mounts): a {@code HostDir} is the mount root, opened at
 * its host path and checked to be the same directory the mount was configured with, or was
 * opened from another {@code HostDir} by one component without following a link. So whatever
 * another cell or a host process swaps in meanwhile (a link for a directory), a handle is always
 * a directory inside the mount; a swap makes the walk fail (ELOOP, ENOTDIR), it never leads out.
 *
 * <p>Java has no {@code mkdirat}, {@code symlinkat} or {@code readlinkat}; see {@link #mkdir},
 * {@link #symlink} and {@link #readLink} for how those stay inside the mount all the same.
 */
final class HostDir implements AutoCloseable {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    /** Numbers the names of nodes staged at a mount root (see {@link #mkdir}). */
    private static final AtomicLong STAGED = new AtomicLong();

    private final HostMount mount;
    private final String rel;
    private final SecureDirectoryStream<Path> ds;

    private HostDir(HostMount mount, String rel, SecureDirectoryStream<Path> ds) {
        this.mount = mount;
        this.rel = rel;
        this.ds = ds;
    }

    /**
     * Opens the root of {@code mount}. The root's host path is the host's choice (trusted); it is
     * checked to still be the directory the mount was configured with, so a root replaced by a
     * link (say by a cell that mounts its parent read-write) is refused.
     */
    static HostDir root(HostMount mount) {
        DirectoryStream<Path> s;
        try {
            s = Files.newDirectoryStream(mount.root());
        } catch (IOException e) {
            throw HostMount.map(e, mount.guestPath());
        }
        if (!(s instanceof SecureDirectoryStream<Path> sds)) {
            close(s);
            throw new FsException(FsError.NOTSUP, mount.guestPath() + ": the host has no race-free directory handles");
        }
        HostDir d = new HostDir(mount, "", sds);
        try {
            Object key = d.selfAttributes().fileKey();
            if (mount.rootKey() != null && !mount.rootKey().equals(key)) {
                throw new FsException(FsError.NOENT, mount.guestPath() + ": the mounted directory was replaced");
            }
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private static void close(DirectoryStream<Path> s) {
        try {
            s.close();
        } catch (IOException e) {
            // A stream that was only opened holds nothing to flush.
        }
    }

    /** This directory's path below the mount root. */
    String rel() {
        return rel;
    }

    /** The path below the mount root of child {@code name}. */
    String child(String name) {
        return rel.isEmpty() ? name : rel + "/" + name;
    }

    private Path name(String name) {
        return mount.root().getFileSystem().getPath(name);
    }

    private String describe(String name) {
        return mount.describe(child(name));
    }

    /** Opens subdirectory {@code name}; a link (or anything but a directory) is refused. */
    HostDir open(String name) {
        try {
            return new HostDir(mount, child(name), (SecureDirectoryStream<Path>) ds.newDirectoryStream(name(name), NOFOLLOW));
        } catch (IOException e) {
            throw HostMount.map(e, describe(name));
        }
    }

    /** The attributes of {@code name} itself (a link is not followed), or null if there is none. */
    FileStat lookup(String name) {
        try {
            return stat(ds.getFileAttributeView(name(name), BasicFileAttributeView.class, NOFOLLOW).readAttributes());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw HostMount.map(e, describe(name));
        }
    }

    /** The attributes of {@code name} itself; NOENT if there is none. */
    FileStat stat(String name) {
        FileStat st = lookup(name);
        if (st == null) {
            throw new FsException(FsError.NOENT, describe(name));
        }
        return st;
    }

    /** This directory's attributes. */
    FileStat statSelf() {
        return stat(selfAttributes());
    }

    private BasicFileAttributes selfAttributes() {
        try {
            return ds.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
        } catch (IOException e) {
            throw HostMount.map(e, mount.describe(rel));
        }
    }

    private FileStat stat(BasicFileAttributes b) {
        FileType t = b.isSymbolicLink() ? FileType.SYMBOLIC_LINK : b.isDirectory() ? FileType.DIRECTORY
                : b.isRegularFile() ? FileType.REGULAR_FILE : FileType.UNKNOWN;
        return new FileStat(mount.dev(), ino(b.fileKey()), t, 1, b.size(), nanos(b.lastAccessTime()),
                nanos(b.lastModifiedTime()), nanos(b.lastModifiedTime()));
    }

    /** The inode number inside the host's file key ({@code (dev=..,ino=N)} on Unix). */
    static long ino(Object key) {
        if (key == null) {
            return 0;
        }
        String s = key.toString();
        int at = s.indexOf("ino=");
        if (at >= 0) {
            int end = at + 4;
            while (end < s.length() && Character.isDigit(s.charAt(end))) {
                end++;
            }
            if (end > at + 4) {
                return Long.parseLong(s, at + 4, end, 10);
            }
        }
        return key.hashCode() & 0x7FFFFFFFL;
    }

    private static long nanos(FileTime t) {
        return t == null ? 0 : t.to(TimeUnit.NANOSECONDS);
    }

    /** The names in this directory, unsorted (a directory handle can be listed once). */
    List<String> names() {
        List<String> out = new ArrayList<>();
        try {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        } catch (DirectoryIteratorException e) {
            throw HostMount.map(e.getCause(), mount.describe(rel));
        }
        return out;
    }

    /** Opens regular file {@code name} with {@code options} (to which NOFOLLOW_LINKS is added). */
    FileChannel openFile(String name, Set<OpenOption> options) {
        options.add(NOFOLLOW);
        try {
            SeekableByteChannel ch = ds.newByteChannel(name(name), options);
            if (ch instanceof FileChannel fc) {
                return fc;
            }
            ch.close();
            throw new FsException(FsError.NOTSUP, describe(name));
        } catch (IOException e) {
            throw HostMount.map(e, describe(name));
        }
    }

    /** Sets the times of {@code name}, or of this directory if null (null times are left as they are). */
    void setTimes(String name, Long atim, Long mtim) {
        BasicFileAttributeView view = name == null ? ds.getFileAttributeView(BasicFileAttributeView.class)
                : ds.getFileAttributeView(name(name), BasicFileAttributeView.class, NOFOLLOW);
        try {
            view.setTimes(time(mtim), time(atim), null);
        } catch (IOException e) {
            throw HostMount.map(e, name == null ? mount.describe(rel) : describe(name));
        }
    }

    private static FileTime time(Long nanos) {
        return nanos == null ? null : FileTime.from(nanos, TimeUnit.NANOSECONDS);
    }

    /** Removes file or link {@code name}. */
    void deleteFile(String name) {
        try {
            ds.deleteFile(name(name));
        } catch (IOException e) {
            throw HostMount.map(e, describe(name));
        }
    }

    /** Removes empty directory {@code name}. */
    void deleteDirectory(String name) {
        try {
            ds.deleteDirectory(name(name));
        } catch (IOException e) {
            throw HostMount.map(e, describe(name));
        }
    }

    /** Renames {@code name} to {@code toName} in {@code to}, replacing it as POSIX rename does. */
    void move(String name, HostDir to, String toName) {
        try {
            ds.move(name(name), to.ds, to.name(toName));
        } catch (IOException e) {
            throw HostMount.map(e, describe(name));
        }
    }

    /**
     * Creates directory {@code name}. At the mount root the host path is trusted and mkdir never
     * follows a final link, so the directory is made there directly. Deeper, a path would let the
     * kernel walk directories a concurrent party can swap for links, so the directory is made at
     * the mount root under a private name and then renamed into this handle ({@code renameat}).
     */
    void mkdir(String name) {
        create(name, p -> Files.createDirectory(p));
    }

    /** Creates symbolic link {@code name} holding {@code target}, the way {@link #mkdir} makes a directory. */
    void symlink(String name, String target) {
        create(name, p -> Files.createSymbolicLink(p, p.getFileSystem().getPath(target)));
    }

    private interface Creation {
        void at(Path p) throws IOException;
    }

    private void create(String name, Creation creation) {
        if (rel.isEmpty()) {
            try {
                creation.at(mount.root().resolve(name));
            } catch (IOException e) {
                throw HostMount.map(e, describe(name));
            }
            return;
        }
        if (lookup(name) != null) {
            throw new FsException(FsError.EXIST, describe(name));
        }
        String staged = ".cella-new-" + ProcessHandle.current().pid() + "-" + STAGED.incrementAndGet();
        try (HostDir root = root(mount)) {
            try {
                creation.at(mount.root().resolve(staged));
            } catch (IOException e) {
                throw HostMount.map(e, describe(name));
            }
            try {
                root.move(staged, this, name);
            } catch (FsException e) {
                try {
                    Files.deleteIfExists(mount.root().resolve(staged));
                } catch (IOException ignored) {
                    // Only a staged, empty node can be left; it is named as Cella's own.
                }
                throw e;
            }
        }
    }

    /**
     * The target of symbolic link {@code name}. Java cannot read a link relative to a handle, so
     * the link is read by its host path, and the read is accepted only if the link the handle
     * sees before and after, and the one the path names, are one and the same link (same file
     * key) whose length matches the target read: a swap of a directory on the way is detected
     * (LOOP) rather than letting a link outside the mount be read.
     */
    String readLink(String name) {
        Path p = mount.path(child(name));
        try {
            BasicFileAttributes before = ds.getFileAttributeView(name(name), BasicFileAttributeView.class, NOFOLLOW)
                    .readAttributes();
            if (!before.isSymbolicLink()) {
                throw new FsException(FsError.INVAL, "not a symbolic link: " + describe(name));
            }
            String target = Files.readSymbolicLink(p).toString();
            BasicFileAttributes viaPath = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
            BasicFileAttributes after = ds.getFileAttributeView(name(name), BasicFileAttributeView.class, NOFOLLOW)
                    .readAttributes();
            if (before.fileKey() == null || !Objects.equals(before.fileKey(), viaPath.fileKey())
                    || !Objects.equals(before.fileKey(), after.fileKey())
                    || target.getBytes(StandardCharsets.UTF_8).length != before.size()) {
                throw new FsException(FsError.LOOP, "symbolic link changed while it was read: " + describe(name));
            }
            return target.replace(java.io.File.separatorChar, '/');
        } catch (IOException e) {
            throw HostMount.map(e, describe(name));
        }
    }

    @Override
    public void close() {
        close(ds);
    }
}
