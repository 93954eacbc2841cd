package dev.cella.isa.module;

/** Minimum and optional maximum size of a memory (in 64 KiB pages) or table (in elements). */
public record Limits(long min, long max) {
    /** The value of {@link #max} when there is no maximum. */
    public static final long NONE = -1;

    public boolean hasMax() {
        return max != NONE;
    }
}
