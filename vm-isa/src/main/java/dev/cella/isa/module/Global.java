package dev.cella.isa.module;

import dev.cella.isa.ValType;

/** A global variable with a constant initial value, held as raw bits (see {@link ValType}). */
public record Global(ValType type, boolean mutable, long init) {}
