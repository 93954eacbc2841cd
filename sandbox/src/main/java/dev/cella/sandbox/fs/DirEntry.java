package dev.cella.sandbox.fs;

/** One entry of a directory listing. */
public record DirEntry(String name, long ino, FileType type) {}
