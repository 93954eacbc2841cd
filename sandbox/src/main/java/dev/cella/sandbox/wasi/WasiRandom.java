package dev.cella.sandbox.wasi;

import java.security.SecureRandom;

/**
 * The guest's random source. By default a SplitMix64 generator seeded from the configuration, so
 * a run sees the same bytes every time and on every JVM; with host entropy granted, a
 * {@link SecureRandom}.
 */
final class WasiRandom {
    private final SecureRandom host;
    private long state;

    WasiRandom(boolean hostEntropy, long seed) {
        this.host = hostEntropy ? new SecureRandom() : null;
        this.state = seed;
    }

    /**
     * Fills {@code out[offset..offset+length)} with random bytes. The seeded generator draws one
     * 64-bit value per 8 bytes and drops the unused bytes of the last one, so the bytes a run sees
     * depend only on the seed and the sequence of lengths asked for.
     */
    void fill(byte[] out, int offset, int length) {
        if (host != null) {
            byte[] chunk = new byte[Math.min(length, 4096)];
            for (int done = 0; done < length; done += chunk.length) {
                host.nextBytes(chunk);
                System.arraycopy(chunk, 0, out, offset + done, Math.min(chunk.length, length - done));
            }
            return;
        }
        for (int i = 0; i < length; i += 8) {
            long v = next();
            for (int j = 0; j < 8 && i + j < length; j++) {
                out[offset + i + j] = (byte) (v >>> (8 * j));
            }
        }
    }

    /** SplitMix64 (Steele, Lea and Flood): one 64-bit output per step. */
    private long next() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seeded generator's state (for checkpoints; meaningless with host entropy). */
    long state() {
        return state;
    }

    /** Sets the seeded generator's state (for restoring a checkpoint). */
    void restoreState(long state) {
        this.state = state;
    }
}
