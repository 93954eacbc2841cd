package dev.cella.images;

import java.io.ByteArrayOutputStream;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzip (RFC 1952) of a byte array, compressed in 1 MiB chunks on all cores and joined into one
 * ordinary deflate stream, as pigz does: each chunk is deflated at the default level with the 32
 * KiB before it as a preset dictionary (so matches reach back across the cut, and the size stays
 * within a fraction of a percent of one serial stream), and ends with a sync flush (an empty
 * stored block) so that the next chunk starts on a byte boundary; the last chunk ends the stream.
 * Any gunzip reads it.
 *
 * <p>Deterministic: the chunks are cut at fixed offsets and each is compressed from its own
 * bytes and dictionary alone, so the output does not depend on the number of threads or their
 * timing. The header has no time stamp and no name.
 */
final class ParallelGzip {
    private ParallelGzip() {}

    private static final int CHUNK = 1 << 20;
    private static final int WINDOW = 32 << 10;
    /** ID1 ID2, CM deflate, no flags, MTIME 0, XFL 0, OS unknown (255). */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    static byte[] gzip(byte[] data) {
        int chunks = Math.max(1, (data.length + CHUNK - 1) / CHUNK);
        byte[][] parts = new byte[chunks][];
        IntStream.range(0, chunks).parallel().forEach(i -> parts[i] = deflate(data, i, i == chunks - 1));
        CRC32 crc = new CRC32();
        crc.update(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER.length + data.length / 3 + 16);
        out.writeBytes(HEADER);
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        int c = (int) crc.getValue();
        int n = data.length; // ISIZE is the length modulo 2^32
        out.writeBytes(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
            (byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
        return out.toByteArray();
    }

    /** The raw deflate data of chunk {@code i}: sync-flushed, or finishing the stream if {@code last}. */
    private static byte[] deflate(byte[] data, int i, boolean last) {
        int off = i * CHUNK;
        int len = Math.min(CHUNK, data.length - off);
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            if (off > 0) {
                int dict = Math.min(WINDOW, off);
                d.setDictionary(data, off - dict, dict);
            }
            d.setInput(data, off, len);
            ByteArrayOutputStream out = new ByteArrayOutputStream(len / 2 + 64);
            byte[] buf = new byte[64 << 10];
            if (last) {
                d.finish();
                while (!d.finished()) {
                    out.write(buf, 0, d.deflate(buf));
                }
            } else {
                // A sync flush has written everything once it leaves room in the buffer.
                int n;
                do {
                    n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                    out.write(buf, 0, n);
                } while (n == buf.length);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }
}
