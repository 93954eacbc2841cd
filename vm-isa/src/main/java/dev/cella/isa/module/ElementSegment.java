package dev.cella.isa.module;

/**
 * Initial contents of a table: {@code functions} placed from element {@code offset} of table
 * {@code table} at instantiation.
 */
public record ElementSegment(int table, long offset, int[] functions) {}
