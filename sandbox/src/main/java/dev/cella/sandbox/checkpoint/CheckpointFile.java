package dev.cella.sandbox.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The checkpoint file's frame: a 68-byte header, then the payload (see docs/checkpoint.md).
 *
 * <pre>
 *   0  8  magic "CELLACKP"
 *   8  2  format version (u16 LE), {@link #VERSION}
 *  10  2  flags (u16 LE): bit 0 = payload deflated; bit 1 = authenticated; bit 2 = a delta
 *          ({@link CheckpointDelta}, never deflated); other bits must be 0
 *  12 32  SHA-256 of the module binary
 *  44  8  stored payload length (u64 LE)
 *  52  8  payload length once inflated (equal to the stored length if not deflated)
 *  60  4  CRC-32C of the stored payload
 *  64  4  CRC-32C of header bytes 0..63
 *  68     payload
 *  then, if authenticated, 32 bytes: HMAC-SHA256 of everything before them
 * </pre>
 *
 * The reader checks, in this order: length, magic, header CRC, version and flags, payload
 * lengths (against the caller's limit too, before anything is allocated), the HMAC when given a
 * key, payload CRC, then inflates (into a buffer that grows only as bytes actually come out, so
 * a small file cannot make it allocate what its header claims); each failure has its own {@link
 * CheckpointException.Kind}.
 */
final class CheckpointFile {
    static final byte[] MAGIC = "CELLACKP".getBytes(StandardCharsets.US_ASCII);
    /** The format version this build writes and reads. */
    static final int VERSION = 3;
    static final int FLAG_DEFLATED = 1;
    static final int FLAG_AUTHENTICATED = 2;
    static final int FLAG_DELTA = 4;
    static final int HEADER_SIZE = 68;
    /** The HMAC-SHA256 tag's size, after the payload of an authenticated file. */
    static final int MAC_SIZE = 32;
    private static final String MAC = "HmacSHA256";

    private CheckpointFile() {}

    /**
     * A checked, inflated payload and the module hash from its header; {@code payloadCrc} is the
     * payload's CRC-32C from the header, or -1 if it was deflated (the header's is the stored bytes').
     */
    record Framed(byte[] moduleSha256, byte[] payload, int payloadOffset, int payloadLength, long payloadCrc) {}

    /**
     * Writes the header and {@code payload[0..length)}, deflated if {@code deflate}, and with
     * {@code key} (null for none) an HMAC-SHA256 tag of both.
     */
    static void write(OutputStream out, byte[] moduleSha256, byte[] payload, int length, boolean deflate, byte[] key)
            throws IOException {
        write(out, moduleSha256, payload, 0, length, deflate, key);
    }

    /** Writes the payload {@code payload[offset..offset + length)} (see the method above). */
    static void write(OutputStream out, byte[] moduleSha256, byte[] payload, int offset, int length, boolean deflate,
            byte[] key) throws IOException {
        write(out, moduleSha256, payload, offset, length, deflate, key, false);
    }

    /** Writes a whole checkpoint's frame, or a delta's if {@code delta} (never deflated). */
    static void write(OutputStream out, byte[] moduleSha256, byte[] payload, int offset, int length, boolean deflate,
            byte[] key, boolean delta) throws IOException {
        byte[] stored = payload;
        int storedFrom = offset;
        int storedLength = length;
        if (deflate) {
            ByteArrayOutputStream z = new ByteArrayOutputStream(Math.max(64, length / 4));
            Deflater deflater = new Deflater(Deflater.BEST_SPEED);
            try (DeflaterOutputStream d = new DeflaterOutputStream(z, deflater, 1 << 16)) {
                d.write(payload, offset, length);
            } finally {
                deflater.end();
            }
            stored = z.toByteArray();
            storedFrom = 0;
            storedLength = stored.length;
        }
        byte[] h = new byte[HEADER_SIZE];
        System.arraycopy(MAGIC, 0, h, 0, 8);
        put(h, 8, VERSION, 2);
        put(h, 10, (deflate ? FLAG_DEFLATED : 0) | (key != null ? FLAG_AUTHENTICATED : 0) | (delta ? FLAG_DELTA : 0), 2);
        System.arraycopy(moduleSha256, 0, h, 12, 32);
        put(h, 44, storedLength, 8);
        put(h, 52, length, 8);
        put(h, 60, crc(stored, storedFrom, storedLength), 4);
        put(h, 64, crc(h, 0, 64), 4);
        out.write(h);
        out.write(stored, storedFrom, storedLength);
        if (key != null) {
            Mac mac = mac(key);
            mac.update(h);
            mac.update(stored, storedFrom, storedLength);
            out.write(mac.doFinal());
        }
    }

    /**
     * Checks the frame of {@code file[0..length)} and returns its payload.
     *
     * @param name the file's name, for messages
     * @param key the HMAC key the file must be authenticated with, or null to accept any file
     *     (an authenticated one's tag is then not checked)
     * @param maxPayload the largest payload (inflated) the caller accepts
     * @throws CheckpointException NOT_A_CHECKPOINT, UNSUPPORTED_VERSION, CORRUPT, TOO_LARGE or
     *     UNAUTHENTICATED
     */
    static Framed read(byte[] file, int length, String name, byte[] key, long maxPayload) {
        return read(file, length, name, key, maxPayload, false);
    }

    /**
     * Checks the frame of a whole checkpoint, or of a delta if {@code delta} (see above).
     *
     * @throws CheckpointException BASE_MISMATCH if the file is a delta and a whole checkpoint is
     *     read, or the other way round; else as above
     */
    static Framed read(byte[] file, int length, String name, byte[] key, long maxPayload, boolean delta) {
        if (length < 8 || !Arrays.equals(file, 0, 8, MAGIC, 0, 8)) {
            throw new CheckpointException(CheckpointException.Kind.NOT_A_CHECKPOINT,
                    name + " is not a Cella checkpoint (it does not start with \"CELLACKP\")");
        }
        if (length < HEADER_SIZE) {
            throw corrupt(name, "truncated header: " + length + " of " + HEADER_SIZE + " bytes");
        }
        long headerCrc = get(file, 64, 4);
        if (headerCrc != crc(file, 0, 64)) {
            throw corrupt(name, "header checksum mismatch");
        }
        int version = (int) get(file, 8, 2);
        int flags = (int) get(file, 10, 2);
        if (version != VERSION) {
            throw new CheckpointException(CheckpointException.Kind.UNSUPPORTED_VERSION, name
                    + " is a checkpoint of format version " + version + "; this build reads version " + VERSION);
        }
        if ((flags & ~(FLAG_DEFLATED | FLAG_AUTHENTICATED | FLAG_DELTA)) != 0) {
            throw new CheckpointException(CheckpointException.Kind.UNSUPPORTED_VERSION, name
                    + " uses format flags 0x" + Integer.toHexString(flags) + " that this build does not know");
        }
        boolean deflated = (flags & FLAG_DEFLATED) != 0;
        if (((flags & FLAG_DELTA) != 0) != delta) {
            throw new CheckpointException(CheckpointException.Kind.BASE_MISMATCH, name + (delta
                    ? " is a whole checkpoint, not a delta" : " is a delta checkpoint: it restores only over the checkpoint"
                    + " it was taken against (CheckpointDelta)"));
        }
        if (delta && deflated) {
            throw corrupt(name, "a delta is never deflated");
        }
        boolean authenticated = (flags & FLAG_AUTHENTICATED) != 0;
        long stored = get(file, 44, 8);
        long full = get(file, 52, 8);
        long body = length - HEADER_SIZE - (authenticated ? MAC_SIZE : 0);
        if (stored != body) {
            throw corrupt(name, "the header says " + stored + " payload bytes, the file has " + Math.max(0, body));
        }
        if (full < 0 || full > CheckpointOutput.MAX_PAYLOAD || (!deflated && full != stored)) {
            throw corrupt(name, "impossible payload length " + full);
        }
        if (full > maxPayload) {
            throw tooLarge(name, full, maxPayload);
        }
        if (key != null) {
            if (!authenticated) {
                throw new CheckpointException(CheckpointException.Kind.UNAUTHENTICATED,
                        name + " is not authenticated, and a checkpoint key was given");
            }
            Mac mac = mac(key);
            mac.update(file, 0, (int) (HEADER_SIZE + stored));
            if (!MessageDigest.isEqual(mac.doFinal(), Arrays.copyOfRange(file, (int) (HEADER_SIZE + stored), length))) {
                throw new CheckpointException(CheckpointException.Kind.UNAUTHENTICATED,
                        name + " was not written with this checkpoint key, or was changed since");
            }
        }
        if (get(file, 60, 4) != crc(file, HEADER_SIZE, (int) stored)) {
            throw corrupt(name, "payload checksum mismatch (CRC-32C)");
        }
        byte[] sha = Arrays.copyOfRange(file, 12, 44);
        if (!deflated) {
            // Not copied: the payload is read where it lies (the caller hands the file over, and a
            // checkpoint is megabytes, restored inside a move's pause, docs/cluster.md "Moving a cell").
            return new Framed(sha, file, HEADER_SIZE, (int) full, get(file, 60, 4));
        }
        return new Framed(sha, inflate(file, (int) stored, (int) full, name), 0, (int) full, -1);
    }

    /** True if {@code bytes} start with a checkpoint header whose flags say it is a delta (nothing else is checked). */
    static boolean isDelta(byte[] bytes) {
        return bytes.length >= HEADER_SIZE && Arrays.equals(bytes, 0, 8, MAGIC, 0, 8) && (get(bytes, 10, 2) & FLAG_DELTA) != 0;
    }

    /**
     * The largest file that can hold a payload of {@code maxPayload} bytes: deflate may make
     * incompressible data slightly larger (5 bytes per 16 KiB block, plus its own header).
     */
    static long maxFileSize(long maxPayload) {
        long payload = Math.min(maxPayload, CheckpointOutput.MAX_PAYLOAD);
        return HEADER_SIZE + payload + payload / 1024 + 1024 + MAC_SIZE;
    }

    static CheckpointException tooLarge(String name, long size, long max) {
        return new CheckpointException(CheckpointException.Kind.TOO_LARGE, name + " holds a payload of " + size
                + " bytes, more than the " + max + " this restore accepts (see docs/checkpoint.md, \"Limits\")");
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(new SecretKeySpec(key, MAC));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java platform has " + MAC + " and takes any non-empty key", e);
        }
    }

    /**
     * Inflates the stored payload into exactly {@code full} bytes. The buffer starts small and
     * doubles only as inflated bytes fill it, so what is allocated follows what the data really
     * holds (deflate expands at most about 1000 to 1), never what the header claims.
     */
    private static byte[] inflate(byte[] file, int stored, int full, String name) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(file, HEADER_SIZE, stored);
            byte[] out = new byte[(int) Math.min(full, Math.max(1 << 16, 4L * stored))];
            int n = 0;
            while (n < full && !inflater.finished()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(full, 2L * out.length));
                }
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != full || !inflater.finished()) {
                throw corrupt(name, "the deflated payload does not inflate to " + full + " bytes");
            }
            return out;
        } catch (DataFormatException e) {
            throw corrupt(name, "the deflated payload is damaged: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static CheckpointException corrupt(String name, String what) {
        return new CheckpointException(CheckpointException.Kind.CORRUPT, name + " is damaged: " + what);
    }

    static long crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return c.getValue();
    }

    private static void put(byte[] b, int at, long v, int width) {
        for (int i = 0; i < width; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static long get(byte[] b, int at, int width) {
        long v = 0;
        for (int i = 0; i < width; i++) {
            v |= (b[at + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    static String hex(byte[] sha) {
        return HexFormat.of().formatHex(sha);
    }
}
