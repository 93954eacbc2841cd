package dev.cella.sandbox.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Files a cell starts with in its in-memory tree, for example the files of an image: directories,
 * regular files and symbolic links at absolute guest paths. Immutable and shared: any number of
 * cells start from one tree at once, and each cell's writes go to its own copy of a file, made on
 * the first change (copy on write), so the tree's bytes are never changed and cost nothing per
 * cell until written. Nothing in the tree is charged to a cell's disk or files-created quotas.
 *
 * <p>A mount at a path the tree also holds hides the tree's node there, as a mount does on a
 * POSIX system; the devices of {@code /dev} are added beside the tree's own entries there.
 */
public final class RootTree {
    /** The tree with nothing in it: a cell's default. */
    public static final RootTree EMPTY = new Builder().build();

    /** What kind of node an entry is. */
    enum Kind { DIR, FILE, LINK }

    /**
     * One node, listed after its parent.
     *
     * @param parent the index of the parent directory's entry, or -1 for a child of {@code /}
     * @param name the node's name in its parent
     * @param data the contents of a file, or the UTF-8 target of a link; null for a directory
     */
    record Entry(int parent, String name, Kind kind, byte[] data) {}

    private final List<Entry> entries;
    private final long bytes;

    private RootTree(List<Entry> entries, long bytes) {
        this.entries = List.copyOf(entries);
        this.bytes = bytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The entries in an order where each parent precedes its children. */
    List<Entry> entries() {
        return entries;
    }

    /** Receives the nodes of a tree ({@link #visit}), each after its parent, with absolute paths. */
    public interface Visitor {
        void dir(String path);

        void file(String path, byte[] data);

        void symlink(String path, String target);
    }

    /** Gives every node to {@code visitor}, parents first, in the order they were added. */
    public void visit(Visitor visitor) {
        String[] paths = new String[entries.size()];
        for (int i = 0; i < paths.length; i++) {
            Entry e = entries.get(i);
            paths[i] = (e.parent() < 0 ? "" : paths[e.parent()]) + "/" + e.name();
            switch (e.kind()) {
                case DIR -> visitor.dir(paths[i]);
                case FILE -> visitor.file(paths[i], e.data());
                case LINK -> visitor.symlink(paths[i], new String(e.data(), StandardCharsets.UTF_8));
            }
        }
    }

    /** The number of directories, files and links. */
    public int size() {
        return entries.size();
    }

    /** The bytes of all files together. */
    public long bytes() {
        return bytes;
    }

    /**
     * Collects a tree. Parent directories are created as needed; adding one path twice is an
     * error. Not thread-safe.
     */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private final Map<String, Integer> index = new HashMap<>();
        private long bytes;

        private Builder() {}

        /** Adds directory {@code path} (absolute, '/'-separated, without '.' or '..'). */
        public Builder dir(String path) {
            Integer at = index.get(normal(path));
            if (at != null && entries.get(at).kind() == Kind.DIR) {
                return this; // a directory is often implied before it is listed
            }
            add(path, Kind.DIR, null);
            return this;
        }

        /** Adds regular file {@code path} holding {@code data}, which the tree keeps (not copied). */
        public Builder file(String path, byte[] data) {
            add(path, Kind.FILE, Objects.requireNonNull(data, "data"));
            bytes += data.length;
            return this;
        }

        /** Adds symbolic link {@code path} to {@code target}, as written. */
        public Builder symlink(String path, String target) {
            add(path, Kind.LINK, target.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        private void add(String path, Kind kind, byte[] data) {
            String p = normal(path);
            if (index.containsKey(p)) {
                throw new IllegalArgumentException("root tree: " + p + " added twice");
            }
            int slash = p.lastIndexOf('/');
            int parent = -1;
            if (slash > 0) {
                String dir = p.substring(0, slash);
                dir(dir);
                parent = index.get(dir);
                if (entries.get(parent).kind() != Kind.DIR) {
                    throw new IllegalArgumentException("root tree: " + p + " lies under " + dir + ", which is not a directory");
                }
            }
            index.put(p, entries.size());
            entries.add(new Entry(parent, p.substring(slash + 1), kind, data));
        }

        /** {@code path} as "/a/b": absolute, no empty, '.' or '..' component, not the root itself. */
        private static String normal(String path) {
            StringBuilder sb = new StringBuilder();
            for (String c : path.split("/")) {
                if (c.isEmpty()) {
                    continue;
                }
                if (c.equals(".") || c.equals("..") || c.indexOf('\0') >= 0
                        || c.getBytes(StandardCharsets.UTF_8).length > VirtualFileSystem.MAX_NAME) {
                    throw new IllegalArgumentException("root tree: invalid path '" + path.replace("\0", "\\0") + "'");
                }
                sb.append('/').append(c);
            }
            if (!path.startsWith("/") || sb.isEmpty()) {
                throw new IllegalArgumentException("root tree: '" + path + "' is not an absolute path below /");
            }
            return sb.toString();
        }

        public RootTree build() {
            return new RootTree(entries, bytes);
        }
    }
}
