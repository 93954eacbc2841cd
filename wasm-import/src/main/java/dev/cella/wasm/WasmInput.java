package dev.cella.wasm;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over a Wasm binary with the format's encodings: bytes, LEB128 integers under the
 * specification's strict rules, little-endian floats and UTF-8 names. Every problem is a {@link
 * WasmException} of kind {@link WasmException.Kind#MALFORMED} naming the absolute offset; it never
 * reads past {@link #limit()} (the end of the current section or function body).
 */
final class WasmInput {
    private final byte[] bytes;
    private int pos;
    private int limit;

    WasmInput(byte[] bytes) {
        this.bytes = bytes;
        this.limit = bytes.length;
    }

    /** The offset of the next byte, which is also its absolute offset in the file. */
    int position() {
        return pos;
    }

    void position(int pos) {
        this.pos = pos;
    }

    int limit() {
        return limit;
    }

    /** Narrows the readable range to end at {@code newLimit}; returns the old limit. */
    int limit(int newLimit) {
        int old = limit;
        limit = newLimit;
        return old;
    }

    boolean hasRemaining() {
        return pos < limit;
    }

    int remaining() {
        return limit - pos;
    }

    /** The whole binary (for slices of function bodies; never modified). */
    byte[] bytes() {
        return bytes;
    }

    WasmException malformed(String reason) {
        return WasmException.malformed(pos, reason);
    }

    private WasmException unexpectedEnd() {
        return WasmException.malformed(pos, limit < bytes.length ? "unexpected end of section or function"
                : "unexpected end");
    }

    int u8() {
        if (pos >= limit) {
            throw unexpectedEnd();
        }
        return bytes[pos++] & 0xFF;
    }

    /** The next byte without consuming it. */
    int peek() {
        if (pos >= limit) {
            throw unexpectedEnd();
        }
        return bytes[pos] & 0xFF;
    }

    /** An unsigned LEB128 number of at most 32 bits, returned as a non-negative long. */
    long u32() {
        int start = pos;
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            int b = u8();
            if (shift == 28) {
                if ((b & 0x80) != 0) {
                    throw WasmException.malformed(start, "integer representation too long");
                }
                if ((b & 0x70) != 0) {
                    throw WasmException.malformed(start, "integer too large");
                }
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }

    /** An unsigned 32-bit number that must fit an int (counts and indices used as Java indices). */
    int index() {
        int at = pos;
        long v = u32();
        if (v > Integer.MAX_VALUE) {
            throw WasmException.malformed(at, "index or count " + v + " is too large");
        }
        return (int) v;
    }

    /**
     * A vector length: the count must be possible given the bytes left, each element taking at
     * least {@code minElementBytes}, so a hostile count cannot make the reader allocate.
     */
    int count(int minElementBytes) {
        int at = pos;
        long n = u32();
        if (n * minElementBytes > remaining()) {
            throw WasmException.malformed(at, "length out of bounds: " + n + " elements in "
                    + remaining() + " bytes");
        }
        return (int) n;
    }

    /** A signed LEB128 number of {@code bits} bits (32, 33 or 64), sign-extended to a long. */
    long signed(int bits) {
        int start = pos;
        long result = 0;
        int maxBytes = (bits + 6) / 7;
        for (int i = 0; ; i++) {
            int b = u8();
            int shift = 7 * i;
            if (i == maxBytes - 1) {
                if ((b & 0x80) != 0) {
                    throw WasmException.malformed(start, "integer representation too long");
                }
                // The bits past the width must all repeat the sign bit.
                int used = bits - shift;
                int signAndRest = b >> (used - 1);
                int restMask = (0x7F >> (used - 1));
                if (signAndRest != 0 && signAndRest != restMask) {
                    throw WasmException.malformed(start, "integer too large");
                }
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                shift += 7;
                if (shift < 64 && (b & 0x40) != 0) {
                    result |= -1L << shift;
                }
                return result;
            }
        }
    }

    int s32() {
        return (int) signed(32);
    }

    long s64() {
        return signed(64);
    }

    int fixed32() {
        if (remaining() < 4) {
            pos = limit;
            throw unexpectedEnd();
        }
        int v = (bytes[pos] & 0xFF) | (bytes[pos + 1] & 0xFF) << 8 | (bytes[pos + 2] & 0xFF) << 16
                | (bytes[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    long fixed64() {
        long lo = fixed32() & 0xFFFFFFFFL;
        long hi = fixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    /** {@code n} raw bytes. */
    byte[] bytes(int n) {
        if (n < 0 || n > remaining()) {
            throw malformed("unexpected end: " + n + " bytes needed, " + remaining() + " left");
        }
        byte[] out = Arrays.copyOfRange(bytes, pos, pos + n);
        pos += n;
        return out;
    }

    /** A length-prefixed UTF-8 name; malformed UTF-8 is rejected. */
    String name() {
        int at = pos;
        int n = count(1);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, pos, n))
                    .toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw WasmException.malformed(at, "malformed UTF-8 encoding");
        }
    }
}
