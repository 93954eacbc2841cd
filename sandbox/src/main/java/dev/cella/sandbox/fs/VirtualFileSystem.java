package dev.cella.sandbox.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A cell's filesystem: an in-memory tree, private to the cell, with host directories mounted at
 * guest paths. Nothing of the host is reachable except through a mount, and nothing under a
 * mount is reachable except by paths that {@link PathResolver} resolved inside it.
 *
 * <p>Operations take a base directory (the capability the guest holds) and a relative path, as
 * WASI does, and throw {@link FsException} on failure. Read-only mounts are never written,
 * truncated, created in, removed from or renamed into or out of (ROFS). Mount points cannot be
 * removed or renamed (BUSY), and a rename cannot cross from one mount or the in-memory tree to
 * another (XDEV).
 *
 * <p>The in-memory tree starts with the character devices {@code /dev/null}, {@code /dev/zero},
 * {@code /dev/full} and {@code /dev/urandom} ({@link MemNode.Device}); a mount at {@code /} or
 * {@code /dev} (or at one of those paths) takes their place. Devices cannot be removed, renamed
 * or replaced (PERM), nor can the directory that holds them be renamed (BUSY).
 *
 * <p>Not thread-safe: a cell uses it from the thread that runs the guest.
 */
public final class VirtualFileSystem {
    /** The longest path, in UTF-8 bytes, accepted from a guest. */
    public static final int MAX_PATH = 4096;
    /** The longest path component, in UTF-8 bytes. */
    public static final int MAX_NAME = 255;
    /** The most symbolic links one resolution may expand. */
    public static final int MAX_SYMLINK_HOPS = 32;
    /** The device number of the in-memory tree. */
    static final long MEM_DEV = 1;

    private final Node root;
    private final List<HostMount> mounts;
    private final List<Node> mountRoots = new ArrayList<>();
    private final FsMeter meter;
    private final LongSupplier clock;
    private final RandomSource random;
    private final PathResolver resolver = new PathResolver(this);
    private long nextIno = 1;

    /**
     * @param mounts host directories to mount, with normalized absolute guest paths, none inside
     *     another; a mount at {@code /} must be the only one
     * @param meter asked before the filesystem grows (disk and files-created quotas)
     * @param clock nanoseconds for in-memory timestamps (the cell's clock, virtual by default)
     * @throws IllegalArgumentException if the mounts break those rules
     */
    public VirtualFileSystem(List<HostMount> mounts, FsMeter meter, LongSupplier clock) {
        this(mounts, meter, clock, RandomSource.NONE);
    }

    /**
     * @param mounts host directories to mount, with normalized absolute guest paths, none inside
     *     another; a mount at {@code /} must be the only one
     * @param meter asked before the filesystem grows (disk and files-created quotas)
     * @param clock nanoseconds for in-memory timestamps (the cell's clock, virtual by default)
     * @param random what {@code /dev/urandom} gives (the cell's random source)
     * @throws IllegalArgumentException if the mounts break those rules
     */
    public VirtualFileSystem(List<HostMount> mounts, FsMeter meter, LongSupplier clock, RandomSource random) {
        this(mounts, RootTree.EMPTY, meter, clock, random);
    }

