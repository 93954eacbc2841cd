package dev.cella.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A member's per-cell messages to other members, sent as one {@link Wire.Batch} per destination
 * (docs/cluster.md, "Batched messages"): the runs a coordinator places, the segments and ends its
 * cells commit, the acknowledgements it answers them with. What is queued here leaves when the
 * member's actor handles the {@link #FLUSH} it was sent when the queue stopped being empty, so
 * whatever was queued in between (the runs of one placement, the commits of cells that ended
 * while the actor was busy) travels in one message; an idle member sends at once, one hop late.
 *
 * <p>Order: messages to one destination leave in the order they were queued, and a batch is
 * handled item by item in that order (the actor's order per sender, as single messages would
 * be). Messages whose order relative to these matters go through here too (a cell's commits and
 * its end); the rest (moves, replication, loads) may overtake them, as they could before.
 *
 * <p>A batch stays below {@link #MAX_BATCH} bytes (about, by {@link WireSerializer#sizeHint}),
 * well inside a message's 16 MiB; a message larger than that alone travels as itself.
 *
 * <p>Thread-safe: {@link #send} is called by the actor and by durable runs' threads; {@link
 * #flush} only by the actor.
 */
final class Outbox {
    /** Tells the actor to {@link #flush}; local, never on the wire. */
    enum Flush implements Msg { INSTANCE }

    static final Flush FLUSH = Flush.INSTANCE;
    /** The most bytes (about) in one batch. */
    static final int MAX_BATCH = 1 << 20;
    /** The most messages in one batch (each is handled by the receiving actor in one turn). */
    static final int MAX_ITEMS = 512;

    private record Item(ActorRef<Msg> to, Wire message) {}

    /** Gets {@link #FLUSH} to the actor (tells it to itself). */
    private final Runnable signal;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    /** True while a {@link #FLUSH} is on its way to the actor. */
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final boolean batching;

    /**
     * @param signal tells the member's actor {@link #FLUSH}, which it handles by calling {@link
     *     #flush}; called once per flush needed, from any thread
     * @param batching false to send every message at once and alone (the A/B figures of
     *     docs/cluster.md, "Measured")
     */
    Outbox(Runnable signal, boolean batching) {
        this.signal = signal;
        this.batching = batching;
    }

    /** Queues {@code message} for {@code to}. */
    void send(ActorRef<Msg> to, Wire message) {
        if (!batching) {
            to.tell(message);
            return;
        }
        queue.add(new Item(to, message));
        if (flushing.compareAndSet(false, true)) {
            signal.run();
        }
    }

    /** Sends what is queued: per destination, in order, in batches. */
    void flush() {
        flushing.set(false); // before draining: a message queued from now on sends another FLUSH
        Map<ActorRef<Msg>, List<Wire>> byDest = new LinkedHashMap<>();
        for (Item i = queue.poll(); i != null; i = queue.poll()) {
            byDest.computeIfAbsent(i.to(), k -> new ArrayList<>()).add(i.message());
        }
        byDest.forEach(Outbox::sendAll);
    }

    /** Sends {@code messages} to {@code to} in order: consecutive runs of them as batches. */
    private static void sendAll(ActorRef<Msg> to, List<Wire> messages) {
        List<Wire> batch = new ArrayList<>();
        long bytes = 0;
        for (Wire m : messages) {
            int size = WireSerializer.sizeHint(m);
            if (!batch.isEmpty() && (bytes + size > MAX_BATCH || batch.size() == MAX_ITEMS)) {
                send(to, batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(m);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            send(to, batch);
        }
    }

    private static void send(ActorRef<Msg> to, List<Wire> batch) {
        to.tell(batch.size() == 1 ? batch.get(0) : new Wire.Batch(List.copyOf(batch)));
    }
}
