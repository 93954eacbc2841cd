/** Translates WebAssembly modules into verified Cella modules; it needs only the instruction set. */
module dev.cella.wasm {
    requires transitive dev.cella.isa;

    exports dev.cella.wasm;
}
