package dev.cella.sandbox.fs;

/**
 * A node of a cell's virtual namespace: an in-memory file, directory or symbolic link, or a node
 * inside a mounted host directory. The WASI layer keeps nodes in directory descriptors and hands
 * them back to {@link VirtualFileSystem}; it never looks inside.
 */
public sealed interface Node permits MemNode, HostNode {
    /** The node's kind as last seen (a host node's kind can change behind the sandbox's back). */
    FileType type();
}
