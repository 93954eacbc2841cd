package dev.cella.sandbox.fs;

import java.util.TreeMap;

/**
 * A node of a cell's in-memory filesystem. Every node has exactly one parent (there are no hard
 * links), kept current by {@link VirtualFileSystem}; the root's parent is null.
 */
abstract sealed class MemNode implements Node permits MemNode.Dir, MemNode.File, MemNode.Link, MemNode.Device {
    final long ino;
    Dir parent;
    long atim;
    long mtim;
    long ctim;

    MemNode(long ino, long now) {
        this.ino = ino;
        this.atim = now;
        this.mtim = now;
        this.ctim = now;
    }

    /** A directory: children sorted by name, so listings are deterministic. */
    static final class Dir extends MemNode {
        /** Children by name; a value may be the {@link HostNode} root of a mount. */
        final TreeMap<String, Node> children = new TreeMap<>();
        /** Set when the directory is removed while a descriptor may still refer to it. */
        boolean removed;

        Dir(long ino, long now) {
            super(ino, now);
        }

        @Override
        public FileType type() {
            return FileType.DIRECTORY;
        }

        /** Number of components from the root of the in-memory tree. */
        int depth() {
            int d = 0;
            for (Dir p = parent; p != null; p = p.parent) {
                d++;
            }
            return d;
        }
    }

    /** A regular file: its bytes are {@code data[0..size)}. */
    static final class File extends MemNode {
        /** The largest in-memory file: a Java array's reach. */
        static final long MAX_SIZE = Integer.MAX_VALUE - 8;

        byte[] data = new byte[0];
        int size;
        /**
         * True while {@link #data} is a {@link RootTree}'s array, shared with other cells: every
         * change first copies it ({@link MemFileHandle}), so the tree's bytes never change.
         */
        boolean shared;

        File(long ino, long now) {
            super(ino, now);
        }

        @Override
        public FileType type() {
            return FileType.REGULAR_FILE;
        }
    }

    /** A symbolic link; the target is kept as written and interpreted only when followed. */
    static final class Link extends MemNode {
        final String target;

        Link(long ino, long now, String target) {
            super(ino, now);
            this.target = target;
        }

        @Override
        public FileType type() {
            return FileType.SYMBOLIC_LINK;
        }
    }

    /**
     * A character device of {@code /dev}, made by {@link VirtualFileSystem} (never by the guest,
     * which can neither remove, rename nor replace one). It holds no data: {@link DeviceHandle}
     * gives its behaviour.
     */
    static final class Device extends MemNode {
        /** The devices, by their names in {@code /dev}. */
        enum Kind {
            NULL("null"),
            ZERO("zero"),
            FULL("full"),
            URANDOM("urandom");

            final String fileName;

            Kind(String fileName) {
                this.fileName = fileName;
            }

            /** The device named {@code fileName}, or null. */
            static Kind named(String fileName) {
                for (Kind k : values()) {
                    if (k.fileName.equals(fileName)) {
                        return k;
                    }
                }
                return null;
            }
        }

        final Kind kind;

        Device(long ino, long now, Kind kind) {
            super(ino, now);
            this.kind = kind;
        }

        @Override
        public FileType type() {
            return FileType.CHARACTER_DEVICE;
        }
    }
}
