package dev.cella.sandbox.fs;

/**
 * A node inside a mounted host directory, named by its path relative to the mount root.
 *
 * <p>Invariant: {@code rel} is empty (the mount root) or a sequence of components separated by
 * {@code '/'}, each of which {@link VirtualFileSystem} validated (not empty, not {@code .} or
 * {@code ..}, no separator, no NUL) and found, when it was resolved, to be a real directory
 * rather than a symbolic link (the last component excepted). Since the host may change in the
 * meantime, every operation walks the chain again through directory handles, following no link
 * ({@link HostMount#openDir}), before it uses a stored node.
 *
 * @param mount the mount it lives in
 * @param rel its path below the mount root
 * @param type its kind when it was looked up
 */
record HostNode(HostMount mount, String rel, FileType type) implements Node {
    boolean isMountRoot() {
        return rel.isEmpty();
    }

    /** The path of child {@code name} below the mount root. */
    String child(String name) {
        return rel.isEmpty() ? name : rel + "/" + name;
    }

    /** The number of components from the mount root to this node. */
    int depth() {
        if (rel.isEmpty()) {
            return 0;
        }
        int n = 1;
        for (int i = 0; i < rel.length(); i++) {
            if (rel.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }
}
