package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The single-byte accesses of code for C1 ({@link MemoryAccess}'s {@code ...Bytes} forms) read and
 * write exactly what the view var handles of code for C2 do, at every alignment, and a store that
 * fails its array check writes nothing.
 */
class MemoryAccessTest {
    private static final int SIZE = 64;

    @Test
    void byteLoadsReadWhatTheViewHandlesRead() {
        SplittableRandom random = new SplittableRandom(12);
        for (int round = 0; round < 50; round++) {
            byte[] m = new byte[SIZE];
            random.nextBytes(m);
            for (int i = 0; i <= SIZE - 8; i++) {
                assertEquals(MemoryAccess.loadI16(m, i), MemoryAccess.loadI16Bytes(m, i), "i16 at " + i);
                assertEquals(MemoryAccess.loadI32(m, i), MemoryAccess.loadI32Bytes(m, i), "i32 at " + i);
                assertEquals(MemoryAccess.loadI64(m, i), MemoryAccess.loadI64Bytes(m, i), "i64 at " + i);
            }
        }
    }

    @Test
    void byteStoresWriteWhatTheViewHandlesWrite() {
        SplittableRandom random = new SplittableRandom(34);
        byte[] viaHandle = new byte[SIZE];
        byte[] viaBytes = new byte[SIZE];
        for (int round = 0; round < 2000; round++) {
            int i = random.nextInt(SIZE - 7);
            long v = random.nextLong();
            switch (round % 3) {
                case 0 -> {
                    MemoryAccess.storeI16(viaHandle, i, (short) v);
                    MemoryAccess.storeI16Bytes(viaBytes, i, (short) v);
                }
                case 1 -> {
                    MemoryAccess.storeI32(viaHandle, i, (int) v);
                    MemoryAccess.storeI32Bytes(viaBytes, i, (int) v);
                }
                default -> {
                    MemoryAccess.storeI64(viaHandle, i, v);
                    MemoryAccess.storeI64Bytes(viaBytes, i, v);
                }
            }
            assertArrayEquals(viaHandle, viaBytes, "after round " + round);
        }
    }

    @Test
    void aByteStorePastTheArrayWritesNothing() {
        byte[] m = new byte[SIZE];
        assertThrows(IndexOutOfBoundsException.class, () -> MemoryAccess.storeI64Bytes(m, SIZE - 7, -1L));
        assertThrows(IndexOutOfBoundsException.class, () -> MemoryAccess.storeI32Bytes(m, SIZE - 3, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> MemoryAccess.storeI16Bytes(m, SIZE - 1, (short) -1));
        assertArrayEquals(new byte[SIZE], m, Arrays.toString(m));
    }
}
