package dev.cella.sandbox.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer for the checkpoint payload (see docs/checkpoint.md for
 * the encodings): fixed-width integers, length-prefixed UTF-8 strings and byte arrays, and
 * sections (a tag and a 64-bit length patched when the section ends).
 */
final class CheckpointOutput {
    /** The most a payload may hold: a Java array's reach. */
    static final long MAX_PAYLOAD = Integer.MAX_VALUE - 16;

    private byte[] buf;
    private int size;
    private int sectionStart = -1;

    CheckpointOutput(int capacity) {
        this.buf = new byte[Math.max(64, capacity)];
    }

    int size() {
        return size;
    }

    /** The bytes written so far (the internal buffer: valid up to {@link #size()}). */
    byte[] buffer() {
        return buf;
    }

    private void ensure(long more) {
        long need = size + more;
        if (need > MAX_PAYLOAD) {
            throw new CheckpointException(CheckpointException.Kind.INVALID,
                    "the state does not fit in one checkpoint (over " + MAX_PAYLOAD + " bytes)");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(MAX_PAYLOAD, Math.max(need, 2L * buf.length)));
        }
    }

    /** Starts section {@code tag}; its length is filled in by {@link #endSection}. */
    void beginSection(int tag) {
        u8(tag);
        sectionStart = size;
        i64(0);
    }

    void endSection() {
        int at = sectionStart;
        long length = size - at - 8L;
        size = at;
        i64(length);
        size = (int) (at + 8 + length);
        sectionStart = -1;
    }

    void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    void bool(boolean v) {
        u8(v ? 1 : 0);
    }

    void i32(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
    }

    void i64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
    }

    /** Raw bytes, no length. */
    void raw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** A length (i32) and the bytes. */
    void bytes(byte[] b) {
        i32(b.length);
        raw(b, 0, b.length);
    }

    /** A string as bytes of UTF-8. */
    void string(String s) {
        bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A string that may be null: length -1 for null. */
    void nullableString(String s) {
        if (s == null) {
            i32(-1);
        } else {
            string(s);
        }
    }
}
