package dev.cella.isa.module;

/** A name under which the host can reach a function, table, memory or global. */
public record Export(String name, ExportKind kind, int index) {}