    /**
     * @param mounts host directories to mount, with normalized absolute guest paths, none inside
     *     another; a mount at {@code /} must be the only one, and then {@code tree} must be empty
     * @param tree files the in-memory tree starts with ({@link RootTree}); a mount hides what the
     *     tree holds at its path
     * @param meter asked before the filesystem grows (disk and files-created quotas)
     * @param clock nanoseconds for in-memory timestamps (the cell's clock, virtual by default)
     * @param random what {@code /dev/urandom} gives (the cell's random source)
     * @throws IllegalArgumentException if the mounts break those rules, or a mount lies below a
     *     file or link of the tree
     */
    public VirtualFileSystem(List<HostMount> mounts, RootTree tree, FsMeter meter, LongSupplier clock,
            RandomSource random) {
        this.mounts = List.copyOf(mounts);
        this.meter = meter;
        this.clock = clock;
        this.random = random;
        HostMount atRoot = mounts.stream().filter(m -> m.guestPath().equals("/")).findFirst().orElse(null);
        if (atRoot != null) {
            if (mounts.size() != 1 || tree.size() != 0) {
                throw new IllegalArgumentException("a mount at / must be the only mount, with no root tree");
            }
            root = new HostNode(atRoot, "", FileType.DIRECTORY);
            mountRoots.add(root);
            return;
        }
        MemNode.Dir memRoot = newDir();
        root = memRoot;
        seed(memRoot, tree);
        for (HostMount m : mounts) {
            MemNode.Dir dir = memRoot;
            List<String> parts = PathResolver.components(m.guestPath().substring(1));
            for (int i = 0; i < parts.size() - 1; i++) {
                Node next = dir.children.get(parts.get(i));
                if (next == null) {
                    MemNode.Dir d = newDir();
                    attach(dir, parts.get(i), d);
                    next = d;
                }
                if (!(next instanceof MemNode.Dir d)) {
                    throw new IllegalArgumentException("mount " + m.guestPath() + " lies inside another mount");
                }
                dir = d;
            }
            String last = parts.get(parts.size() - 1);
            Node hidden = dir.children.get(last);
            if (hidden instanceof HostNode) {
                throw new IllegalArgumentException("mount " + m.guestPath() + " overlaps another mount");
            }
            if (hidden instanceof MemNode h) {
                h.parent = null; // the root tree's node there: the mount hides it
            }
            HostNode mountRoot = new HostNode(m, "", FileType.DIRECTORY);
            dir.children.put(last, mountRoot);
            mountRoots.add(mountRoot);
        }
        addDevices(memRoot);
    }

    /**
     * Copies the nodes of {@code tree} into the in-memory tree under {@code memRoot}. Files share
     * the tree's bytes until first written ({@link MemNode.File#shared}).
     */
    private void seed(MemNode.Dir memRoot, RootTree tree) {
        List<RootTree.Entry> entries = tree.entries();
        MemNode[] made = new MemNode[entries.size()];
        long now = clock.getAsLong();
        for (int i = 0; i < made.length; i++) {
            RootTree.Entry e = entries.get(i);
            MemNode.Dir parent = e.parent() < 0 ? memRoot : (MemNode.Dir) made[e.parent()];
            MemNode n = switch (e.kind()) {
                case DIR -> new MemNode.Dir(nextIno++, now);
                case FILE -> {
                    MemNode.File f = new MemNode.File(nextIno++, now);
                    f.data = e.data();
                    f.size = e.data().length;
                    f.shared = true;
                    yield f;
                }
                case LINK -> new MemNode.Link(nextIno++, now, new String(e.data(), StandardCharsets.UTF_8));
            };
            attach(parent, e.name(), n);
            made[i] = n;
        }
    }

    /** Creates {@code /dev} and its devices, where no mount took the place (the mount wins). */
    private void addDevices(MemNode.Dir memRoot) {
        Node dev = memRoot.children.get("dev");
        if (dev == null) {
            MemNode.Dir d = newDir();
            attach(memRoot, "dev", d);
            dev = d;
        }
        if (dev instanceof MemNode.Dir d) {
            for (MemNode.Device.Kind k : MemNode.Device.Kind.values()) {
                if (!d.children.containsKey(k.fileName)) {
                    attach(d, k.fileName, new MemNode.Device(nextIno++, clock.getAsLong(), k));
                }
            }
        }
    }

    /** True for a directory that holds a device: it cannot be renamed (see the class comment). */
    private static boolean holdsDevice(Node node) {
        return node instanceof MemNode.Dir d && d.children.values().stream().anyMatch(c -> c instanceof MemNode.Device);
    }

