package dev.cella.sandbox.checkpoint;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads what {@link CheckpointOutput} wrote, checking every length against the bytes left in
 * the current section, so that no damaged or crafted payload can make it allocate more than the
 * payload's size or read past a section. Failures are {@link CheckpointException}s naming the
 * section and the payload offset.
 */
final class CheckpointInput {
    private final byte[] buf;
    private final String file;
    /** Where the payload starts in {@link #buf} (messages give offsets from there). */
    private final int payloadStart;
    /** The end of the payload in {@link #buf}. */
    private final int payloadEnd;
    private int pos;
    /** The end of the current section, or of the payload between sections. */
    private int end;
    private String section = "(between sections)";

    /** Reads the payload {@code buf[0..length)}; {@code file} names it in messages. */
    CheckpointInput(byte[] buf, int length, String file) {
        this(buf, 0, length, file);
    }

    /** Reads the payload {@code buf[offset..offset + length)}; {@code file} names it in messages. */
    CheckpointInput(byte[] buf, int offset, int length, String file) {
        this.buf = buf;
        this.payloadStart = offset;
        this.pos = offset;
        this.payloadEnd = offset + length;
        this.end = payloadEnd;
        this.file = file;
    }

    /** A failure of kind INVALID at the current position. */
    CheckpointException invalid(String what) {
        return new CheckpointException(CheckpointException.Kind.INVALID,
                file + ": section " + section + " at payload offset " + (pos - payloadStart) + ": " + what);
    }

    /** The tag of the section that comes next, or -1 at the end of the payload. */
    int nextTag() {
        return pos < payloadEnd ? buf[pos] & 0xFF : -1;
    }

    /**
     * Enters section {@code name}, which must come next with tag {@code tag}; reads are confined
     * to it until {@link #endSection}.
     */
    void beginSection(int tag, String name) {
        end = payloadEnd;
        int t = u8();
        if (t != tag) {
            throw invalid("expected section " + name + " (tag " + tag + "), found tag " + t);
        }
        long length = i64();
        if (length < 0 || length > payloadEnd - pos) {
            throw invalid("section " + name + " claims " + length + " bytes, but " + (payloadEnd - pos) + " are left");
        }
        section = name;
        end = (int) (pos + length);
    }

    /** Leaves the section, which must have been read to its last byte. */
    void endSection() {
        if (pos != end) {
            throw invalid((end - pos) + " unread bytes at the end of the section");
        }
        end = payloadEnd;
        section = "(between sections)";
    }

    /** True if every byte of the payload was read. */
    boolean atEnd() {
        return pos == payloadEnd;
    }

    private void need(long n) {
        if (n < 0 || n > end - pos) {
            throw invalid("needs " + n + " more bytes, but the section has " + (end - pos) + " left");
        }
    }

    int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    boolean bool() {
        int v = u8();
        if (v > 1) {
            throw invalid("boolean byte " + v);
        }
        return v == 1;
    }

    int i32() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (buf[pos++] & 0xFF) << (8 * i);
        }
        return v;
    }

    long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (buf[pos++] & 0xFFL) << (8 * i);
        }
        return v;
    }

    /**
     * A count of elements that each take at least {@code minBytes} bytes: checked against what
     * the section has left, so that a damaged count cannot cause a huge allocation.
     */
    int count(String what, int minBytes) {
        int n = i32();
        if (n < 0 || (long) n * minBytes > end - pos) {
            throw invalid(what + " count " + n + " does not fit the " + (end - pos) + " bytes left");
        }
        return n;
    }

    /** {@code n} raw bytes, copied into {@code dst[off..]}. */
    void raw(byte[] dst, int off, int n) {
        need(n);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
    }

    byte[] bytes() {
        int n = count("byte", 1);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    String string() {
        int n = count("string byte", 1);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw invalid("a string that is not UTF-8");
        }
    }

    String nullableString() {
        if (peekI32() == -1) {
            i32();
            return null;
        }
        return string();
    }

    private int peekI32() {
        int at = pos;
        int v = i32();
        pos = at;
        return v;
    }

    /** The bytes left in the current section. */
    int remainingInSection() {
        return end - pos;
    }

    /** The current payload offset. */
    int position() {
        return pos;
    }

    /** Skips {@code n} bytes of the section. */
    void skip(int n) {
        need(n);
        pos += n;
    }
}
