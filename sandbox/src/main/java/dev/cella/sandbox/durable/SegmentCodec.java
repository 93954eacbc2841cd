package dev.cella.sandbox.durable;

import dev.cella.sandbox.Outcome;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wire form of a {@link Segment} (docs/durable.md, "Segment format"): little-endian, magic
 * {@code CELLASEG}, version, the fields, and with a key an HMAC-SHA256 tag over all of it, so
 * that the output and ending travel as authenticated as the checkpoint inside.
 */
final class SegmentCodec {
    private static final byte[] MAGIC = "CELLASEG".getBytes(StandardCharsets.US_ASCII);
    private static final short VERSION = 1;
    private static final int TAG = 32;
    private static final int MAX_ID = 1024;
    private static final Outcome[] OUTCOMES = Outcome.values();

    private SegmentCodec() {}

    static byte[] encode(Segment s, byte[] key) {
        byte[] id = s.cellId().getBytes(StandardCharsets.UTF_8);
        if (id.length > MAX_ID) {
            throw new IllegalArgumentException("a cell id of " + id.length + " bytes (at most " + MAX_ID + ")");
        }
        byte[] message = s.ending().map(e -> e.message() == null ? null : e.message().getBytes(StandardCharsets.UTF_8))
                .orElse(null);
        byte[] checkpoint = s.sharedCheckpoint();
        byte[] out = s.stdout();
        byte[] err = s.stderr();
        long size = MAGIC.length + 2 + 4 + id.length + 8 + 8 + 1 + (s.isFinal() ? 1 + 4 + 4 + (message == null ? 0
                : message.length) : 0) + 12L + checkpoint.length + out.length + err.length + (key == null ? 0 : TAG);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a segment of " + size + " bytes does not fit in one array");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort(VERSION).putInt(id.length).put(id).putLong(s.seq()).putLong(s.fuelUsed());
        b.put((byte) (s.isFinal() ? 1 : 0));
        s.ending().ifPresent(e -> {
            b.put((byte) e.outcome().ordinal()).putInt(e.exitStatus());
            b.putInt(message == null ? -1 : message.length);
            if (message != null) {
                b.put(message);
            }
        });
        b.putInt(checkpoint.length).put(checkpoint).putInt(out.length).put(out).putInt(err.length).put(err);
        if (key != null) {
            b.put(tag(key, b.array(), b.position()));
        }
        return b.array();
    }

    static Segment decode(byte[] bytes, byte[] key, long maxSize) {
        if (bytes.length > maxSize) {
            throw malformed("a segment of " + bytes.length + " bytes, over the limit of " + maxSize);
        }
        int body = bytes.length;
        if (key != null) {
            body -= TAG;
            if (body < 0 || !MessageDigest.isEqual(tag(key, bytes, body), java.util.Arrays.copyOfRange(bytes, body,
                    bytes.length))) {
                throw new DurableRunException(DurableRunException.Kind.UNAUTHENTICATED,
                        "the segment is not authenticated with the given key (unsigned, another key, or changed)");
            }
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, body).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw malformed("not a segment (no CELLASEG magic)");
            }
            short version = b.getShort();
            if (version != VERSION) {
                throw malformed("segment format version " + version + ", this build reads " + VERSION);
            }
            String id = string(b, b.getInt(), MAX_ID, "cell id");
            long seq = b.getLong();
            long fuel = b.getLong();
            byte flags = b.get();
            if ((flags & ~1) != 0) {
                throw malformed("unknown flags " + flags);
            }
            Optional<Segment.Ending> ending = Optional.empty();
            if (flags == 1) {
                int o = b.get() & 0xFF;
                if (o >= OUTCOMES.length) {
                    throw malformed("unknown outcome " + o);
                }
                int status = b.getInt();
                int n = b.getInt();
                ending = Optional.of(new Segment.Ending(OUTCOMES[o], status,
                        n == -1 ? null : string(b, n, b.remaining(), "message")));
            }
            byte[] checkpoint = bytes(b, "checkpoint");
            byte[] out = bytes(b, "stdout");
            byte[] err = bytes(b, "stderr");
            if (b.hasRemaining()) {
                throw malformed(b.remaining() + " bytes after the segment");
            }
            return Segment.owning(id, seq, fuel, checkpoint, out, err, ending); // arrays made here
        } catch (BufferUnderflowException e) {
            throw malformed("truncated");
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private static byte[] bytes(ByteBuffer b, String what) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw malformed(what + " of " + n + " bytes, with " + b.remaining() + " left");
        }
        byte[] a = new byte[n];
        b.get(a);
        return a;
    }

    private static String string(ByteBuffer b, int n, int max, String what) {
        if (n < 0 || n > max || n > b.remaining()) {
            throw malformed(what + " of " + n + " bytes");
        }
        byte[] a = new byte[n];
        b.get(a);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(a)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(what + " is not UTF-8");
        }
    }

    private static byte[] tag(byte[] key, byte[] bytes, int length) {
        Mac mac = mac(key);
        mac.update(bytes, 0, length);
        return mac.doFinal();
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }

    private static DurableRunException malformed(String what) {
        return new DurableRunException(DurableRunException.Kind.MALFORMED, "malformed segment: " + what);
    }
}