    /** The root directory {@code /}. */
    public Node root() {
        return root;
    }

    /** The mounted host directories, in configuration order. */
    public List<HostMount> mounts() {
        return mounts;
    }

    /** The root node of mount {@code i}. */
    public Node mountRoot(int i) {
        return mountRoots.get(i);
    }

    private MemNode.Dir newDir() {
        return new MemNode.Dir(nextIno++, clock.getAsLong());
    }

    private static void attach(MemNode.Dir dir, String name, MemNode node) {
        dir.children.put(name, node);
        node.parent = dir;
    }

    // ---- lookups used by the resolver ----

    /** Child {@code name} of in-memory directory {@code dir} (mounted ones are looked up through handles). */
    Node lookup(MemNode.Dir dir, String name) {
        return dir.children.get(name);
    }

    String linkTarget(Node link) {
        if (link instanceof HostNode h) {
            return h.mount().readSymlink(h.rel());
        }
        return ((MemNode.Link) link).target;
    }

    /**
     * Resolves {@code path} relative to directory {@code base}, following symbolic links on the
     * way and, if {@code followFinal}, a final one too. See {@link PathResolver} for the rules.
     */
    public Resolution resolve(Node base, String path, boolean followFinal) {
        return resolver.resolve(base, path, followFinal);
    }

    /** True if nothing may be written under {@code node}. */
    public boolean isReadOnly(Node node) {
        return node instanceof HostNode h && h.mount().readOnly();
    }

    // ---- attributes and listings ----

    static FileStat memStat(MemNode n) {
        long size = switch (n) {
            case MemNode.File f -> f.size;
            case MemNode.Link l -> l.target.getBytes(StandardCharsets.UTF_8).length;
            case MemNode.Dir d -> d.children.size();
            case MemNode.Device v -> 0;
        };
        return new FileStat(MEM_DEV, n.ino, n.type(), 1, size, n.atim, n.mtim, n.ctim);
    }

    /** The attributes of {@code node} itself (a link is not followed). */
    public FileStat stat(Node node) {
        if (node instanceof HostNode h) {
            return h.mount().stat(h.rel());
        }
        return memStat((MemNode) node);
    }

    /** The serial number of the directory that holds {@code dir}, or {@code dir}'s own at a top. */
    public long parentIno(Node dir) {
        if (dir instanceof MemNode m && m.parent != null) {
            return m.parent.ino;
        }
        if (dir instanceof HostNode h && !h.isMountRoot()) {
            String rel = h.rel();
            int slash = rel.lastIndexOf('/');
            return h.mount().stat(slash < 0 ? "" : rel.substring(0, slash)).ino();
        }
        return stat(dir).ino();
    }

    /** The entries of directory {@code dir} (without {@code .} and {@code ..}), sorted by name. */
    public List<DirEntry> list(Node dir) {
        if (dir instanceof HostNode h) {
            return h.mount().list(h);
        }
        List<DirEntry> out = new ArrayList<>();
        for (Map.Entry<String, Node> e : ((MemNode.Dir) dir).children.entrySet()) {
            Node n = e.getValue();
            long ino = n instanceof MemNode m ? m.ino : stat(n).ino();
            out.add(new DirEntry(e.getKey(), ino, n.type()));
        }
        return out;
    }

    // ---- opening ----

    /** Flags of {@link #open}. */
    public static final int CREATE = 1, EXCLUSIVE = 2, TRUNCATE = 4, DIRECTORY = 8, WRITE = 16;

    /** What {@link #open} opened: a directory node (file null) or a regular file and its handle. */
    public record Opened(Node node, FileHandle file) {}

