package dev.cella.vm;

import dev.cella.isa.module.Module;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A guest's linear memory: a whole number of 64 KiB pages, little-endian, zero at first.
 *
 * <p>Size and capacity. The guest sees {@link #size()} bytes; they live at the start of a backing
 * array, {@link #array()}, that may be longer ({@link #capacity()}), so that growing is cheap: a
 * growth within the capacity only raises the size, and one past it replaces the array by one
 * about half as large again (see {@link #grow(int, LongConsumer, Runnable)}), so growing a page at
 * a time to {@code n} bytes copies fewer than {@code 3n} bytes in all instead of {@code n²/128
 * KiB}. The bound every access is checked against is the size, never the array's length: the
 * engines keep the size next to the array (both reloaded after {@code memory.grow} and after any
 * call, the only ways either can change) and check {@code ea + width <= size} themselves.
 *
 * <p>Invariant: every byte of the array past the size is zero. Nothing writes there (every
 * access is checked against the size), the memory never shrinks, and a new array is zero; so
 * the pages a growth within the capacity adds are already zero, as the ISA requires.
 *
 * <p>Host footprint: the capacity, not the size, is what the {@link GrowPolicy} is asked for
 * (with the instance's other allocations, {@link #overhead}), so a quota bounds the array the
 * host really holds; the capacity is never raised past what the policy grants or past the
 * memory's maximum. (While a growth copies, the old array is live too, for the copy's time.)
 *
 * <p>The {@code load*}/{@code store*} accessors take an effective address that the caller has
 * already checked with {@link #inBounds}; host functions use the checked {@link #read}/{@link
 * #write} family, which throw {@link IndexOutOfBoundsException} for an address outside memory.
 */
public final class Memory {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The smallest step by which a growth past the capacity raises it, in pages (1 MiB). */
    static final long MIN_STEP_PAGES = 16;

    /**
     * Decides whether memory may grow: the sandbox's quotas plug in here. It is asked about the
     * instance's host footprint, not the memory alone: both sizes include the instance's other
     * allocations ({@link #overhead}, {@link Instance#hostBytes}), so a quota counts them too.
     */
    @FunctionalInterface
    public interface GrowPolicy {
        /** True if the footprint may grow from {@code oldBytes} to {@code newBytes} (memory plus overhead). */
        boolean allow(long oldBytes, long newBytes);

        /**
         * Asks for a footprint of at least {@code minBytes}, and of {@code preferredBytes} if it can
         * be had ({@code minBytes <= preferredBytes}; the footprint is {@code oldBytes} now, which
         * may already be {@code minBytes} or more: the memory grows within its capacity). A grow is
         * refused exactly when this returns -1, so a refusal is counted here once per grow.
         *
         * @return the footprint granted, from {@code minBytes} to {@code preferredBytes}, or -1
         */
        default long reserve(long oldBytes, long minBytes, long preferredBytes) {
            if (preferredBytes > minBytes && allow(oldBytes, preferredBytes)) {
                return preferredBytes;
            }
            return allow(oldBytes, minBytes) ? minBytes : -1;
        }

        GrowPolicy UNLIMITED = (oldBytes, newBytes) -> true;
    }

    private byte[] bytes;
    private int size;
    private final long maxPages;
    private GrowPolicy policy = GrowPolicy.UNLIMITED;
    private long peakBytes;
    private long overhead;
    private int reallocations;

    /**
     * @param initialPages pages at start (must be at most maxPages)
     * @param maxPages the most pages it may ever have (at most {@link Module#MAX_MEMORY_PAGES})
     */
    public Memory(long initialPages, long maxPages) {
        if (initialPages < 0 || initialPages > maxPages || maxPages > Module.MAX_MEMORY_PAGES) {
            throw new IllegalArgumentException("bad memory limits " + initialPages + ".." + maxPages);
        }
        this.bytes = new byte[(int) (initialPages * Module.PAGE_SIZE)];
        this.size = bytes.length;
        this.maxPages = maxPages;
        this.peakBytes = size;
    }

    public void policy(GrowPolicy policy) {
        this.policy = policy;
    }

    /** Sets the bytes the instance holds besides this memory, which the policy is asked about with it. */
    void overhead(long bytes) {
        this.overhead = bytes;
    }

    /** The bytes the instance holds besides this memory ({@link Instance#hostBytes}). */
    public long overhead() {
        return overhead;
    }

    /**
     * The backing array: the memory's bytes are its first {@link #size()}, and the rest are zero.
     * It is replaced when memory grows past its capacity: engines that cache it reload it (and the
     * size) after {@code memory.grow} and after any call. Check every access against the size.
     */
    public byte[] array() {
        return bytes;
    }

    /** The memory's size in bytes, the bound of every access. */
    public int size() {
        return size;
    }

    /** A copy of the memory's {@link #size()} bytes. */
    public byte[] snapshot() {
        return Arrays.copyOf(bytes, size);
    }

    public int pages() {
        return size / Module.PAGE_SIZE;
    }

    public long maxPages() {
        return maxPages;
    }

    /** The largest size this memory has had, in bytes. */
    public long peakBytes() {
        return peakBytes;
    }

    /** The length of the backing array, in bytes: at least the size. */
    public int capacity() {
        return bytes.length;
    }

    /** The host memory the instance holds for this memory and its other allocations: capacity plus overhead. */
    public long hostBytes() {
        return bytes.length + overhead;
    }

    /** How many times a growth has replaced the backing array (the copies growing made). */
    public int reallocations() {
        return reallocations;
    }

    /**
     * Grows memory by {@code deltaPages} (read as unsigned), zero-filling the new pages, for a
     * host: nothing is charged and nothing polled.
     *
     * @return the old size in pages, or -1 (memory unchanged) if the new size would pass the
     *     maximum or the policy refuses
     */
    public int grow(int deltaPages) {
        return grow(deltaPages, units -> {}, () -> {});
    }

    /**
     * Grows memory by {@code deltaPages} (read as unsigned) for an engine running {@code
     * memory.grow}. The policy is asked for the new size's footprint (and, past the capacity, for
     * a capacity half as large again, at least {@link #MIN_STEP_PAGES} more, at most the maximum:
     * it may grant less, down to the new size). Once the maximum and the policy allow the growth,
     * and before anything is allocated, {@code charge} is given the growth's fuel ({@link
     * BulkWork#growUnits}); it may throw (fuel exhausted), leaving memory unchanged. A growth past
     * the capacity copies the old contents into a new array, running {@code poll} before each
     * {@link BulkWork#CHUNK} bytes, so a deadline or a kill (thrown by it) is honoured during a
     * large copy; memory is unchanged then too.
     *
     * @return the old size in pages, or -1 (memory unchanged) if the new size would pass the
     *     maximum, the policy refuses or the host has not the memory
     */
    public int grow(int deltaPages, LongConsumer charge, Runnable poll) {
        long old = pages();
        long want = old + (deltaPages & 0xFFFFFFFFL);
        if (want > maxPages) {
            return -1;
        }
        if (want == old) {
            return (int) old;
        }
        long newBytes = want * Module.PAGE_SIZE;
        long preferred = newBytes;
        if (newBytes > bytes.length) {
            long capPages = bytes.length / Module.PAGE_SIZE;
            preferred = Math.min(maxPages, Math.max(want, capPages + Math.max(capPages / 2, MIN_STEP_PAGES)))
                    * Module.PAGE_SIZE;
        }
        long granted = policy.reserve(bytes.length + overhead, newBytes + overhead, preferred + overhead);
        if (granted < 0) {
            return -1;
        }
        // What the policy granted, in whole pages, between the new size and the preferred capacity.
        long grantedPages = (granted - overhead) / Module.PAGE_SIZE;
        long capacity = Math.max(newBytes, Math.min(preferred, grantedPages * Module.PAGE_SIZE));
        charge.accept(BulkWork.growUnits(size, newBytes));
        if (newBytes > bytes.length && !reallocate((int) capacity, poll)
                && (capacity == newBytes || !reallocate((int) newBytes, poll))) {
            return -1;
        }
        size = (int) newBytes;
        peakBytes = Math.max(peakBytes, newBytes);
        return (int) old;
    }

    /**
     * Replaces the array by a zeroed one of {@code capacity} bytes holding the memory's bytes.
     *
     * @return false (memory unchanged) if the host has not the memory
     */
    private boolean reallocate(int capacity, Runnable poll) {
        byte[] grown;
        try {
            grown = new byte[capacity];
        } catch (OutOfMemoryError e) {
            return false; // the host cannot give the memory: fail the grow, not the host
        }
        for (int done = 0; done < size; done += BulkWork.CHUNK) {
            if (size > BulkWork.CHUNK) {
                poll.run();
            }
            System.arraycopy(bytes, done, grown, done, Math.min(BulkWork.CHUNK, size - done));
        }
        bytes = grown;
        reallocations++;
        return true;
    }

    /** True if {@code [address, address + length)} lies inside memory; never overflows. */
    public boolean inBounds(long address, long length) {
        return address >= 0 && length >= 0 && address <= size - length;
    }

    // Unchecked accessors for engines: the caller checked inBounds.

    public static int loadI32(byte[] m, int ea) {
        return (int) I32.get(m, ea);
    }

    public static long loadI64(byte[] m, int ea) {
        return (long) I64.get(m, ea);
    }

    public static short loadI16(byte[] m, int ea) {
        return (short) I16.get(m, ea);
    }

    public static void storeI32(byte[] m, int ea, int v) {
        I32.set(m, ea, v);
    }

    public static void storeI64(byte[] m, int ea, long v) {
        I64.set(m, ea, v);
    }

    public static void storeI16(byte[] m, int ea, short v) {
        I16.set(m, ea, v);
    }

    // Checked accessors for host functions.

    private void check(long address, long length) {
        if (!inBounds(address, length)) {
            throw new IndexOutOfBoundsException("guest address range [" + address + ", " + (address + length)
                    + ") is outside memory of " + size + " bytes");
        }
    }

    public int readI32(long address) {
        check(address, 4);
        return loadI32(bytes, (int) address);
    }

    public long readI64(long address) {
        check(address, 8);
        return loadI64(bytes, (int) address);
    }

    public int readU8(long address) {
        check(address, 1);
        return bytes[(int) address] & 0xFF;
    }

    public int readU16(long address) {
        check(address, 2);
        return loadI16(bytes, (int) address) & 0xFFFF;
    }

    public void writeI32(long address, int value) {
        check(address, 4);
        storeI32(bytes, (int) address, value);
    }

    public void writeI64(long address, long value) {
        check(address, 8);
        storeI64(bytes, (int) address, value);
    }

    public void writeU8(long address, int value) {
        check(address, 1);
        bytes[(int) address] = (byte) value;
    }

    public void writeU16(long address, int value) {
        check(address, 2);
        storeI16(bytes, (int) address, (short) value);
    }

    /** Copies {@code length} bytes from guest {@code address} into {@code dst[off..]}. */
    public void read(long address, byte[] dst, int off, int length) {
        check(address, length);
        System.arraycopy(bytes, (int) address, dst, off, length);
    }

    /** Copies {@code length} bytes of {@code src[off..]} to guest {@code address}. */
    public void write(long address, byte[] src, int off, int length) {
        check(address, length);
        System.arraycopy(src, off, bytes, (int) address, length);
    }

    /** A fresh copy of {@code length} bytes at {@code address}. */
    public byte[] slice(long address, int length) {
        check(address, length);
        return Arrays.copyOfRange(bytes, (int) address, (int) address + length);
    }
}
