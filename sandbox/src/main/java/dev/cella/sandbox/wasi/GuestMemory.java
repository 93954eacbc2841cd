package dev.cella.sandbox.wasi;

import dev.cella.vm.Memory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checked access to a guest's memory for WASI calls. Every guest pointer is an unsigned 32-bit
 * value; every range is checked with {@link Memory#inBounds} before any byte is touched, and a
 * range outside memory (or a module without memory) is the guest's error, EFAULT, never the
 * host's. Nothing here allocates in proportion to a guest-supplied length without first checking
 * it against the memory size.
 */
final class GuestMemory {
    private GuestMemory() {}

    /** The unsigned 32-bit value of an i32 argument. */
    static long u32(long arg) {
        return arg & 0xFFFFFFFFL;
    }

    /** Fails with EFAULT unless {@code [address, address + length)} lies inside memory. */
    static Memory check(Memory m, long address, long length) {
        if (m == null || !m.inBounds(address, length)) {
            throw new WasiError(Errno.FAULT);
        }
        return m;
    }

    static void writeU8(Memory m, long address, int value) {
        check(m, address, 1).writeU8(address, value);
    }

    static void writeU16(Memory m, long address, int value) {
        check(m, address, 2).writeU16(address, value);
    }

    static void writeU32(Memory m, long address, int value) {
        check(m, address, 4).writeI32(address, value);
    }

    static void writeU64(Memory m, long address, long value) {
        check(m, address, 8).writeI64(address, value);
    }

    static int readU8(Memory m, long address) {
        return check(m, address, 1).readU8(address);
    }

    static int readU16(Memory m, long address) {
        return check(m, address, 2).readU16(address);
    }

    static long readU32(Memory m, long address) {
        return check(m, address, 4).readI32(address) & 0xFFFFFFFFL;
    }

    static long readU64(Memory m, long address) {
        return check(m, address, 8).readI64(address);
    }

    /** Copies {@code bytes} to guest {@code address}. */
    static void writeBytes(Memory m, long address, byte[] bytes, int offset, int length) {
        check(m, address, length).write(address, bytes, offset, length);
    }

    /**
     * Reads a path or other string of {@code length} bytes. Checks the length against {@code max}
     * (NAMETOOLONG) before it reads anything, and decodes strictly (ILSEQ for invalid UTF-8).
     */
    static String readString(Memory m, long address, long length, int max) {
        if (length > max) {
            check(m, address, Math.min(length, 1));
            throw new WasiError(Errno.NAMETOOLONG);
        }
        byte[] b = check(m, address, length).slice(address, (int) length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new WasiError(Errno.ILSEQ);
        }
    }

    /**
     * Checks a guest array of {@code count} iovecs at {@code iovs} and every buffer it points to,
     * before anything is read or written, and returns the total length they describe.
     *
     * @throws WasiError EFAULT if the array or any buffer is outside memory; INVAL if the total
     *     passes {@link Integer#MAX_VALUE} (a WASI size is 32 bits and a host array is no larger)
     */
    static long checkIovecs(Memory m, long iovs, long count) {
        check(m, iovs, count * Abi.IOVEC_SIZE);
        long total = 0;
        for (long i = 0; i < count; i++) {
            long at = iovs + i * Abi.IOVEC_SIZE;
            long buf = m.readI32(at) & 0xFFFFFFFFL;
            long len = m.readI32(at + 4) & 0xFFFFFFFFL;
            check(m, buf, len);
            total += len;
            if (total > Integer.MAX_VALUE) {
                throw new WasiError(Errno.INVAL);
            }
        }
        return total;
    }

    /** The buffer address of iovec {@code i} (already checked by {@link #checkIovecs}). */
    static int iovBuf(Memory m, long iovs, long i) {
        return m.readI32(iovs + i * Abi.IOVEC_SIZE);
    }

    /** The buffer length of iovec {@code i} (already checked by {@link #checkIovecs}). */
    static int iovLen(Memory m, long iovs, long i) {
        return m.readI32(iovs + i * Abi.IOVEC_SIZE + 4);
    }
}