    /**
     * Opens the node at {@code path}, POSIX {@code open}-style. A directory is opened without a
     * handle; a regular file or an in-memory device gets a handle, readable always and writable
     * with {@link #WRITE}. {@link #TRUNCATE} on a device does nothing, as on Linux.
     *
     * @param followFinal follow a final symbolic link (else a final link fails with LOOP)
     * @param flags {@link #CREATE}, {@link #EXCLUSIVE}, {@link #TRUNCATE}, {@link #DIRECTORY},
     *     {@link #WRITE}
     * @throws FsException NOENT, EXIST, NOTDIR, ISDIR (writing or creating a directory), LOOP,
     *     NOTSUP (not a regular file or directory), ROFS, or a resolution error
     */
    public Opened open(Node base, String path, boolean followFinal, int flags) {
        boolean create = (flags & CREATE) != 0;
        boolean write = (flags & WRITE) != 0;
        boolean truncate = (flags & TRUNCATE) != 0;
        Resolution r = resolve(base, path, followFinal);
        Node node = r.node();
        if (node == null) {
            if (!create) {
                throw new FsException(FsError.NOENT, path);
            }
            if (r.mustBeDir() || (flags & DIRECTORY) != 0) {
                throw new FsException(FsError.ISDIR, path);
            }
            return createFile(r, path, write);
        }
        if (create && (flags & EXCLUSIVE) != 0) {
            throw new FsException(FsError.EXIST, path);
        }
        if (node.type() == FileType.SYMBOLIC_LINK) {
            throw new FsException(FsError.LOOP, "final symbolic link not followed: " + path);
        }
        if (node.type() == FileType.DIRECTORY) {
            if (write || truncate) {
                throw new FsException(FsError.ISDIR, path);
            }
            return new Opened(node, null);
        }
        if ((flags & DIRECTORY) != 0) {
            throw new FsException(FsError.NOTDIR, path);
        }
        if (node instanceof MemNode.Device v) {
            return new Opened(node, new DeviceHandle(v, write, meter, random));
        }
        if (node.type() != FileType.REGULAR_FILE) {
            // Including devices of a mounted host directory: the guest never reaches the host's.
            throw new FsException(FsError.NOTSUP, path);
        }
        if ((write || truncate) && isReadOnly(node)) {
            throw new FsException(FsError.ROFS, path);
        }
        if (node instanceof HostNode h) {
            return new Opened(node, h.mount().open(h.rel(), false, false, write, truncate, meter));
        }
        MemNode.File f = (MemNode.File) node;
        if (truncate) {
            MemFileHandle.truncateToZero(f, clock.getAsLong());
        }
        return new Opened(node, new MemFileHandle(f, write, meter, clock));
    }

    private Opened createFile(Resolution r, String path, boolean write) {
        checkWritableDir(r.dir(), path);
        meter.beforeCreate();
        if (r.dir() instanceof HostNode h) {
            String rel = h.child(r.name());
            FileHandle handle = h.mount().open(rel, true, true, write, false, meter);
            return new Opened(new HostNode(h.mount(), rel, FileType.REGULAR_FILE), handle);
        }
        MemNode.File f = new MemNode.File(nextIno++, clock.getAsLong());
        attach((MemNode.Dir) r.dir(), r.name(), f);
        return new Opened(f, new MemFileHandle(f, write, meter, clock));
    }

    private void checkWritableDir(Node dir, String path) {
        if (isReadOnly(dir)) {
            throw new FsException(FsError.ROFS, path);
        }
        if (dir instanceof MemNode.Dir d && d.removed) {
            throw new FsException(FsError.NOENT, "directory was removed: " + path);
        }
    }

    // ---- changing the tree ----

    /**
     * Creates directory {@code path}.
     *
     * @throws FsException EXIST, ROFS, NOENT (a missing parent), or a resolution error
     */
    public void createDirectory(Node base, String path) {
        Resolution r = resolve(base, path, false);
        if (r.namesDirectoryItself() || r.node() != null) {
            throw new FsException(FsError.EXIST, path);
        }
        checkWritableDir(r.dir(), path);
        meter.beforeCreate();
        if (r.dir() instanceof HostNode h) {
            h.mount().createDirectory(h.child(r.name()));
        } else {
            attach((MemNode.Dir) r.dir(), r.name(), newDir());
        }
    }

