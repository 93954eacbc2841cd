package dev.cella.isa.code;

import dev.cella.isa.FormatException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounded cursor over bytes that reports every problem as a {@link FormatException} naming the
 * absolute offset. It never reads past {@link #limit()} and never allocates more than the bytes
 * left can justify. Like {@link ByteOutput} it lives with the instruction encoding, which the
 * module binary ({@code dev.cella.isa.format}) builds on.
 */
public final class ByteInput {
    private final byte[] bytes;
    private final long base;
    private int pos;
    private int limit;

    /**
     * @param bytes the input
     * @param start first readable index
     * @param end one past the last readable index
     * @param base the absolute offset of {@code bytes[0]}, for messages
     */
    public ByteInput(byte[] bytes, int start, int end, long base) {
        this.bytes = bytes;
        this.pos = start;
        this.limit = end;
        this.base = base;
    }

    public ByteInput(byte[] bytes) {
        this(bytes, 0, bytes.length, 0);
    }

    /** Current position (index into the array). */
    public int position() {
        return pos;
    }

    public void position(int pos) {
        this.pos = pos;
    }

    /** The absolute offset of the current position, for messages. */
    public long offset() {
        return base + pos;
    }

    public int limit() {
        return limit;
    }

    /** Narrows the readable range to end at {@code newLimit}; returns the old limit. */
    public int limit(int newLimit) {
        int old = limit;
        limit = newLimit;
        return old;
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    public FormatException error(String reason) {
        return new FormatException(offset(), reason);
    }

    public FormatException error(int at, String reason) {
        return new FormatException(base + at, reason);
    }

    public int u8() {
        if (pos >= limit) {
            throw error("unexpected end of input");
        }
        return bytes[pos++] & 0xFF;
    }

    /** An unsigned LEB128 of at most 32 bits, returned as a non-negative long. */
    public long u32() {
        int start = pos;
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos >= limit) {
                throw error(start, "unexpected end of input in LEB128 number");
            }
            int b = bytes[pos++] & 0xFF;
            if (shift == 28 && (b & 0xF0) != 0) {
                throw error(start, "LEB128 number too large for 32 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }

    /** An unsigned LEB128 that must fit a non-negative int and be at most {@code max}. */
    public int u32(int max, String what) {
        int at = pos;
        long v = u32();
        if (v > max) {
            throw error(at, what + " " + v + " exceeds the limit " + max);
        }
        return (int) v;
    }

    /**
     * A count of elements, each at least {@code minBytesEach} long: checked against the bytes
     * left before anyone allocates for it.
     */
    public int count(int minBytesEach, String what) {
        int at = pos;
        long v = u32();
        if (v * Math.max(1, minBytesEach) > remaining()) {
            throw error(at, what + " count " + v + " exceeds the " + remaining() + " bytes left");
        }
        return (int) v;
    }

    /** A signed LEB128 of at most 32 bits. */
    public int s32() {
        int start = pos;
        int result = 0;
        int shift = 0;
        int b;
        do {
            if (pos >= limit) {
                throw error(start, "unexpected end of input in LEB128 number");
            }
            b = bytes[pos++] & 0xFF;
            if (shift == 28) {
                // Last byte: 4 payload bits used; the rest must be a sign extension of bit 3.
                int rest = b & 0x70;
                if ((b & 0x80) != 0 || (rest != 0 && rest != 0x70) || ((b & 0x08) == 0) != (rest == 0)) {
                    throw error(start, "LEB128 number too large for 32 bits");
                }
            }
            result |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 32 && (b & 0x40) != 0) {
            result |= -1 << shift;
        }
        return result;
    }

    /** A signed LEB128 of at most 64 bits. */
    public long s64() {
        int start = pos;
        long result = 0;
        int shift = 0;
        int b;
        do {
            if (pos >= limit) {
                throw error(start, "unexpected end of input in LEB128 number");
            }
            b = bytes[pos++] & 0xFF;
            if (shift == 63) {
                // Last byte: 1 payload bit; the rest must be a sign extension of it.
                if ((b & 0x80) != 0 || (b != 0 && b != 0x7F)) {
                    throw error(start, "LEB128 number too large for 64 bits");
                }
            }
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    public int fixed32() {
        if (remaining() < 4) {
            throw error("unexpected end of input in a 4-byte value");
        }
        int v = (bytes[pos] & 0xFF) | (bytes[pos + 1] & 0xFF) << 8 | (bytes[pos + 2] & 0xFF) << 16
                | (bytes[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long fixed64() {
        if (remaining() < 8) {
            throw error("unexpected end of input in an 8-byte value");
        }
        long lo = fixed32() & 0xFFFFFFFFL;
        long hi = fixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    /** {@code n} raw bytes; {@code n} is checked against the bytes left first. */
    public byte[] bytes(int n) {
        if (n < 0 || n > remaining()) {
            throw error("length " + n + " exceeds the " + remaining() + " bytes left");
        }
        byte[] out = java.util.Arrays.copyOfRange(bytes, pos, pos + n);
        pos += n;
        return out;
    }

    /** A length-prefixed UTF-8 name; malformed UTF-8 is rejected. */
    public String name() {
        int at = pos;
        int n = count(1, "name length");
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, pos, n))
                    .toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw error(at, "name is not valid UTF-8");
        }
    }
}
