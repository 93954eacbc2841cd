package dev.cella.sandbox.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * Resolves guest paths component by component inside a capability root, never with the host's
 * help. The rules, which are the sandbox's containment guarantee:
 * <ul>
 *   <li>a path is relative to a directory (its capability root); an absolute path, or one with a
 *       NUL byte, is refused (NOTCAPABLE, INVAL);
 *   <li>{@code ..} walks back along the directories this resolution entered, and never above the
 *       capability root (NOTCAPABLE), so neither {@code ..} nor a symbolic link can reach a
 *       directory outside it, let alone the host directory a mount hides;
 *   <li>symbolic links, in memory or on the host, are expanded here: an absolute target is
 *       refused (NOTCAPABLE), a relative one continues the walk under the same rules; more than
 *       {@link VirtualFileSystem#MAX_SYMLINK_HOPS} expansions is a loop (LOOP);
 *   <li>a path longer than {@link VirtualFileSystem#MAX_PATH} bytes or with a component longer
 *       than {@link VirtualFileSystem#MAX_NAME} bytes is refused (NAMETOOLONG).
 * </ul>
 */
final class PathResolver {
    private final VirtualFileSystem fs;

    PathResolver(VirtualFileSystem fs) {
        this.fs = fs;
    }

    /** Checks the syntax every guest path must have, before anything is looked up. */
    static void checkPath(String path) {
        if (path.indexOf('\0') >= 0) {
            throw new FsException(FsError.INVAL, "path contains a NUL byte");
        }
        if (path.length() > VirtualFileSystem.MAX_PATH
                || path.getBytes(StandardCharsets.UTF_8).length > VirtualFileSystem.MAX_PATH) {
            throw new FsException(FsError.NAMETOOLONG, "path of " + path.length() + " characters");
        }
        if (path.isEmpty()) {
            throw new FsException(FsError.NOENT, "empty path");
        }
        if (path.charAt(0) == '/') {
            throw new FsException(FsError.NOTCAPABLE, "absolute path " + path);
        }
    }

    /** Splits {@code path} into its components, dropping empty ones (repeated slashes). */
    static ArrayList<String> components(String path) {
        ArrayList<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                if (i > start) {
                    String c = path.substring(start, i);
                    if (c.getBytes(StandardCharsets.UTF_8).length > VirtualFileSystem.MAX_NAME) {
                        throw new FsException(FsError.NAMETOOLONG, "component of " + c.length() + " characters");
                    }
                    if (!HostMount.isPortableName(c)) {
                        throw new FsException(FsError.INVAL, "component " + c);
                    }
                    out.add(c);
                }
                start = i + 1;
            }
        }
        return out;
    }

    Resolution resolve(Node base, String path, boolean followFinal) {
        checkPath(path);
        if (base.type() != FileType.DIRECTORY) {
            throw new FsException(FsError.NOTDIR, "base of " + path);
        }
        if (base instanceof MemNode.Dir d && d.removed) {
            throw new FsException(FsError.NOENT, "directory was removed");
        }
        Walk walk = new Walk();
        try {
            if (base instanceof HostNode h) {
                walk.at(h); // checks that the descriptor's directory is still reached without links
            }
            return resolve(base, path, followFinal, walk);
        } finally {
            walk.close();
        }
    }

    /**
     * The open handle of the host directory the resolution is in, if it is in one: each lookup
     * in a mounted directory goes through it, and entering a subdirectory opens that from it by
     * one component, so a resolution costs one {@code openat} per directory entered (not a walk
     * from the mount root per component). Handles are only ever opened as {@link HostDir} says.
     */
    private static final class Walk {
        private HostDir dir;
        private HostMount mount;

        /** The handle of host directory {@code h}, opened from the mount root unless it is the one held. */
        HostDir at(HostNode h) {
            if (dir == null || mount != h.mount() || !dir.rel().equals(h.rel())) {
                close();
                dir = h.mount().openDir(h.rel());
                mount = h.mount();
            }
            return dir;
        }

        /** Moves the held handle into subdirectory {@code name} of the directory held, if it is {@code parent}. */
        void enter(HostNode parent, String name) {
            if (dir != null && mount == parent.mount() && dir.rel().equals(parent.rel())) {
                HostDir next = dir.open(name);
                dir.close();
                dir = next;
            }
        }

        void close() {
            if (dir != null) {
                dir.close();
                dir = null;
            }
        }
    }

    private Resolution resolve(Node base, String path, boolean followFinal, Walk walk) {
        boolean trailingSlash = path.charAt(path.length() - 1) == '/';
        ArrayDeque<String> pending = new ArrayDeque<>(components(path));
        ArrayList<Node> entered = new ArrayList<>();
        entered.add(base);
        int hops = 0;
        while (true) {
            String c = pending.pollFirst();
            boolean last = pending.isEmpty();
            Node cur = entered.get(entered.size() - 1);
            if (c.equals(".")) {
                if (last) {
                    return new Resolution(null, null, cur, true);
                }
                continue;
            }
            if (c.equals("..")) {
                if (entered.size() == 1) {
                    throw new FsException(FsError.NOTCAPABLE, "'..' leaves the directory in " + path);
                }
                entered.remove(entered.size() - 1);
                if (last) {
                    return new Resolution(null, null, entered.get(entered.size() - 1), true);
                }
                continue;
            }
            Node child = lookup(cur, c, walk);
            boolean follow = !last || followFinal || trailingSlash;
            if (child != null && child.type() == FileType.SYMBOLIC_LINK && follow) {
                if (++hops > VirtualFileSystem.MAX_SYMLINK_HOPS) {
                    throw new FsException(FsError.LOOP, path);
                }
                String target = cur instanceof HostNode h ? walk.at(h).readLink(c) : fs.linkTarget(child);
                if (target.isEmpty()) {
                    throw new FsException(FsError.NOENT, "empty symbolic link in " + path);
                }
                if (target.charAt(0) == '/') {
                    throw new FsException(FsError.NOTCAPABLE, "symbolic link to an absolute path in " + path);
                }
                if (target.indexOf('\0') >= 0) {
                    throw new FsException(FsError.INVAL, "symbolic link target with a NUL byte in " + path);
                }
                if (target.length() > VirtualFileSystem.MAX_PATH) {
                    throw new FsException(FsError.NAMETOOLONG, "symbolic link target in " + path);
                }
                ArrayList<String> parts = components(target);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    pending.addFirst(parts.get(i));
                }
                if (pending.isEmpty()) {
                    throw new FsException(FsError.NOENT, "symbolic link to nothing in " + path);
                }
                continue;
            }
            if (last) {
                if (child != null && trailingSlash && child.type() != FileType.DIRECTORY) {
                    throw new FsException(FsError.NOTDIR, path);
                }
                return new Resolution(cur, c, child, trailingSlash);
            }
            if (child == null) {
                throw new FsException(FsError.NOENT, path);
            }
            if (child.type() != FileType.DIRECTORY) {
                throw new FsException(FsError.NOTDIR, path);
            }
            if (cur instanceof HostNode h) {
                walk.enter(h, c);
            }
            entered.add(child);
        }
    }

    /** Child {@code name} of directory {@code dir}, not followed; null if there is none. */
    private Node lookup(Node dir, String name, Walk walk) {
        if (dir instanceof HostNode h) {
            FileStat st = walk.at(h).lookup(name);
            return st == null ? null : new HostNode(h.mount(), h.child(name), st.type());
        }
        return fs.lookup((MemNode.Dir) dir, name);
    }
}