    /**
     * Removes empty directory {@code path}.
     *
     * @throws FsException NOENT, NOTDIR, NOTEMPTY, BUSY (a mount point), INVAL ({@code .}), ROFS
     */
    public void removeDirectory(Node base, String path) {
        Resolution r = resolve(base, path, false);
        Node node = r.node();
        if (r.namesDirectoryItself()) {
            throw new FsException(FsError.INVAL, path);
        }
        if (node == null) {
            throw new FsException(FsError.NOENT, path);
        }
        if (node instanceof HostNode h && h.isMountRoot()) {
            throw new FsException(FsError.BUSY, path);
        }
        if (node.type() != FileType.DIRECTORY) {
            throw new FsException(FsError.NOTDIR, path);
        }
        checkWritableDir(r.dir(), path);
        if (node instanceof HostNode h) {
            if (!h.mount().isEmptyDirectory(h)) {
                throw new FsException(FsError.NOTEMPTY, path);
            }
            h.mount().delete(h.rel(), true);
        } else {
            MemNode.Dir d = (MemNode.Dir) node;
            if (!d.children.isEmpty()) {
                throw new FsException(FsError.NOTEMPTY, path);
            }
            detach((MemNode.Dir) r.dir(), r.name());
            d.removed = true;
        }
    }

    /**
     * Removes the file or symbolic link at {@code path} (a final link itself, not its target).
     *
     * @throws FsException NOENT, ISDIR, ROFS, PERM (a device), or a resolution error
     */
    public void unlink(Node base, String path) {
        Resolution r = resolve(base, path, false);
        Node node = r.node();
        if (r.namesDirectoryItself() || (node != null && node.type() == FileType.DIRECTORY)) {
            throw new FsException(FsError.ISDIR, path);
        }
        if (node == null) {
            throw new FsException(FsError.NOENT, path);
        }
        if (node instanceof MemNode.Device) {
            throw new FsException(FsError.PERM, "a device cannot be removed: " + path);
        }
        checkWritableDir(r.dir(), path);
        if (node instanceof HostNode h) {
            h.mount().delete(h.rel(), false);
        } else {
            detach((MemNode.Dir) r.dir(), r.name());
        }
    }

    private void detach(MemNode.Dir dir, String name) {
        Node n = dir.children.remove(name);
        if (n instanceof MemNode m) {
            m.parent = null;
        }
        dir.mtim = clock.getAsLong();
    }

    /**
     * Creates symbolic link {@code path} holding {@code target}. The target must be relative and,
     * read from the directory that holds the link, must not climb out of the mount (or, in
     * memory, out of {@code /}): the sandbox would refuse to follow such a link anyway, and this
     * keeps guests from planting links that host programs might follow out of a mount.
     *
     * @throws FsException EXIST, NOTCAPABLE (absolute or escaping target), NOENT (empty target),
     *     INVAL (NUL), NAMETOOLONG, ROFS
     */
    public void symlink(String target, Node base, String path) {
        if (target.isEmpty()) {
            throw new FsException(FsError.NOENT, "empty symbolic link target");
        }
        if (target.indexOf('\0') >= 0) {
            throw new FsException(FsError.INVAL, "symbolic link target contains a NUL byte");
        }
        if (target.getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw new FsException(FsError.NAMETOOLONG, "symbolic link target");
        }
        if (target.charAt(0) == '/') {
            throw new FsException(FsError.NOTCAPABLE, "symbolic link to absolute path " + target);
        }
        Resolution r = resolve(base, path, false);
        if (r.namesDirectoryItself() || r.node() != null) {
            throw new FsException(FsError.EXIST, path);
        }
        checkLinkStaysInside(target, r.dir());
        checkWritableDir(r.dir(), path);
        meter.beforeCreate();
        if (r.dir() instanceof HostNode h) {
            h.mount().createSymlink(h.child(r.name()), target);
        } else {
            attach((MemNode.Dir) r.dir(), r.name(), new MemNode.Link(nextIno++, clock.getAsLong(), target));
        }
    }

