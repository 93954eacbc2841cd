package dev.cella.sandbox.fs;

/**
 * Where a guest path leads, found by {@link VirtualFileSystem#resolve}.
 *
 * <p>Usually the path ends in a name: {@code dir} is the directory that holds (or would hold) it,
 * {@code name} the final component and {@code node} the existing node, or null if there is none.
 * A path that ends in {@code .} or {@code ..} names a directory itself: then {@code dir} and
 * {@code name} are null and {@code node} is that directory.
 *
 * @param dir the directory holding the final name, or null
 * @param name the final component, or null
 * @param node the node found (a symbolic link itself when the final link was not followed), or null
 * @param mustBeDir true if the path ended with a slash, {@code .} or {@code ..}
 */
public record Resolution(Node dir, String name, Node node, boolean mustBeDir) {
    /** True if the path named a directory through a trailing {@code .} or {@code ..}. */
    public boolean namesDirectoryItself() {
        return name == null;
    }
}
