package dev.cella.vm;

import dev.cella.isa.module.Module;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A guest's linear memory: a zeroed byte array of a whole number of 64 KiB pages, little-endian.
 *
 * <p>The array is exactly as long as the memory, so {@code bytes().length} is the bound every
 * access is checked against; it is replaced (never shared) when memory grows, so engines that
 * cache {@link #bytes()} must reload it after {@code memory.grow} and after any call.
 *
 * <p>The {@code load*}/{@code store*} accessors take an effective address that the caller has
 * already checked with {@link #inBounds}; host functions use the checked {@link #read}/{@link
 * #write} family, which throw {@link IndexOutOfBoundsException} for an address outside memory.
 */
public final class Memory {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Decides whether memory may grow: the sandbox's quotas plug in here. It is asked about the
     * instance's host footprint, not the memory alone: both sizes include the instance's other
     * allocations ({@link #overhead}, {@link Instance#hostBytes}), so a quota counts them too.
     */
    @FunctionalInterface
    public interface GrowPolicy {
        /** True if the footprint may grow from {@code oldBytes} to {@code newBytes} (memory plus overhead). */
        boolean allow(long oldBytes, long newBytes);

        GrowPolicy UNLIMITED = (oldBytes, newBytes) -> true;
    }

    private byte[] bytes;
    private final long maxPages;
    private GrowPolicy policy = GrowPolicy.UNLIMITED;
    private long peakBytes;
    private long overhead;

    /**
     * @param initialPages pages at start (must be at most maxPages)
     * @param maxPages the most pages it may ever have (at most {@link Module#MAX_MEMORY_PAGES})
     */
    public Memory(long initialPages, long maxPages) {
        if (initialPages < 0 || initialPages > maxPages || maxPages > Module.MAX_MEMORY_PAGES) {
            throw new IllegalArgumentException("bad memory limits " + initialPages + ".." + maxPages);
        }
        this.bytes = new byte[(int) (initialPages * Module.PAGE_SIZE)];
        this.maxPages = maxPages;
        this.peakBytes = bytes.length;
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

    /** The current contents; its length is the memory size in bytes. */
    public byte[] bytes() {
        return bytes;
    }

    public int pages() {
        return bytes.length / Module.PAGE_SIZE;
    }

    public long maxPages() {
        return maxPages;
    }

    /** The largest size this memory has had, in bytes. */
    public long peakBytes() {
        return peakBytes;
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
     * memory.grow}: once the maximum and the policy allow the growth, and before anything is
     * allocated, {@code charge} is given the growth's fuel ({@link BulkWork#growUnits}); it may
     * throw (fuel exhausted), leaving memory unchanged. The copy of the old contents runs {@code
     * poll} before each {@link BulkWork#CHUNK} bytes, so a deadline or a kill (thrown by it) is
     * honoured during a large growth; memory is unchanged then too.
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
        if (!policy.allow(bytes.length + overhead, newBytes + overhead)) {
            return -1;
        }
        charge.accept(BulkWork.growUnits(newBytes));
        byte[] grown;
        try {
            grown = new byte[(int) newBytes];
        } catch (OutOfMemoryError e) {
            return -1; // the host cannot give the memory: fail the grow, not the host
        }
        for (int done = 0; done < bytes.length; done += BulkWork.CHUNK) {
            if (bytes.length > BulkWork.CHUNK) {
                poll.run();
            }
            System.arraycopy(bytes, done, grown, done, Math.min(BulkWork.CHUNK, bytes.length - done));
        }
        bytes = grown;
        peakBytes = Math.max(peakBytes, newBytes);
        return (int) old;
    }

    /** True if {@code [address, address + length)} lies inside memory; never overflows. */
    public boolean inBounds(long address, long length) {
        return address >= 0 && length >= 0 && address <= bytes.length - length;
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
                    + ") is outside memory of " + bytes.length + " bytes");
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