    /**
     * Sets the access and modification times of {@code node}, in nanoseconds since the epoch;
     * null leaves that time as it is. An in-memory node's change time becomes the clock's now.
     *
     * @throws FsException ROFS under a read-only mount; NOTSUP for a mounted node that is not a
     *     regular file or directory (a link is not followed)
     */
    public void setTimes(Node node, Long atim, Long mtim) {
        if (node instanceof HostNode h) {
            h.mount().setTimes(h.rel(), atim, mtim);
            return;
        }
        MemNode m = (MemNode) node;
        if (atim != null) {
            m.atim = atim;
        }
        if (mtim != null) {
            m.mtim = mtim;
        }
        m.ctim = clock.getAsLong();
    }

    /**
     * Refuses (NOTCAPABLE) a link target that, read from directory {@code dir}, climbs out of
     * the mount (or, in memory, out of {@code /}).
     */
    private static void checkLinkStaysInside(String target, Node dir) {
        int depth = dir instanceof HostNode h ? h.depth() : ((MemNode.Dir) dir).depth();
        for (String c : PathResolver.components(target)) {
            depth += c.equals("..") ? -1 : c.equals(".") ? 0 : 1;
            if (depth < 0) {
                throw new FsException(FsError.NOTCAPABLE, "symbolic link target " + target + " leaves its mount");
            }
        }
    }

    /**
     * The target of symbolic link {@code path}.
     *
     * @throws FsException NOENT, INVAL (not a link), or a resolution error
     */
    public String readlink(Node base, String path) {
        Resolution r = resolve(base, path, false);
        if (r.node() == null) {
            throw new FsException(FsError.NOENT, path);
        }
        if (r.node().type() != FileType.SYMBOLIC_LINK) {
            throw new FsException(FsError.INVAL, "not a symbolic link: " + path);
        }
        return linkTarget(r.node());
    }

