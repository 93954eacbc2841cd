package dev.cella.isa.module;

/**
 * Where an imported memory comes from: the module and field names the host resolves it by at
 * instantiation. The module's memory limits are then the least the provided memory must have.
 */
public record MemoryImport(String module, String name) {}
