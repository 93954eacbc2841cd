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
