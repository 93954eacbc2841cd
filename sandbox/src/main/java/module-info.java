/**
 * Cells: configuration, quotas, the virtual filesystem, WASI preview 1, checkpoints, durable runs
 * and the scheduler; the API an embedder uses. The WASI implementation ({@code dev.cella.sandbox.wasi})
 * is internal and not exported.
 */
module dev.cella.sandbox {
    requires transitive dev.cella.vm;
    requires dev.cella.jit;
    requires java.management; // per-thread CPU time for a cell's accounting

    exports dev.cella.sandbox;
    exports dev.cella.sandbox.checkpoint;
    exports dev.cella.sandbox.durable;
    exports dev.cella.sandbox.fs;
    exports dev.cella.sandbox.sched;
    exports dev.cella.sandbox.stream;
}
