package dev.cella.net;

/**
 * A cell's network limits. Each refusal is an errno the guest can cope with, never the end of
 * its run: too many sockets is EMFILE, connecting too often EAGAIN, sending or receiving past the
 * byte quotas EDQUOT (docs/network.md, "Quotas").
 *
 * @param maxSockets sockets (listening or connected) the cell may have open at once
 * @param maxConnectsPerSecond connections the cell may open per second (a one-second window)
 * @param maxBytesOut bytes the cell may send in all
 * @param maxBytesIn bytes the cell may receive in all
 * @param bufferBytes each direction of a connection buffers this many bytes (the backpressure point)
 */
public record NetQuotas(int maxSockets, int maxConnectsPerSecond, long maxBytesOut, long maxBytesIn,
        int bufferBytes) {
    public static final int DEFAULT_MAX_SOCKETS = 64;
    public static final int DEFAULT_BUFFER_BYTES = 128 * 1024;
    public static final NetQuotas DEFAULT = new NetQuotas(DEFAULT_MAX_SOCKETS, Integer.MAX_VALUE, Long.MAX_VALUE,
            Long.MAX_VALUE, DEFAULT_BUFFER_BYTES);

    public NetQuotas {
        if (maxSockets < 0 || maxConnectsPerSecond < 0 || maxBytesOut < 0 || maxBytesIn < 0) {
            throw new IllegalArgumentException("network quotas must not be negative");
        }
        if (bufferBytes < 1 || bufferBytes > 64 << 20) {
            throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes is not in 1..64M");
        }
    }

    public NetQuotas withMaxSockets(int n) {
        return new NetQuotas(n, maxConnectsPerSecond, maxBytesOut, maxBytesIn, bufferBytes);
    }

    public NetQuotas withMaxConnectsPerSecond(int n) {
        return new NetQuotas(maxSockets, n, maxBytesOut, maxBytesIn, bufferBytes);
    }

    public NetQuotas withMaxBytesOut(long n) {
        return new NetQuotas(maxSockets, maxConnectsPerSecond, n, maxBytesIn, bufferBytes);
    }

    public NetQuotas withMaxBytesIn(long n) {
        return new NetQuotas(maxSockets, maxConnectsPerSecond, maxBytesOut, n, bufferBytes);
    }

    public NetQuotas withBufferBytes(int n) {
        return new NetQuotas(maxSockets, maxConnectsPerSecond, maxBytesOut, maxBytesIn, n);
    }
}