    /**
     * Renames {@code fromPath} (under {@code fromBase}) to {@code toPath} (under {@code toBase}),
     * replacing an existing target as POSIX {@code rename} does. Final links are not followed.
     *
     * @throws FsException NOENT, EXIST/NOTEMPTY (a non-empty directory target), ISDIR, NOTDIR,
     *     INVAL (a directory into itself, or {@code .}), BUSY (a mount point or the directory of
     *     the devices), PERM (a device as source or target), XDEV (across mounts), ROFS
     */
    public void rename(Node fromBase, String fromPath, Node toBase, String toPath) {
        Resolution from = resolve(fromBase, fromPath, false);
        Resolution to = resolve(toBase, toPath, false);
        if (from.namesDirectoryItself() || to.namesDirectoryItself()) {
            throw new FsException(FsError.INVAL, fromPath + " -> " + toPath);
        }
        Node src = from.node();
        if (src == null) {
            throw new FsException(FsError.NOENT, fromPath);
        }
        Node dst = to.node();
        if ((src instanceof HostNode h && h.isMountRoot()) || (dst instanceof HostNode g && g.isMountRoot())) {
            throw new FsException(FsError.BUSY, fromPath + " -> " + toPath);
        }
        if (src instanceof MemNode.Device || dst instanceof MemNode.Device) {
            throw new FsException(FsError.PERM, "a device cannot be renamed or replaced: " + fromPath + " -> " + toPath);
        }
        if (holdsDevice(src)) {
            throw new FsException(FsError.BUSY, fromPath + " -> " + toPath);
        }
        if (isReadOnly(from.dir()) || isReadOnly(to.dir())) {
            throw new FsException(FsError.ROFS, fromPath + " -> " + toPath);
        }
        HostMount fromMount = from.dir() instanceof HostNode h ? h.mount() : null;
        HostMount toMount = to.dir() instanceof HostNode h ? h.mount() : null;
        if (fromMount != toMount) {
            throw new FsException(FsError.XDEV, fromPath + " -> " + toPath);
        }
        checkWritableDir(from.dir(), fromPath);
        checkWritableDir(to.dir(), toPath);
        if (dst != null) {
            if (sameNode(src, dst)) {
                return;
            }
            boolean srcDir = src.type() == FileType.DIRECTORY;
            boolean dstDir = dst.type() == FileType.DIRECTORY;
            if (srcDir && !dstDir) {
                throw new FsException(FsError.NOTDIR, toPath);
            }
            if (!srcDir && dstDir) {
                throw new FsException(FsError.ISDIR, toPath);
            }
            if (dstDir && !list(dst).isEmpty()) {
                throw new FsException(FsError.NOTEMPTY, toPath);
            }
        }
        if (src.type() == FileType.DIRECTORY && isInside(to.dir(), src)) {
            throw new FsException(FsError.INVAL, "cannot move a directory into itself: " + toPath);
        }
        if (src.type() == FileType.SYMBOLIC_LINK) {
            // A link moved up the tree must not come to point outside its mount (see symlink).
            checkLinkStaysInside(linkTarget(src), to.dir());
        }
        if (fromMount != null) {
            fromMount.rename(((HostNode) src).rel(), ((HostNode) to.dir()).child(to.name()));
            return;
        }
        MemNode.Dir toDir = (MemNode.Dir) to.dir();
        if (dst instanceof MemNode.Dir d) {
            d.removed = true;
        }
        detach((MemNode.Dir) from.dir(), from.name());
        if (dst != null) {
            detach(toDir, to.name());
        }
        attach(toDir, to.name(), (MemNode) src);
        ((MemNode) src).ctim = clock.getAsLong();
    }

    private static boolean sameNode(Node a, Node b) {
        return a == b || (a instanceof HostNode x && b instanceof HostNode y && x.mount() == y.mount()
                && x.rel().equals(y.rel()));
    }

    /** True if directory {@code dir} is {@code ancestor} or lies below it. */
    private static boolean isInside(Node dir, Node ancestor) {
        if (dir instanceof HostNode d && ancestor instanceof HostNode a) {
            return d.rel().equals(a.rel()) || d.rel().startsWith(a.rel() + "/");
        }
        for (MemNode m = dir instanceof MemNode mm ? mm : null; m != null; m = m.parent) {
            if (m == ancestor) {
                return true;
            }
        }
        return false;
    }

    // ---- checkpoints ----

    /** The checkpoint view of this filesystem: its in-memory tree as plain records, nodes by reference. */
    public FsSnapshot snapshot() {
        return new FsSnapshot(this, root, mounts, mountRoots);
    }

    /** The serial number the next created in-memory node gets. */
    long nextIno() {
        return nextIno;
    }

    /** Sets the serial number the next created node gets (restoring a checkpoint). */
    void nextIno(long next) {
        nextIno = next;
    }

    /**
     * A new handle on regular file or in-memory device {@code node}, as an open descriptor held
     * it: no creation, no truncation, nothing charged to the quotas. A device is attached again
     * as itself; nothing of the host is opened for it.
     *
     * @throws FsException if a host file cannot be opened again (gone, or no longer a regular file)
     * @throws IllegalArgumentException if {@code node} is not a regular file or device
     */
    public FileHandle reopen(Node node, boolean writable) {
        if (node instanceof MemNode.Device v) {
            return new DeviceHandle(v, writable, meter, random);
        }
        if (node instanceof HostNode h) {
            return h.mount().open(h.rel(), false, false, writable, false, meter);
        }
        if (!(node instanceof MemNode.File f)) {
            throw new IllegalArgumentException("not a regular file: " + node);
        }
        return new MemFileHandle(f, writable, meter, clock);
    }
}
