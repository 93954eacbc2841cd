package dev.cella.vm;

import java.util.Arrays;

/**
 * A table of function references, for call_indirect: a fixed number of elements, each a function
 * index or -1 (null). Tables never grow: the ISA has no table.grow.
 */
public final class Table {
    private final int[] elements;

    /**
     * Creates a table of {@code size} null elements.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public Table(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative table size " + size);
        }
        this.elements = new int[size];
        Arrays.fill(elements, -1);
    }

    public int size() {
        return elements.length;
    }

    /**
     * Element {@code i}: a function index, or -1 if it is null.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < size()}
     */
    public int get(int i) {
        return elements[i];
    }

    /**
     * Sets element {@code i} to function {@code function}, or to null if it is -1.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < size()}
     * @throws IllegalArgumentException if {@code function < -1}
     */
    public void set(int i, int function) {
        if (function < -1) {
            throw new IllegalArgumentException("bad function index " + function);
        }
        elements[i] = function;
    }
}
