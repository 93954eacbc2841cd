package dev.cella.cluster;

import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.durable.Segment;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Copies a durable cell's segment (its wire form, {@code Segment.toBytes}) from the member it
 * leaves to the member it moves to, in {@link Wire.MoveChunk}s of at most {@link #CHUNK} bytes,
 * either whole or only the blocks of {@link #BLOCK} bytes that differ from the image sent in the
 * previous round (docs/cluster.md, "Moving a cell").
 *
 * <p>Why blocks of the wire form compare: a checkpoint lays out the cell's memory as its
 * non-zero 64 KiB pages in order, after sections whose sizes do not change while the cell runs
 * (its module, configuration, instance), so a page the cell did not write since the previous
 * round lies at the same offset with the same bytes. The comparison costs a pass over both
 * images and nothing while the cell runs (no dirty-page tracking in the engines). A page that
 * turns from zero to non-zero shifts what follows it, which then is sent again: correct, only
 * larger.
 *
 * <p>A move's last round is usually a delta over the first round (the pages changed since,
 * {@code CheckpointDelta}), which is sent whole ({@code base} null); the comparison of blocks
 * serves a last round that is whole (the first round's checkpoint not decoded yet).
 */
final class Transfer {
    /** The unit compared and sent: a memory page's size, so that an unchanged page is skipped whole. */
    static final int BLOCK = 64 * 1024;
    /** The most bytes in one message, so that no message comes near Pekko's frame limit. */
    static final int CHUNK = 1 << 20;

    private Transfer() {}

    /**
     * The member process's CPU time in ns, for a move's log lines: a cell runs on a virtual
     * thread, whose own CPU time the JVM does not measure, and during the pause the member does
     * little else than the move (0 where the platform does not say; Linux counts it in 10 ms
     * ticks).
     */
    static long cpu() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /**
     * Decodes the checkpoint of {@code seg}, a move's first round, on a thread of its own, and
     * gives it to {@code into}: the base the last round is taken against as a delta (nothing if
     * it does not decode, our own run's checkpoint: the last round then goes whole).
     */
    static void decodeBase(Segment seg, CellConfig config, Consumer<Checkpoint> into) {
        Thread.ofVirtual().name("cella-base-" + seg.cellId()).start(() -> {
            try {
                into.accept(Checkpoint.fromBytes(seg.checkpoint(), "segment " + seg.seq() + " of " + seg.cellId(), null,
                        Checkpoint.maxPayload(config)));
            } catch (RuntimeException x) {
                System.getLogger("dev.cella.cluster").log(System.Logger.Level.WARNING,
                        "the first round of {0} does not decode: {1}", seg.cellId(), x.getMessage());
            }
        });
    }

    /** Nanoseconds as milliseconds with one decimal, for the log lines. */
    static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /**
     * Sends the blocks of {@code now} that differ from {@code base} (all of them if {@code base}
     * is null) to {@code dest} (the destination's {@code tell}) as chunks of the move of cell {@code index} of {@code submission}
     * under {@code epoch}.
     *
     * @return how many bytes were sent
     */
    static long send(Consumer<? super Wire.MoveChunk> dest, String submission, int index, int epoch, byte[] base, byte[] now) {
        long sent = 0;
        int off = 0;
        while (off < now.length) {
            if (same(base, now, off)) {
                off += BLOCK;
                continue;
            }
            int start = off;
            while (off < now.length && off - start < CHUNK && !same(base, now, off)) {
                off += BLOCK;
            }
            int end = Math.min(off, now.length);
            dest.accept(new Wire.MoveChunk(submission, index, epoch, now.length, start, Arrays.copyOfRange(now, start, end)));
            sent += end - start;
        }
        return sent;
    }

    /**
     * True if the block of {@code now} at {@code off} is in {@code base} at the same place. The
     * last block is always sent: its chunk carries the image's length to the receiver.
     */
    private static boolean same(byte[] base, byte[] now, int off) {
        int end = off + BLOCK;
        return base != null && end < now.length && end <= base.length && Arrays.equals(base, off, end, now, off, end);
    }

    /**
     * The receiving side: the image being put together from the chunks of every round. A round
     * sends only what differs from the previous round's image, so the image is kept between
     * rounds and resized to each round's length.
     */
    static final class Image {
        private final long maxSize;
        private byte[] bytes = new byte[0];

        /** @param maxSize the largest wire form the cell may have ({@code Segment.maxSize}): a peer's claim past it is refused */
        Image(long maxSize) {
            this.maxSize = maxSize;
        }

        /**
         * Writes a chunk into the image.
         *
         * @throws IllegalArgumentException if the chunk claims a size past the limit or lies outside its total
         */
        void apply(Wire.MoveChunk c) {
            if (c.total() < 0 || c.total() > maxSize || c.offset() < 0
                    || (long) c.offset() + c.bytes().length > c.total()) {
                throw new IllegalArgumentException("a chunk of " + c.bytes().length + " bytes at " + c.offset()
                        + " of an image of " + c.total() + " bytes (at most " + maxSize + ")");
            }
            if (bytes.length != c.total()) {
                bytes = Arrays.copyOf(bytes, c.total());
            }
            System.arraycopy(c.bytes(), 0, bytes, c.offset(), c.bytes().length);
        }

        /** The image as the last round left it (not copied). */
        byte[] bytes() {
            return bytes;
        }
    }
}
