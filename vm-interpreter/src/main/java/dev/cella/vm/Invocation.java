package dev.cella.vm;

import java.util.Objects;

/**
 * How a {@link SuspendableEngine} invocation stopped: it either finished with results or was
 * suspended with an {@link ExecutionState}. Exactly one of the two is non-null.
 *
 * @param results the entry function's results as raw bits, or null if suspended
 * @param state where the invocation stands, or null if it finished
 */
public record Invocation(long[] results, ExecutionState state) {
    /**
     * @throws IllegalArgumentException unless exactly one of the two is given
     */
    public Invocation {
        if ((results == null) == (state == null)) {
            throw new IllegalArgumentException("an invocation either finished or was suspended");
        }
    }

    /** An invocation that returned {@code results}. */
    public static Invocation finished(long[] results) {
        return new Invocation(Objects.requireNonNull(results, "results"), null);
    }

    /** An invocation that stopped at {@code state}. */
    public static Invocation suspended(ExecutionState state) {
        return new Invocation(null, Objects.requireNonNull(state, "state"));
    }

    /** True if the invocation stopped before it finished. */
    public boolean isSuspended() {
        return state != null;
    }
}
