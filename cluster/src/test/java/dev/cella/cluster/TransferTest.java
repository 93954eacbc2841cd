package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A move's rounds: only the blocks that changed travel, and the image comes out equal. */
class TransferTest {
    /** Sends {@code now} against {@code base} and applies the chunks to {@code image}; returns the chunks. */
    private static List<Wire.MoveChunk> round(Transfer.Image image, byte[] base, byte[] now) {
        List<Wire.MoveChunk> sent = new ArrayList<>();
        long bytes = Transfer.send(sent::add, "s", 0, 1, base, now);
        sent.forEach(image::apply);
        assertEquals(bytes, sent.stream().mapToLong(c -> c.bytes().length).sum());
        return sent;
    }

    @Test
    void aSecondRoundSendsOnlyTheChangedBlocksAndTheLast() {
        Random random = new Random(7);
        byte[] base = new byte[40 * Transfer.BLOCK + 123];
        random.nextBytes(base);
        Transfer.Image image = new Transfer.Image(1 << 30);
        List<Wire.MoveChunk> first = round(image, null, base);
        assertArrayEquals(base, image.bytes());
        assertEquals(3, first.size(), "the whole image in chunks of at most 1 MiB");

        byte[] now = base.clone();
        now[5 * Transfer.BLOCK + 9] ^= 1;
        now[6 * Transfer.BLOCK] ^= 1; // the next block: the same chunk
        now[20 * Transfer.BLOCK + 1] ^= 1;
        List<Wire.MoveChunk> second = round(image, base, now);
        assertArrayEquals(now, image.bytes());
        assertEquals(List.of(5 * Transfer.BLOCK, 20 * Transfer.BLOCK, 40 * Transfer.BLOCK),
                second.stream().map(Wire.MoveChunk::offset).toList(), "two runs of changed blocks, then the last block");
        assertEquals(2 * Transfer.BLOCK + Transfer.BLOCK + 123, second.stream().mapToLong(c -> c.bytes().length).sum());
    }

    @Test
    void anImageOfAnotherLengthComesOutEqual() {
        Random random = new Random(8);
        byte[] base = new byte[10 * Transfer.BLOCK];
        random.nextBytes(base);
        Transfer.Image image = new Transfer.Image(1 << 30);
        round(image, null, base);
        byte[] shorter = java.util.Arrays.copyOf(base, 7 * Transfer.BLOCK + 5);
        round(image, base, shorter);
        assertArrayEquals(shorter, image.bytes());
        byte[] longer = java.util.Arrays.copyOf(shorter, 12 * Transfer.BLOCK);
        longer[longer.length - 1] = 1;
        round(image, shorter, longer);
        assertArrayEquals(longer, image.bytes());
    }

    @Test
    void aChunkPastTheLimitOrOutsideItsImageIsRefused() {
        Transfer.Image image = new Transfer.Image(1000);
        assertThrows(IllegalArgumentException.class, () -> image.apply(new Wire.MoveChunk("s", 0, 1, 1001, 0, new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> image.apply(new Wire.MoveChunk("s", 0, 1, 10, 9, new byte[2])));
        assertThrows(IllegalArgumentException.class, () -> image.apply(new Wire.MoveChunk("s", 0, 1, 10, -1, new byte[1])));
    }
}
