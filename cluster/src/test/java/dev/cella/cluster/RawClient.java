package dev.cella.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A peer for tests that sends any {@link Wire} message to a member and keeps every message it
 * gets, in order: what a submitter sees message by message, and what a hostile peer can send.
 */
final class RawClient implements AutoCloseable {
    private final ActorSystem<Msg> system;
    private final BlockingQueue<Msg> got = new LinkedBlockingQueue<>();

    RawClient() {
        system = ActorSystem.create(Behaviors.receive(Msg.class).onMessage(Msg.class, m -> {
            got.add(m);
            return Behaviors.same();
        }).build(), Settings.SYSTEM, new Settings("127.0.0.1", 0, List.of(), null, null).config(false, List.of()));
    }

    ActorRef<Msg> self() {
        return system;
    }

    /** {@code other}'s actor as this peer reaches it: over loopback, its messages encoded. */
    ActorRef<Msg> remote(RawClient other) {
        return ActorRefResolver.get(system).resolveActorRef(ActorRefResolver.get(other.system)
                .toSerializationFormat(other.system));
    }

    /** The actor of the member at host:port. */
    ActorRef<Msg> member(String hostPort) {
        return ActorRefResolver.get(system).resolveActorRef(Settings.address(hostPort) + "/user");
    }

    /** The next message, or null after {@code timeout}. */
    Msg next(Duration timeout) throws InterruptedException {
        return got.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message of type {@code type} within {@code timeout} (others are dropped); fails if none. */
    <T extends Msg> T expect(Class<T> type, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Msg m = got.poll(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + timeout);
    }

    @Override
    public void close() {
        ClusterNode.terminate(system);
    }
}
