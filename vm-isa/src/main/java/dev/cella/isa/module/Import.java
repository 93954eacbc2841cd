package dev.cella.isa.module;

/** An imported (host) function: it takes the first function indices, in order. */
public record Import(String module, String name, int typeIndex) {}
