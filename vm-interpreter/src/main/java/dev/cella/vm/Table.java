package dev.cella.vm;

import dev.cella.isa.ValType;
import dev.cella.isa.module.Limits;
import java.util.Arrays;

/**
 * A table of references: elements in the raw form of {@link ValType} (0 is null; for funcref,
 * function index plus one, see {@link Store} for tables shared between instances), a current size
 * that table.grow raises up to a maximum. Instances that import a table share this object.
 */
public final class Table {
    private final ValType type;
    private final long max;
    /** The maximum the table was declared with, or {@link Limits#NONE}: what an import of it is matched against. */
    private final long declaredMax;
    private long[] elements;
    private int size;

    /**
     * Creates a table of {@code size} null elements that may grow to {@code max}.
     *
     * @throws IllegalArgumentException if {@code size} is negative or over {@code max}, or
     *     {@code type} is not a reference type
     */
    public Table(ValType type, int size, long max) {
        this(type, size, max, max);
    }

    /**
     * Creates a table of {@code size} null elements that may grow to {@code max}, declared with
     * maximum {@code declaredMax} ({@link Limits#NONE} if none; {@code max} may be lower, Cella's
     * own bound).
     *
     * @throws IllegalArgumentException if {@code size} is negative or over {@code max}, or
     *     {@code type} is not a reference type
     */
    public Table(ValType type, int size, long max, long declaredMax) {
        if (size < 0 || size > max) {
            throw new IllegalArgumentException("table size " + size + " with maximum " + max);
        }
        if (!type.isReference()) {
            throw new IllegalArgumentException("table of " + type);
        }
        this.type = type;
        this.max = max;
        this.declaredMax = declaredMax;
        this.elements = new long[size];
        this.size = size;
    }

    /** A funcref table of {@code size} null elements that never grows. */
    public Table(int size) {
        this(ValType.FUNCREF, size, size);
    }

    public ValType type() {
        return type;
    }

    public int size() {
        return size;
    }

    /** The size past which table.grow fails. */
    public long max() {
        return max;
    }

    /** The maximum the table was declared with, or {@link Limits#NONE} if it has none. */
    public long declaredMax() {
        return declaredMax;
    }

    /**
     * Element {@code i} in raw form.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < size()}
     */
    public long get(int i) {
        return elements[java.util.Objects.checkIndex(i, size)];
    }

    /**
     * Sets element {@code i} to {@code ref} (raw form).
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < size()}
     */
    public void set(int i, long ref) {
        elements[java.util.Objects.checkIndex(i, size)] = ref;
    }

    /** The elements array (live, may be longer than {@link #size}), for the bulk operations of {@link TableOps}. */
    long[] elements() {
        return elements;
    }

    /**
     * Appends {@code delta} elements set to {@code ref}; the caller has checked that the table
     * may grow that far ({@code size() + delta <= max()}).
     */
    void grow(int delta, long ref) {
        int newSize = size + delta;
        if (newSize > elements.length) {
            elements = Arrays.copyOf(elements, newSize); // exactly: the quota counts the size
        }
        Arrays.fill(elements, size, newSize, ref);
        size = newSize;
    }

    /** Sets the size to {@code newSize} with the given elements (restoring a checkpoint). */
    public void restore(long[] contents) {
        if (contents.length > max) {
            throw new IllegalArgumentException("table of " + contents.length + " elements over its maximum " + max);
        }
        elements = contents.clone();
        size = contents.length;
    }
}
