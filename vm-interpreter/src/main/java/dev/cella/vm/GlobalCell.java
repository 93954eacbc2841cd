package dev.cella.vm;

/**
 * A global variable that instances share: slot {@code index} of its owner's globals array (raw
 * bits, see {@link dev.cella.isa.ValType}). An instance that imports it reads and writes it there
 * ({@link Instance#globalGet}, {@link Instance#globalSet}).
 */
public record GlobalCell(long[] values, int index) {
    public long get() {
        return values[index];
    }

    public void set(long bits) {
        values[index] = bits;
    }
}
