package dev.cella.isa.module;

/** Initial contents of memory: {@code bytes} copied to {@code offset} at instantiation. */
public record DataSegment(long offset, byte[] bytes) {}
