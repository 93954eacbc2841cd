/**
 * The instruction set, the module model, the binary and text formats and the verifier. It needs
 * nothing but java.base. The instruction encoding ({@code dev.cella.isa.code}) is exported only
 * to the modules that read or write single instructions, and the block map ({@code
 * dev.cella.isa.flow}) only to the engines; embedders handle whole modules. The document
 * generator ({@code dev.cella.isa.doc}) is run by its {@code main} and not exported.
 */
module dev.cella.isa {
    exports dev.cella.isa;
    exports dev.cella.isa.format;
    exports dev.cella.isa.module;
    exports dev.cella.isa.text;
    exports dev.cella.isa.verify;

    exports dev.cella.isa.code to dev.cella.vm, dev.cella.jit, dev.cella.wasm, dev.cella.tools;
    exports dev.cella.isa.flow to dev.cella.vm, dev.cella.jit;
}
