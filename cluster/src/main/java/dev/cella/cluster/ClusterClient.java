package dev.cella.cluster;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A submitter's side: an actor system with plain remoting (it never joins the cluster) that
 * talks to one member, its coordinator. Every reply comes through one queue, read by the caller's
 * thread.
 */
public final class ClusterClient implements AutoCloseable {
    /** How long the first contact with a member may take by default before it counts as unavailable. */
    public static final Duration CONTACT = Duration.ofSeconds(10);

    /** The member's actor stopped or its connection was lost. */
    private record Lost() implements Msg {}

    private final ActorSystem<Msg> system;
    private final BlockingQueue<Msg> replies = new LinkedBlockingQueue<>();
    private final ActorRef<Msg> member;
    private final String memberName;
    private final Duration contact;

    private ClusterClient(Settings settings, String memberHostPort, Duration contact) {
        this.memberName = memberHostPort;
        this.contact = contact;
        CompletableFuture<ActorRef<Msg>> target = new CompletableFuture<>();
        this.system = ActorSystem.create(Behaviors.setup(ctx -> {
            ActorRef<Msg> m = ActorRefResolver.get(ctx.getSystem())
                    .resolveActorRef(Settings.address(memberHostPort) + "/user");
            ctx.watch(m);
            target.complete(m);
            return Behaviors.receive(Msg.class)
                    .onMessage(Msg.class, msg -> {
                        replies.add(msg);
                        return Behaviors.same();
                    })
                    .onSignal(Terminated.class, t -> {
                        replies.add(new Lost());
                        return Behaviors.same();
                    })
                    .build();
        }), Settings.SYSTEM, settings.config(false, List.of()));
        try {
            this.member = target.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            system.terminate();
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "cannot start the submitter's actor system", e);
        }
    }

    /**
     * Connects to the member at {@code memberHostPort} and checks that it answers.
     *
     * @param contact how long its first answer (and each status or drain answer) may take
     * @throws ClusterException (UNAVAILABLE) if it does not answer within {@code contact} (it is
     *     down, the address is wrong, or TLS refused one side's certificate)
     */
    public static ClusterClient connect(Settings settings, String memberHostPort, Duration contact) {
        Settings.hostPort(memberHostPort);
        ClusterClient c = new ClusterClient(settings, memberHostPort, contact);
        try {
            c.member.tell(new Wire.LoadQuery(c.system));
            Msg m = c.next(contact);
            if (!(m instanceof Wire.Load)) {
                throw c.unavailable();
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The cluster's status lines, as the member sees it. */
    public List<String> status() {
        member.tell(new Wire.StatusQuery(system));
        return text();
    }

    /** Asks the member to drain; returns its answer. */
    public List<String> drain() {
        member.tell(new Wire.Drain(system));
        return text();
    }

    /**
     * Submits cells and hands each one's end to {@code done} as it arrives, on this thread, each
     * cell exactly once; returns when all have ended.
     *
     * @param jobs the cells, their {@link Wire.CellJob#index()} 0 to n-1 in order and their
     *     submission id {@link #newSubmission()}'s
     * @throws ClusterException REFUSED if a cell fits on no member (nothing ran), UNAVAILABLE if
     *     the member was lost before all cells ended
     */
    public void submit(String submission, List<Wire.CellJob> jobs, Consumer<Wire.CellDone> done) {
        member.tell(new Wire.Submit(submission, jobs, system));
        boolean[] seen = new boolean[jobs.size()];
        // A durable cell's output comes as segments before its end: kept once per seq, in order.
        long[] nextSeq = new long[jobs.size()];
        ByteArrayOutputStream[] out = new ByteArrayOutputStream[jobs.size()];
        ByteArrayOutputStream[] err = new ByteArrayOutputStream[jobs.size()];
        int left = jobs.size();
        while (left > 0) {
            Msg m = next(null);
            switch (m) {
                case Wire.CellOutput o when o.submission().equals(submission) && o.index() >= 0
                        && o.index() < seen.length && !seen[o.index()] && o.seq() >= nextSeq[o.index()] -> {
                    int i = o.index();
                    if (out[i] == null) {
                        out[i] = new ByteArrayOutputStream();
                        err[i] = new ByteArrayOutputStream();
                    }
                    out[i].writeBytes(o.stdout());
                    err[i].writeBytes(o.stderr());
                    nextSeq[i] = o.seq() + 1;
                }
                case Wire.CellDone d when d.submission().equals(submission) && d.index() >= 0
                        && d.index() < seen.length && !seen[d.index()] -> {
                    int i = d.index();
                    seen[i] = true;
                    left--;
                    Wire.CellDone whole = d;
                    if (out[i] != null) {
                        out[i].writeBytes(d.stdout());
                        err[i].writeBytes(d.stderr());
                        whole = new Wire.CellDone(d.submission(), i, d.member(), d.outcome(), d.exitStatus(), d.error(),
                                d.fuelUsed(), out[i].toByteArray(), err[i].toByteArray());
                        out[i] = null;
                        err[i] = null;
                    }
                    done.accept(whole);
                }
                case Wire.Refused r -> throw new ClusterException(ClusterException.Kind.REFUSED, r.reason());
                case Lost l -> throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "lost member "
                        + memberName + " with " + left + " cells unfinished");
                default -> { } // a late answer to an earlier question
            }
        }
    }

    /** A fresh submission id. */
    public static String newSubmission() {
        return UUID.randomUUID().toString();
    }

    private List<String> text() {
        while (true) {
            Msg m = next(contact);
            if (m instanceof Wire.Text t) {
                return t.lines();
            }
            if (m instanceof Lost || m == null) {
                throw unavailable();
            }
        }
    }

    /** The next reply, waiting at most {@code timeout} (null: for ever); null on time-out. */
    private Msg next(Duration timeout) {
        try {
            Msg m = timeout == null ? replies.take() : replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw unavailable();
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "interrupted while waiting for " + memberName);
        }
    }

    private ClusterException unavailable() {
        return new ClusterException(ClusterException.Kind.UNAVAILABLE, "no answer from cluster member " + memberName
                + " within " + contact.toMillis() + " ms (is it running, and do both sides trust each other's TLS "
                + "certificate?)");
    }

    @Override
    public void close() {
        ClusterNode.terminate(system);
    }
}
