package dev.cella.cluster;

import dev.cella.sandbox.sched.CellHandle;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.cluster.typed.SelfRemoved;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * A member's one actor, the guardian of its actor system (path {@code /user}): it runs cells
 * ({@link Worker}) and coordinates the submissions sent to it ({@link Coordinator}). Every
 * member is both; a submitter talks to the member it was pointed at.
 */
final class Member extends AbstractBehavior<Msg> {
    /** How often the coordinator refreshes every member's load. */
    static final Duration REFRESH = Duration.ofSeconds(1);

    /** A cell's end, from a scheduler thread. */
    private record Finished(CellHandle handle) implements Msg {}

    private record MemberEvent(ClusterEvent.MemberEvent event) implements Msg {}

    private record Reachability(ClusterEvent.ReachabilityEvent event) implements Msg {}

    private enum Tick implements Msg { INSTANCE }

    private final Worker worker;
    private final Coordinator coordinator;
    private final ActorRefResolver resolver;
    private final Cluster cluster;

    private record Removed(SelfRemoved event) implements Msg {}

    private final Runnable onRemoved;
    private final Replicas replicas;
    /** Per-cell messages to other members, batched ({@link Outbox}). */
    private final Outbox outbox;
    /** This actor's handlers, which a {@link Wire.Batch}'s messages go through one by one. */
    private Receive<Msg> receive;

    /**
     * False (system property {@code cella.cluster.batch=false}) to send every per-cell message
     * alone, as members did before batches: for the A/B figures of docs/cluster.md, "Measured".
     */
    private static final boolean BATCH = !"false".equals(System.getProperty("cella.cluster.batch"));

