package dev.cella.wasm;

import dev.cella.isa.module.FuncType;

/** What translating one function needs to know about the Cella module being built. */
interface ModuleContext {
    /** The index of {@code type} in the Cella module's type list (Cella lists each signature once). */
    int cellaType(FuncType type);

    /**
     * The Cella function that performs {@code memory.init} of data segment {@code segment}:
     * parameters (destination, source offset, length), no results, Wasm's checks and traps.
     */
    int memoryInitFunction(int segment);

    /**
     * The mutable i32 global holding the current length of data segment {@code segment} as
     * {@code memory.init} sees it: the segment's length for a passive segment until {@code
     * data.drop} sets it to 0; always 0 for an active segment (dropped by instantiation).
     */
    int dataLengthGlobal(int segment);

    /** The i64 global holding the high half of v128 global {@code global} (whose own index holds the low half). */
    int highGlobal(int global);
}
