package dev.cella.isa.module;

/**
 * Where an imported table comes from: the host's {@code ImportResolver} provides it by these
 * names at instantiation, shared with whoever else holds it; the module's limits for the table
 * are the least it must have.
 */
public record TableImport(String module, String name) {}