    /**
     * @param onRemoved run once this member has left the cluster (drained, or downed by the others)
     * @param replicas the segments this member holds for other coordinators
     * @param segmentKey the cluster's segment key, or null for segments without a tag
     */
    static Behavior<Msg> create(String name, int cores, long memory, Runnable onRemoved, Replicas replicas,
            byte[] segmentKey) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Member(ctx, timers, name, cores, memory,
                onRemoved, replicas, segmentKey)));
    }

    private Member(ActorContext<Msg> ctx, TimerScheduler<Msg> timers, String name, int cores, long memory,
            Runnable onRemoved, Replicas replicas, byte[] segmentKey) {
        super(ctx);
        this.onRemoved = onRemoved;
        this.replicas = replicas;
        ActorRef<Msg> self = ctx.getSelf();
        this.outbox = new Outbox(() -> self.tell(Outbox.FLUSH), BATCH);
        this.worker = new Worker(name, cores, memory, self, outbox, h -> self.tell(new Finished(h)));
        worker.segmentKey(segmentKey);
        this.resolver = ActorRefResolver.get(ctx.getSystem());
        this.cluster = Cluster.get(ctx.getSystem());
        // Named as the cluster names members, so that it never picks itself as a replica.
        this.coordinator = new Coordinator(self, name(cluster.selfMember().address()), segmentKey, outbox);
        cluster.subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberEvent::new), ClusterEvent.MemberEvent.class));
        cluster.subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new),
                ClusterEvent.ReachabilityEvent.class));
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfRemoved.class, Removed::new),
                SelfRemoved.class));
        timers.startTimerWithFixedDelay(Tick.INSTANCE, REFRESH);
    }

    /** host:port of a Pekko address. */
    static String name(Address a) {
        String hp = a.hostPort(); // system@host:port
        return hp.substring(hp.indexOf('@') + 1);
    }

    @Override
    public Receive<Msg> createReceive() {
        receive = newReceiveBuilder()
                .onMessage(Wire.Batch.class, b -> {
                    for (Wire m : b.messages()) {
                        receive.receiveMessage(m);
                    }
                    return this;
                })
                .onMessage(Outbox.Flush.class, f -> {
                    outbox.flush();
                    return this;
                })
                .onMessage(Wire.Run.class, r -> {
                    worker.run(r);
                    return this;
                })
                .onMessage(Finished.class, f -> {
                    worker.finished(f.handle());
                    leaveWhenDrained();
                    return this;
                })
                .onMessage(Worker.DurableEnded.class, e -> {
                    worker.durableEnded(e);
                    leaveWhenDrained();
                    return this;
                })
                .onMessage(Wire.SegmentCommit.class, c -> {
                    coordinator.commit(c);
                    return this;
                })
                .onMessage(Wire.SegmentAck.class, a -> {
                    worker.ack(a);
                    return this;
                })
                .onMessage(Wire.Replicate.class, r -> {
                    replicas.replicate(r);
                    return this;
                })
                .onMessage(Wire.Replicated.class, r -> {
                    coordinator.replicated(r);
                    return this;
                })
                .onMessage(Wire.ForgetReplicas.class, f -> {
                    replicas.forget(f.submission());
                    return this;
                })
                .onMessage(Gateway.Closed.class, c -> {
                    coordinator.clientGone(c.relay());
                    return this;
                })
                .onMessage(Takeover.Attach.class, a -> {
                    coordinator.attach(a);
                    return this;
                })
                .onMessage(Wire.ReplicaQuery.class, q -> {
                    replicas.held(q);
                    return this;
                })
                .onMessage(Wire.ReplicaHeld.class, h -> {
                    coordinator.held(h);
                    return this;
                })
                .onMessage(Wire.ReplicaFetch.class, f -> {
                    replicas.fetch(f);
                    return this;
                })
                .onMessage(Wire.ReplicaSegment.class, g -> {
                    coordinator.fetched(g);
                    return this;
                })
                .onMessage(Wire.MoveAsk.class, m -> {
                    coordinator.move(m);
                    return this;
                })
                .onMessage(Wire.MoveTo.class, m -> {
                    worker.moveTo(m);
                    return this;
                })
                .onMessage(Wire.MoveStart.class, m -> {
                    worker.moveStart(m);
                    return this;
                })
                .onMessage(Wire.MoveChunk.class, m -> {
                    worker.moveChunk(m);
                    return this;
                })
                .onMessage(Wire.MoveRound.class, m -> {
                    worker.moveRound(m);
                    leaveWhenDrained();
                    return this;
                })
                .onMessage(Wire.Submit.class, s -> {
                    coordinator.submit(s);
                    return this;
                })
                .onMessage(Wire.CellDone.class, d -> {
                    coordinator.done(d);
                    return this;
                })
                .onMessage(Wire.LoadQuery.class, q -> {
                    q.replyTo().tell(worker.load());
                    return this;
                })
                .onMessage(Wire.Load.class, l -> {
                    coordinator.load(l);
                    return this;
                })
                .onMessage(Wire.StatusQuery.class, q -> {
                    q.replyTo().tell(new Wire.Text(coordinator.status()));
                    return this;
                })
                .onMessage(Wire.Drain.class, d -> {
                    int left = worker.drain();
                    d.replyTo().tell(new Wire.Text(List.of("draining " + name(cluster.selfMember().address())
                            + ": " + left + " running plain cells finish here, durable cells and waiting cells go to other members")));
                    leaveWhenDrained();
                    return this;
                })
                .onMessage(MemberEvent.class, e -> {
                    onMemberEvent(e.event());
                    return this;
                })
                .onMessage(Reachability.class, e -> {
                    if (e.event() instanceof ClusterEvent.UnreachableMember u) {
                        coordinator.memberLost(name(u.member().address()), false);
                    } else if (e.event() instanceof ClusterEvent.ReachableMember r) {
                        coordinator.memberBack(name(r.member().address()));
                    }
                    return this;
                })
                .onMessage(Removed.class, r -> {
                    onRemoved.run();
                    return this;
                })
                .onMessage(Tick.class, t -> {
                    coordinator.refresh();
                    replicas.expire();
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    worker.close();
                    return this;
                })
                .build();
        return receive;
    }

    private void onMemberEvent(ClusterEvent.MemberEvent e) {
        Address a = e.member().address();
        if (e instanceof ClusterEvent.MemberUp) {
            coordinator.memberUp(name(a), resolver.resolveActorRef(a + "/user"));
        } else if (e instanceof ClusterEvent.MemberRemoved || e instanceof ClusterEvent.MemberExited
                || e instanceof ClusterEvent.MemberDowned) {
            coordinator.memberLost(name(a), true);
            // Its runs here are stopped (a member that takes its submissions over places them
            // anew); its replicas wait for that member a while (docs/cluster.md, "Coordinator failover").
            worker.abandon(name(a));
            replicas.orphan(name(a));
            leaveWhenDrained();
        }
    }

    /** A draining member with no cell left leaves the cluster (and its process then ends). */
    private void leaveWhenDrained() {
        if (worker.draining() && worker.cells() == 0) {
            outbox.flush(); // the last ends and hand-backs leave before this member does
            cluster.manager().tell(Leave.create(cluster.selfMember().address()));
        }
    }
}
