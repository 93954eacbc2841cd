package dev.cella.sandbox.fs;

/** The kind of a node, as WASI distinguishes them (FIFOs and other oddities are UNKNOWN). */
public enum FileType {
    UNKNOWN,
    BLOCK_DEVICE,
    CHARACTER_DEVICE,
    DIRECTORY,
    REGULAR_FILE,
    SOCKET_DGRAM,
    SOCKET_STREAM,
    SYMBOLIC_LINK
}
