package dev.cella.sandbox.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.sandbox.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The segment's wire form: round trips, keys, limits, and damaged bytes refused with a typed error. */
class SegmentCodecTest {
    private static final byte[] KEY = "replication key".getBytes(StandardCharsets.UTF_8);
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    private static Segment suspended() {
        return new Segment("cell-é", 7, 123_456, new byte[] {1, 2, 3, 4}, "out\n".getBytes(StandardCharsets.UTF_8),
                "err\n".getBytes(StandardCharsets.UTF_8), Optional.empty());
    }

    private static Segment ended(String message) {
        return new Segment("c", 0, 99, new byte[0], new byte[0], new byte[] {9},
                Optional.of(new Segment.Ending(Outcome.TRAPPED, -1, message)));
    }

    @Test
    void segmentsRoundTripWithAndWithoutAKey() {
        for (Segment s : new Segment[] {suspended(), ended("trap: unreachable at main+3"), ended(null)}) {
            assertEquals(s, Segment.fromBytes(s.toBytes(null), null, 1 << 20));
            assertEquals(s, Segment.fromBytes(s.toBytes(KEY), KEY, 1 << 20));
        }
    }

    @Test
    void aKeyAuthenticatesTheOutputAsWellAsTheCheckpoint() {
        byte[] bytes = suspended().toBytes(KEY);
        assertKind(DurableRunException.Kind.UNAUTHENTICATED, () -> Segment.fromBytes(bytes, "other".getBytes(), 1 << 20));
        assertKind(DurableRunException.Kind.UNAUTHENTICATED, () -> Segment.fromBytes(suspended().toBytes(null), KEY, 1 << 20));
        byte[] forged = bytes.clone();
        forged[forged.length - 40] ^= 1; // in stderr, outside the checkpoint
        assertKind(DurableRunException.Kind.UNAUTHENTICATED, () -> Segment.fromBytes(forged, KEY, 1 << 20));
        assertKind(DurableRunException.Kind.MALFORMED, () -> Segment.fromBytes(bytes, null, 1 << 20)); // the tag is trailing bytes
    }

    @Test
    void aSegmentOverTheLimitIsRefusedBeforeItIsRead() {
        byte[] bytes = suspended().toBytes(null);
        assertKind(DurableRunException.Kind.MALFORMED, () -> Segment.fromBytes(bytes, null, bytes.length - 1));
    }

    @Test
    void theLargestSegmentOfACellFitsItsMaxSize() {
        dev.cella.sandbox.CellConfig config = dev.cella.sandbox.CellConfig.builder().memoryLimit(1 << 20).diskQuota(0)
                .maxOutput(1000).build();
        long max = Segment.maxSize(config);
        assertTrue(max >= dev.cella.sandbox.checkpoint.Checkpoint.maxPayload(config) + 1000 + 200, "" + max);
        assertEquals(Integer.MAX_VALUE, Segment.maxSize(dev.cella.sandbox.CellConfig.builder()
                .memoryLimit(dev.cella.sandbox.CellConfig.UNLIMITED).build()));
    }

    @Test
    void damagedBytesAreRefusedWithATypedErrorOrReadAsAnotherSegment() {
        qt().withExamples(EXAMPLES).forAll(longs().all(), integers().between(0, 2)).checkAssert((seed, how) -> {
            Random r = new Random(seed);
            byte[] bytes = (r.nextBoolean() ? suspended() : ended("m")).toBytes(null);
            byte[] damaged = switch (how) {
                case 0 -> Arrays.copyOf(bytes, r.nextInt(bytes.length));
                case 1 -> {
                    byte[] d = bytes.clone();
                    for (int i = 0; i < 1 + r.nextInt(4); i++) {
                        d[r.nextInt(d.length)] = (byte) r.nextInt(256);
                    }
                    yield d;
                }
                default -> {
                    byte[] d = Arrays.copyOf(bytes, bytes.length + 1 + r.nextInt(8));
                    d[bytes.length] = (byte) r.nextInt(256);
                    yield d;
                }
            };
            try {
                Segment.fromBytes(damaged, null, 1 << 20);
            } catch (DurableRunException e) {
                assertEquals(DurableRunException.Kind.MALFORMED, e.kind(), e.getMessage());
            }
        });
    }

    private static void assertKind(DurableRunException.Kind kind, Runnable r) {
        assertEquals(kind, assertThrows(DurableRunException.class, r::run).kind());
    }
}
