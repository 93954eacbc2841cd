package dev.cella.sandbox.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;

/**
 * The checkpoint file's frame: a 68-byte header, then the payload (see docs/checkpoint.md).
 *
 * <pre>
 *   0  8  magic "CELLACKP"
 *   8  2  format version (u16 LE), {@link #VERSION}
 *  10  2  flags (u16 LE): bit 0 = payload deflated; other bits must be 0
 *  12 32  SHA-256 of the module binary
 *  44  8  stored payload length (u64 LE)
 *  52  8  payload length once inflated (equal to the stored length if not deflated)
 *  60  4  CRC-32C of the stored payload
 *  64  4  CRC-32C of header bytes 0..63
 *  68     payload
 * </pre>
 *
 * The reader checks, in this order: length, magic, header CRC, version and flags, payload
 * length, payload CRC, then inflates; each failure has its own {@link CheckpointException.Kind}.
 */
final class CheckpointFile {
    static final byte[] MAGIC = "CELLACKP".getBytes(StandardCharsets.US_ASCII);
    /** The format version this build writes and reads. */
    static final int VERSION = 1;
    static final int FLAG_DEFLATED = 1;
    static final int HEADER_SIZE = 68;

    private CheckpointFile() {}

    /** A checked, inflated payload and the module hash from its header. */
    record Framed(byte[] moduleSha256, byte[] payload, int payloadLength) {}

    /** Writes the header and {@code payload[0..length)}, deflated if {@code deflate}. */
    static void write(OutputStream out, byte[] moduleSha256, byte[] payload, int length, boolean deflate)
            throws IOException {
        byte[] stored = payload;
        int storedLength = length;
        if (deflate) {
            ByteArrayOutputStream z = new ByteArrayOutputStream(Math.max(64, length / 4));
            Deflater deflater = new Deflater(Deflater.BEST_SPEED);
            try (DeflaterOutputStream d = new DeflaterOutputStream(z, deflater, 1 << 16)) {
                d.write(payload, 0, length);
            } finally {
                deflater.end();
            }
            stored = z.toByteArray();
            storedLength = stored.length;
        }
        byte[] h = new byte[HEADER_SIZE];
        System.arraycopy(MAGIC, 0, h, 0, 8);
        put(h, 8, VERSION, 2);
        put(h, 10, deflate ? FLAG_DEFLATED : 0, 2);
        System.arraycopy(moduleSha256, 0, h, 12, 32);
        put(h, 44, storedLength, 8);
        put(h, 52, length, 8);
        put(h, 60, crc(stored, 0, storedLength), 4);
        put(h, 64, crc(h, 0, 64), 4);
        out.write(h);
        out.write(stored, 0, storedLength);
    }

    /**
     * Checks the frame of {@code file[0..length)} and returns its payload.
     *
     * @param name the file's name, for messages
     * @throws CheckpointException NOT_A_CHECKPOINT, UNSUPPORTED_VERSION or CORRUPT
     */
    static Framed read(byte[] file, int length, String name) {
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
        if ((flags & ~FLAG_DEFLATED) != 0) {
            throw new CheckpointException(CheckpointException.Kind.UNSUPPORTED_VERSION, name
                    + " uses format flags 0x" + Integer.toHexString(flags) + " that this build does not know");
        }
        long stored = get(file, 44, 8);
        long full = get(file, 52, 8);
        if (stored != length - HEADER_SIZE) {
            throw corrupt(name, "the header says " + stored + " payload bytes, the file has " + (length - HEADER_SIZE));
        }
        if (full < 0 || full > CheckpointOutput.MAX_PAYLOAD || ((flags & FLAG_DEFLATED) == 0 && full != stored)) {
            throw corrupt(name, "impossible payload length " + full);
        }
        if (get(file, 60, 4) != crc(file, HEADER_SIZE, (int) stored)) {
            throw corrupt(name, "payload checksum mismatch (CRC-32C)");
        }
        byte[] sha = Arrays.copyOfRange(file, 12, 44);
        if ((flags & FLAG_DEFLATED) == 0) {
            return new Framed(sha, Arrays.copyOfRange(file, HEADER_SIZE, length), (int) full);
        }
        return new Framed(sha, inflate(file, (int) stored, (int) full, name), (int) full);
    }

    private static byte[] inflate(byte[] file, int stored, int full, String name) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(file, HEADER_SIZE, stored);
            byte[] out = new byte[full];
            int n = 0;
            while (n < full && !inflater.finished()) {
                int got = inflater.inflate(out, n, full - n);
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
