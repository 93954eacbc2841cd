package dev.cella.vm.interp;

/**
 * Thrown by {@link Machine#refuel} when a {@link dev.cella.vm.SuspendRequest} fires at a block
 * entry; the dispatch loop catches it, records its position ({@link Machine#suspend}) and returns.
 * A control-flow signal like {@link dev.cella.vm.TrapSignal}: one shared instance, no stack trace,
 * never seen outside the interpreter.
 */
final class SuspendSignal extends RuntimeException {
    static final SuspendSignal INSTANCE = new SuspendSignal();

    private SuspendSignal() {
        super("suspend request", null, false, false);
    }
}
