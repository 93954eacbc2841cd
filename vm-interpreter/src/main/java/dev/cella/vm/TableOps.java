package dev.cella.vm;

import java.util.Arrays;

/**
 * The semantics of the table instructions, shared by both engines. The bulk ones (fill, copy,
 * init) come in two halves so that each engine charges its fuel in between, by the order of
 * {@link BulkWork}: the check (an out-of-bounds trap, nothing charged), then the engine's charge
 * of {@link BulkWork#tableUnits}, then the work. Indices and counts are i32 read as unsigned.
 */
public final class TableOps {
    private TableOps() {}

    /**
     * table.get.
     *
     * @throws TrapSignal out of bounds table access unless {@code i < size}
     */
    public static long get(Table t, int i) {
        if (Integer.compareUnsigned(i, t.size()) >= 0) {
            throw TrapSignal.OUT_OF_BOUNDS_TABLE;
        }
        return t.elements()[i];
    }

    /**
     * table.set.
     *
     * @throws TrapSignal out of bounds table access unless {@code i < size}
     */
    public static void set(Table t, int i, long ref) {
        if (Integer.compareUnsigned(i, t.size()) >= 0) {
            throw TrapSignal.OUT_OF_BOUNDS_TABLE;
        }
        t.elements()[i] = ref;
    }

    /**
     * Checks table.fill's range: {@code n} elements at {@code dst}.
     *
     * @throws TrapSignal out of bounds table access if the range leaves the table
     */
    public static void checkFill(Table t, int dst, int n) {
        if ((dst & 0xFFFFFFFFL) + (n & 0xFFFFFFFFL) > t.size()) {
            throw TrapSignal.OUT_OF_BOUNDS_TABLE;
        }
    }

    /** table.fill's work, after {@link #checkFill}. */
    public static void fill(Table t, int dst, long ref, int n) {
        Arrays.fill(t.elements(), dst, dst + n, ref);
    }

    /**
     * Checks table.copy's ranges: {@code n} elements at {@code dst} of {@code to} and at {@code
     * src} of {@code from}.
     *
     * @throws TrapSignal out of bounds table access if either range leaves its table
     */
    public static void checkCopy(Table to, Table from, int dst, int src, int n) {
        long count = n & 0xFFFFFFFFL;
        if ((dst & 0xFFFFFFFFL) + count > to.size() || (src & 0xFFFFFFFFL) + count > from.size()) {
            throw TrapSignal.OUT_OF_BOUNDS_TABLE;
        }
    }

    /** table.copy's work, after {@link #checkCopy}; the ranges may overlap. */
    public static void copy(Table to, Table from, int dst, int src, int n) {
        System.arraycopy(from.elements(), src, to.elements(), dst, n);
    }

    /**
     * Checks table.init's ranges: {@code n} elements at {@code dst} of table {@code table} and at
     * {@code src} of element segment {@code segment}'s current contents.
     *
     * @throws TrapSignal out of bounds table access if either range leaves its table or segment
     */
    public static void checkInit(Instance instance, int table, int segment, int dst, int src, int n) {
        long count = n & 0xFFFFFFFFL;
        if ((dst & 0xFFFFFFFFL) + count > instance.table(table).size()
                || (src & 0xFFFFFFFFL) + count > instance.segment(segment).length) {
            throw TrapSignal.OUT_OF_BOUNDS_TABLE;
        }
    }

    /** table.init's work, after {@link #checkInit}: function f becomes its reference ({@link Instance#functionRef}), null (-1) 0. */
    public static void init(Instance instance, int table, int segment, int dst, int src, int n) {
        long[] elements = instance.table(table).elements();
        int[] functions = instance.segment(segment);
        for (int i = 0; i < n; i++) {
            elements[dst + i] = instance.functionRef(functions[src + i]);
        }
    }
}
