package dev.cella.sandbox.fs;

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

/**
 * A cell filesystem's state for checkpoints: its in-memory tree as plain records, and nodes by
 * reference (an in-memory node by serial number, a mounted one by its path below its mount).
 * Host files are never copied; a reference to one is resolved again, under the mounts of the
 * filesystem it is restored into, by the same rules as a live path ({@link #node}).
 *
 * <p>Obtained from {@link VirtualFileSystem#snapshot()}; it reads and replaces that filesystem's
 * tree, so the same threading rule applies (the thread that runs the guest).
 */
public final class FsSnapshot {
    private final VirtualFileSystem fs;
    private final Node root;
    private final List<HostMount> mounts;
    private final List<Node> mountRoots;

    FsSnapshot(VirtualFileSystem fs, Node root, List<HostMount> mounts, List<Node> mountRoots) {
        this.fs = fs;
        this.root = root;
        this.mounts = mounts;
        this.mountRoots = mountRoots;
    }

    /**
     * A reference to a node that outlives the node objects: an in-memory node by its serial
     * number ({@code mount} -1), or a node of mount {@code mount} (an index into {@link VirtualFileSystem#mounts()})
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
     * @param target for a symbolic link: its target; for a device: its name in {@code /dev}
     *     ({@link MemNode.Device.Kind}); else null
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
                case MemNode.Device v -> target = v.kind.fileName;
            }
            out.put(n.ino, new MemNodeState(n.ino, n.type(), n.atim, n.mtim, n.ctim, removed, data, target,
                    List.copyOf(children)));
        }
        return new TreeState(root instanceof MemNode r ? r.ino : 0, fs.nextIno(), List.copyOf(out.values()));
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
                case CHARACTER_DEVICE -> device(n);
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
        fs.nextIno(state.nextIno());
        return Map.copyOf(nodes);
    }

    private static MemNode.File file(MemNodeState n) {
        MemNode.File f = new MemNode.File(n.ino(), 0);
        f.data = requireValue(n.data(), n).clone();
        f.size = f.data.length;
        return f;
    }

    /** A device by its name: only the sandbox's own devices exist, so nothing of the host can be named. */
    private static MemNode.Device device(MemNodeState n) {
        MemNode.Device.Kind kind = MemNode.Device.Kind.named(requireValue(n.target(), n));
        if (kind == null) {
            throw new IllegalArgumentException("node " + n.ino() + " is an unknown device '" + n.target() + "'");
        }
        return new MemNode.Device(n.ino(), 0, kind);
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
     * The node {@code ref} stands for, after {@link #restoreTree}. A mounted node is looked up
     * again, now, under this filesystem's mounts and by the rules of a live path (see
     * {@link HostMount#openDir}: one component at a time from the mount root, no link followed),
     * and must still be of the kind the reference says: a reference cannot name anything a guest
     * of this filesystem could not reach, whatever file it came from.
     *
     * @param memNodes what {@code restoreTree} returned
     * @throws IllegalArgumentException if there is no such in-memory node or mount, or the path
     *     is malformed
     * @throws FsException if the mounted node is gone, is reached through a link, or is now of
     *     another kind
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
            HostMount m = mounts.get(ref.mount());
            FileType now = m.stat(ref.rel()).type();
            if (now != ref.type()) {
                throw new FsException(FsError.NOENT, m.describe(ref.rel()) + " is now a " + now + ", not a " + ref.type());
            }
            if (now != FileType.REGULAR_FILE && now != FileType.DIRECTORY) {
                // A descriptor only ever holds these; a forged reference to a FIFO or device
                // (recorded as what it is) names nothing a descriptor could have held.
                throw new FsException(FsError.NOTSUP, m.describe(ref.rel()) + " is a " + now);
            }
            return new HostNode(m, ref.rel(), now);
        }
        Node n = memNodes.get(ref.ino());
        if (n == null) {
            throw new IllegalArgumentException("no in-memory node " + ref.ino());
        }
        return n;
    }
}
