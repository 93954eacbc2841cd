package dev.cella.isa.module;

/**
 * Elements for a table: functions by index. An active segment is placed from element {@code
 * offset} of table {@code table} at instantiation and is then empty, as if dropped; a passive one
 * ({@code passive}; {@code table} and {@code offset} are 0) is only read by {@code table.init}
 * until {@code elem.drop} empties it.
 */
public record ElementSegment(int table, long offset, int[] functions, boolean passive) {
    /** An active segment. */
    public ElementSegment(int table, long offset, int[] functions) {
        this(table, offset, functions, false);
    }

    /** A passive segment of {@code functions}. */
    public static ElementSegment passive(int[] functions) {
        return new ElementSegment(0, 0, functions, true);
    }
}
