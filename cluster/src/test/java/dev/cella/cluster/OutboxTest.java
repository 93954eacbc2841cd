package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A member's batched messages (docs/cluster.md, "Batched messages"): per destination, in order, bounded. */
@Timeout(30)
class OutboxTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Wire.SegmentAck ack(int index) {
        return new Wire.SegmentAck("s", index, 1, 0, true);
    }

    /** What {@code peer} got until nothing more comes for a moment, batches opened. */
    private static List<List<Wire>> received(RawClient peer) throws InterruptedException {
        List<List<Wire>> got = new ArrayList<>();
        for (Msg m = peer.next(WAIT); m != null; m = peer.next(Duration.ofMillis(300))) {
            got.add(m instanceof Wire.Batch b ? b.messages() : List.of((Wire) m));
        }
        return got;
    }

    @Test
    void whatIsQueuedBetweenTwoFlushesLeavesAsOneBatchPerDestinationInOrder() throws Exception {
        AtomicInteger signals = new AtomicInteger();
        Outbox out = new Outbox(signals::incrementAndGet, true);
        try (RawClient a = new RawClient(); RawClient b = new RawClient()) {
            // a's actor is local to the outbox, b's is reached over loopback (encoded, as between members).
            ActorRef<Msg> toB = a.remote(b);
            for (int i = 0; i < 10; i++) {
                out.send(i % 3 == 0 ? toB : a.self(), ack(i));
            }
            assertEquals(1, signals.get(), "one flush asked for, however many messages");
            assertNull(a.next(Duration.ofMillis(200)), "nothing leaves before the flush");
            out.flush();
            assertEquals(List.of(List.of(ack(1), ack(2), ack(4), ack(5), ack(7), ack(8))), received(a));
            assertEquals(List.of(List.of(ack(0), ack(3), ack(6), ack(9))), received(b));

            // One message alone travels as itself; the next message asks for a flush again.
            out.send(a.self(), ack(42));
            assertEquals(2, signals.get());
            out.flush();
            assertInstanceOf(Wire.SegmentAck.class, a.next(WAIT));
        }
    }

    @Test
    void batchesAreBoundedInCountAndBytesAndKeepTheOrder() throws Exception {
        Outbox out = new Outbox(() -> { }, true);
        try (RawClient a = new RawClient()) {
            int n = Outbox.MAX_ITEMS + 10;
            for (int i = 0; i < n; i++) {
                out.send(a.self(), ack(i));
            }
            // Two segments of 600 KiB: together past MAX_BATCH, so each starts a batch of its own.
            byte[] big = new byte[600 << 10];
            Wire.SegmentCommit c1 = new Wire.SegmentCommit("s", 1, 1, "m", big, a.self());
            Wire.SegmentCommit c2 = new Wire.SegmentCommit("s", 2, 1, "m", big, a.self());
            out.send(a.self(), c1);
            out.send(a.self(), c2);
            out.flush();
            List<List<Wire>> got = received(a);
            List<Wire> all = new ArrayList<>();
            got.forEach(all::addAll);
            assertEquals(n + 2, all.size());
            for (int i = 0; i < n; i++) {
                assertEquals(ack(i), all.get(i));
            }
            assertEquals(List.of(c1, c2), all.subList(n, n + 2));
            for (List<Wire> batch : got) {
                assertTrue(batch.size() <= Outbox.MAX_ITEMS, "a batch of " + batch.size());
                assertTrue(batch.stream().mapToLong(WireSerializer::sizeHint).sum() <= Outbox.MAX_BATCH
                        || batch.size() == 1, "a batch of " + batch.size() + " too large");
            }
            assertEquals(3, got.size(), "full, then the rest of the acks with the first segment, then the second");
        }
    }

    @Test
    void withoutBatchingEveryMessageLeavesAtOnceAlone() throws Exception {
        AtomicInteger signals = new AtomicInteger();
        Outbox out = new Outbox(signals::incrementAndGet, false);
        try (RawClient a = new RawClient()) {
            out.send(a.self(), ack(1));
            out.send(a.self(), ack(2));
            assertEquals(List.of(List.of(ack(1)), List.of(ack(2))), received(a));
            assertEquals(0, signals.get());
        }
    }
}
