package dev.cella.sandbox;

/** How a run ended. */
public enum Outcome {
    /** The guest returned from {@code _start} (status 0) or called {@code proc_exit} (its status). */
    EXITED,
    /** The guest trapped (a {@link dev.cella.vm.Trap} other than fuel or call-depth exhaustion). */
    TRAPPED,
    /** The guest hit a quota ({@link QuotaExceeded}). */
    QUOTA_EXCEEDED,
    /** Anything else: the cell was killed ({@link CellKilled}), the module has nothing to run, or a host function failed. */
    ERROR
}
