package dev.cella.isa.code;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the encodings of the binary format. It lives with the instruction
 * encoding, the lowest layer that writes bytes; the module binary ({@code dev.cella.isa.format})
 * builds on both, so the packages depend one way only.
 */
public final class ByteOutput {
    private byte[] buf = new byte[64];
    private int size;

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public ByteOutput u8(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    /** Unsigned LEB128 of the low 32 bits of {@code v} taken as unsigned. */
    public ByteOutput u32(long v) {
        v &= 0xFFFFFFFFL;
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            u8(v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return this;
    }

    public ByteOutput s32(int v) {
        return s64(v);
    }

    public ByteOutput s64(long v) {
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            if ((v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0)) {
                u8(b);
                return this;
            }
            u8(b | 0x80);
        }
    }

    public ByteOutput fixed32(int v) {
        ensure(4);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 24);
        return this;
    }

    public ByteOutput fixed64(long v) {
        fixed32((int) v);
        return fixed32((int) (v >>> 32));
    }

    /** Overwrites 4 bytes at {@code at} (used to patch branch targets). */
    public void patch32(int at, int v) {
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
        buf[at + 2] = (byte) (v >>> 16);
        buf[at + 3] = (byte) (v >>> 24);
    }

    public ByteOutput bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public ByteOutput bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
        return this;
    }

    /** A length-prefixed UTF-8 name. */
    public ByteOutput name(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u32(b.length);
        return bytes(b);
    }
}
