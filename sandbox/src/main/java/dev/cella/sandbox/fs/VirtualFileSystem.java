package dev.cella.sandbox.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        this.mounts = List.copyOf(mounts);
        this.meter = meter;
        this.clock = clock;
        HostMount atRoot = mounts.stream().filter(m -> m.guestPath().equals("/")).findFirst().orElse(null);
        if (atRoot != null) {
            if (mounts.size() != 1) {
                throw new IllegalArgumentException("a mount at / must be the only mount");
            }
            root = new HostNode(atRoot, "", FileType.DIRECTORY);
            mountRoots.add(root);
            return;
        }
        MemNode.Dir memRoot = newDir();
        root = memRoot;
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
            if (dir.children.containsKey(last)) {
                throw new IllegalArgumentException("mount " + m.guestPath() + " overlaps another mount");
            }
            HostNode mountRoot = new HostNode(m, "", FileType.DIRECTORY);
            dir.children.put(last, mountRoot);
            mountRoots.add(mountRoot);
        }
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

    Node lookup(Node dir, String name) {
        if (dir instanceof HostNode h) {
            return h.mount().lookup(h, name);
        }
        return ((MemNode.Dir) dir).children.get(name);
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
     * handle; a regular file gets a handle, readable always and writable with {@link #WRITE}.
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
        if (node.type() != FileType.REGULAR_FILE) {
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
     * @throws FsException NOENT, ISDIR, ROFS, or a resolution error
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
     *     INVAL (a directory into itself, or {@code .}), BUSY (a mount point), XDEV (across
     *     mounts), ROFS
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

    // ---- checkpoints: the in-memory tree as plain records, nodes by reference ----

    /**
     * A reference to a node that outlives the node objects: an in-memory node by its serial
     * number ({@code mount} -1), or a node of mount {@code mount} (an index into {@link #mounts()})
     * by its path below the mount root.
     *
     * @param type the node's kind when the reference was taken
     */
    public record NodeRef(int mount, long ino, String rel, FileType type) {}

    /**
     * One node of the in-memory tree.
     *
     * @param removed for a directory: removed while a descriptor still referred to it
     * @param data for a regular file: its contents (exactly its size); else null
     * @param target for a symbolic link: its target; else null
     * @param children for a directory: its entries in name order; else empty
     */
    public record MemNodeState(long ino, FileType type, long atim, long mtim, long ctim, boolean removed, byte[] data,
            String target, List<ChildState> children) {}

    /** A directory entry: an in-memory node ({@code mount} -1) or the root of mount {@code mount}. */
    public record ChildState(String name, int mount, long ino) {}

    /**
     * The in-memory tree.
     *
     * @param rootIno the serial number of {@code /}, or 0 if {@code /} is a mount
     * @param nextIno the serial number the next created node gets
     * @param nodes every node reachable from {@code /} and from the detached nodes that were asked for
     */
    public record TreeState(long rootIno, long nextIno, List<MemNodeState> nodes) {}

    /** A reference to {@code node} (see {@link NodeRef}). */
    public NodeRef ref(Node node) {
        if (node instanceof HostNode h) {
            return new NodeRef(mounts.indexOf(h.mount()), 0, h.rel(), h.type());
        }
        MemNode m = (MemNode) node;
        return new NodeRef(-1, m.ino, "", m.type());
    }

    /**
     * A copy of the in-memory tree: the nodes reachable from {@code /}, and those reachable from
     * {@code detached} (in-memory nodes no longer in the tree that descriptors still hold; other
     * nodes in it are ignored).
     */
    public TreeState treeState(Collection<Node> detached) {
        Map<Long, MemNodeState> out = new LinkedHashMap<>();
        ArrayDeque<MemNode> todo = new ArrayDeque<>();
        if (root instanceof MemNode r) {
            todo.add(r);
        }
        for (Node n : detached) {
            if (n instanceof MemNode m) {
                todo.add(m);
            }
        }
        while (!todo.isEmpty()) {
            MemNode n = todo.poll();
            if (out.containsKey(n.ino)) {
                continue;
            }
            List<ChildState> children = new ArrayList<>();
            byte[] data = null;
            String target = null;
            boolean removed = false;
            switch (n) {
                case MemNode.Dir d -> {
                    removed = d.removed;
                    for (Map.Entry<String, Node> e : d.children.entrySet()) {
                        if (e.getValue() instanceof MemNode c) {
                            children.add(new ChildState(e.getKey(), -1, c.ino));
                            todo.add(c);
                        } else {
                            children.add(new ChildState(e.getKey(), mounts.indexOf(((HostNode) e.getValue()).mount()), 0));
                        }
                    }
                }
                case MemNode.File f -> data = Arrays.copyOf(f.data, f.size);
                case MemNode.Link l -> target = l.target;
            }
            out.put(n.ino, new MemNodeState(n.ino, n.type(), n.atim, n.mtim, n.ctim, removed, data, target,
                    List.copyOf(children)));
        }
        return new TreeState(root instanceof MemNode r ? r.ino : 0, nextIno, List.copyOf(out.values()));
    }

    /**
     * Replaces the in-memory tree by {@code state}, taken from a filesystem with the same mounts.
     * The mounts themselves stay as configured. Use only before anything holds a node of this
     * filesystem.
     *
     * @return the in-memory nodes by serial number, for {@link #node(NodeRef, Map)}
     * @throws IllegalArgumentException if the state does not describe a tree over these mounts
     *     (an unknown node, kind or mount, a node with two parents or outside every tree, a bad
     *     name, a serial number reused or not below {@code nextIno}); nothing is changed then
     */
    public Map<Long, Node> restoreTree(TreeState state) {
        boolean memRoot = root instanceof MemNode;
        if (memRoot != (state.rootIno() != 0) || (memRoot && ((MemNode) root).ino != state.rootIno())) {
            throw new IllegalArgumentException("root " + state.rootIno() + " does not match this filesystem's mounts");
        }
        Map<Long, MemNode> nodes = new HashMap<>();
        for (MemNodeState n : state.nodes()) {
            if (n.ino() <= 0 || n.ino() >= state.nextIno() || nodes.containsKey(n.ino())) {
                throw new IllegalArgumentException("node serial number " + n.ino() + " is reused or out of range");
            }
            MemNode node = switch (n.type()) {
                case DIRECTORY -> n.ino() == state.rootIno() ? (MemNode.Dir) root : new MemNode.Dir(n.ino(), 0);
                case REGULAR_FILE -> file(n);
                case SYMBOLIC_LINK -> new MemNode.Link(n.ino(), 0, requireValue(n.target(), n));
                default -> throw new IllegalArgumentException("node " + n.ino() + " has kind " + n.type());
            };
            nodes.put(n.ino(), node);
        }
        if (memRoot && !(nodes.get(state.rootIno()) instanceof MemNode.Dir)) {
            throw new IllegalArgumentException("the root directory " + state.rootIno() + " is missing");
        }
        Set<Long> parented = new HashSet<>();
        Set<Integer> mounted = new HashSet<>();
        for (MemNodeState n : state.nodes()) {
            if (!n.children().isEmpty() && n.type() != FileType.DIRECTORY) {
                throw new IllegalArgumentException("node " + n.ino() + " has children but is a " + n.type());
            }
            for (ChildState c : n.children()) {
                validName(c.name());
                // Each mount root and each node has one parent; the root has none.
                boolean ok = c.mount() >= 0 ? c.mount() < mounts.size() && mounted.add(c.mount())
                        : nodes.containsKey(c.ino()) && c.ino() != state.rootIno() && parented.add(c.ino());
                if (!ok) {
                    throw new IllegalArgumentException("entry " + c.name() + " of node " + n.ino() + " names no node it may");
                }
            }
        }
        if (memRoot && mounted.size() != mounts.size()) {
            throw new IllegalArgumentException("the tree holds " + mounted.size() + " of the " + mounts.size() + " mounts");
        }
        checkReachable(state, nodes.keySet(), parented);
        if (memRoot) {
            ((MemNode.Dir) root).children.clear();
        }
        for (MemNodeState n : state.nodes()) {
            MemNode node = nodes.get(n.ino());
            node.atim = n.atim();
            node.mtim = n.mtim();
            node.ctim = n.ctim();
            if (node instanceof MemNode.Dir d) {
                d.removed = n.removed();
                for (ChildState c : n.children()) {
                    Node child = c.mount() >= 0 ? mountRoots.get(c.mount()) : nodes.get(c.ino());
                    d.children.put(c.name(), child);
                    if (child instanceof MemNode m) {
                        m.parent = d;
                    }
                }
            }
        }
        nextIno = state.nextIno();
        return Map.copyOf(nodes);
    }

    private static MemNode.File file(MemNodeState n) {
        MemNode.File f = new MemNode.File(n.ino(), 0);
        f.data = requireValue(n.data(), n).clone();
        f.size = f.data.length;
        return f;
    }

    private static <T> T requireValue(T value, MemNodeState n) {
        if (value == null) {
            throw new IllegalArgumentException("node " + n.ino() + " (" + n.type() + ") lacks its contents");
        }
        return value;
    }

    private static void validName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid directory entry name '" + name.replace("\0", "\\0") + "'");
        }
    }

    /** Every node must hang, through its unique parent, from the root or from a detached top. */
    private static void checkReachable(TreeState state, Set<Long> all, Set<Long> parented) {
        Map<Long, MemNodeState> byIno = new HashMap<>();
        state.nodes().forEach(n -> byIno.put(n.ino(), n));
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Long> todo = new ArrayDeque<>();
        for (long ino : all) {
            if (!parented.contains(ino)) {
                todo.add(ino); // the root and detached nodes: the tops
            }
        }
        while (!todo.isEmpty()) {
            long ino = todo.poll();
            if (seen.add(ino)) {
                for (ChildState c : byIno.get(ino).children()) {
                    if (c.mount() < 0) {
                        todo.add(c.ino());
                    }
                }
            }
        }
        if (seen.size() != all.size()) {
            throw new IllegalArgumentException("some nodes form a cycle outside every tree");
        }
    }

    /**
     * The node {@code ref} stands for, after {@link #restoreTree}.
     *
     * @param memNodes what {@code restoreTree} returned
     * @throws IllegalArgumentException if there is no such in-memory node or mount
     */
    public Node node(NodeRef ref, Map<Long, Node> memNodes) {
        if (ref.mount() >= 0) {
            if (ref.mount() >= mounts.size()) {
                throw new IllegalArgumentException("no mount " + ref.mount());
            }
            if (ref.rel().isEmpty()) {
                return mountRoots.get(ref.mount());
            }
            for (String c : ref.rel().split("/", -1)) {
                validName(c);
            }
            return new HostNode(mounts.get(ref.mount()), ref.rel(), ref.type());
        }
        Node n = memNodes.get(ref.ino());
        if (n == null) {
            throw new IllegalArgumentException("no in-memory node " + ref.ino());
        }
        return n;
    }

    /**
     * A new handle on regular file {@code node}, as an open descriptor held it: no creation, no
     * truncation, nothing charged to the quotas.
     *
     * @throws FsException if a host file cannot be opened again (gone, or no longer a regular file)
     * @throws IllegalArgumentException if {@code node} is not a regular file
     */
    public FileHandle reopen(Node node, boolean writable) {
        if (node instanceof HostNode h) {
            return h.mount().open(h.rel(), false, false, writable, false, meter);
        }
        if (!(node instanceof MemNode.File f)) {
            throw new IllegalArgumentException("not a regular file: " + node);
        }
        return new MemFileHandle(f, writable, meter, clock);
    }
}
