/**
 * The runtime both engines share (instances, memory, traps, fuel, the engine interface) and the
 * interpreter. The interpreter's package is exported only to the JIT (which falls back to it and
 * hooks its tiering) and to the sandbox, through which embedders and the command line choose an
 * engine.
 */
module dev.cella.vm {
    requires transitive dev.cella.isa;
    requires java.management; // per-thread CPU time for a guest's run (GuestCpu)

    exports dev.cella.vm;

    exports dev.cella.vm.interp to dev.cella.jit, dev.cella.sandbox;
}
