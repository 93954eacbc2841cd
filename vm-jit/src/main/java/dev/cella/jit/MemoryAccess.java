package dev.cella.jit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The little-endian multi-byte accesses compiled code makes to a guest memory's {@code byte[]}
 * (single bytes use the JVM's {@code baload}/{@code bastore}). Each goes through a byte-array view
 * var handle, whose contract is the one {@link MemoryEmitter} relies on for the guest's bounds
 * rule: it throws {@link IndexOutOfBoundsException}, reading or writing nothing, unless {@code 0
 * <= index <= m.length - width}; C2 turns it into one unsigned compare it can hoist out of loops.
 * Unaligned indices are allowed (the JDK's plain get and set of a view handle do not require
 * alignment).
 *
 * <p>The {@code ...Bytes} forms do the same with single-byte array accesses, for code compiled by
 * C1 alone ({@link JitEngine.Options#clientShapes}): C1 inlines a view handle's whole chain of
 * guards and checks (about 240 bytes of bytecode per access) into every method, which then takes
 * longer to compile while the guest waits in HotSpot's interpreter; each of these is under C1's
 * inlining limit of 35 bytes. C2 does not merge the byte loads, so code for C2 keeps the view
 * handles. Stores write their highest byte first, so a failing array check writes nothing.
 */
final class MemoryAccess {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static final String NAME = "dev/cella/jit/MemoryAccess";

    private MemoryAccess() {}

    /** @throws IndexOutOfBoundsException unless {@code 0 <= index <= m.length - 2} */
    static short loadI16(byte[] m, int index) {
        return (short) I16.get(m, index);
    }

    /** @throws IndexOutOfBoundsException unless {@code 0 <= index <= m.length - 4} */
    static int loadI32(byte[] m, int index) {
        return (int) I32.get(m, index);
    }

    /** @throws IndexOutOfBoundsException unless {@code 0 <= index <= m.length - 8} */
    static long loadI64(byte[] m, int index) {
        return (long) I64.get(m, index);
    }

    /** @throws IndexOutOfBoundsException (writing nothing) unless {@code 0 <= index <= m.length - 2} */
    static void storeI16(byte[] m, int index, short v) {
        I16.set(m, index, v);
    }

    /** @throws IndexOutOfBoundsException (writing nothing) unless {@code 0 <= index <= m.length - 4} */
    static void storeI32(byte[] m, int index, int v) {
        I32.set(m, index, v);
    }

    /** @throws IndexOutOfBoundsException (writing nothing) unless {@code 0 <= index <= m.length - 8} */
    static void storeI64(byte[] m, int index, long v) {
        I64.set(m, index, v);
    }

    /** The unsigned 16 bits at {@code index}, little-endian. */
    private static int u16(byte[] m, int index) {
        return (m[index] & 0xFF) | (m[index + 1] & 0xFF) << 8;
    }

    /** {@link #loadI16} in single bytes. */
    static short loadI16Bytes(byte[] m, int index) {
        return (short) u16(m, index);
    }

    /** {@link #loadI32} in single bytes. */
    static int loadI32Bytes(byte[] m, int index) {
        return u16(m, index) | u16(m, index + 2) << 16;
    }

    /** {@link #loadI64} in single bytes. */
    static long loadI64Bytes(byte[] m, int index) {
        return (loadI32Bytes(m, index) & 0xFFFFFFFFL) | (long) loadI32Bytes(m, index + 4) << 32;
    }

    /** {@link #storeI16} in single bytes, the high one first. */
    static void storeI16Bytes(byte[] m, int index, short v) {
        m[index + 1] = (byte) (v >> 8);
        m[index] = (byte) v;
    }

    /** {@link #storeI32} in single bytes, the highest first. */
    static void storeI32Bytes(byte[] m, int index, int v) {
        storeI16Bytes(m, index + 2, (short) (v >>> 16));
        storeI16Bytes(m, index, (short) v);
    }

    /** {@link #storeI64} in single bytes, the highest first. */
    static void storeI64Bytes(byte[] m, int index, long v) {
        storeI32Bytes(m, index + 4, (int) (v >>> 32));
        storeI32Bytes(m, index, (int) v);
    }

    /** Replaces an f32 NaN at {@code index} by the canonical NaN (cold fix-up of {@link StoreCheckWindow}). */
    static void canonicalizeF32(byte[] m, int index) {
        int bits = loadI32(m, index);
        if (Float.isNaN(Float.intBitsToFloat(bits))) {
            storeI32(m, index, dev.cella.vm.Numerics.F32_CANONICAL_NAN);
        }
    }

    /** Replaces an f64 NaN at {@code index} by the canonical NaN (cold fix-up of {@link StoreCheckWindow}). */
    static void canonicalizeF64(byte[] m, int index) {
        long bits = loadI64(m, index);
        if (Double.isNaN(Double.longBitsToDouble(bits))) {
            storeI64(m, index, dev.cella.vm.Numerics.F64_CANONICAL_NAN);
        }
    }
}
