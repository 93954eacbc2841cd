package dev.cella.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;

/**
 * A submitter's side: one connection to a member's {@link Gateway} ({@link SubmitProtocol}), plain
 * or TLS with the cluster's key and trust stores; no actor system runs here. A reader thread puts
 * every message from the member into one queue, read by the caller's thread. Not thread-safe: one
 * caller at a time.
 */
public final class ClusterClient implements AutoCloseable {
    /** How long the first contact with a member may take by default before it counts as unavailable. */
    public static final Duration CONTACT = Duration.ofSeconds(10);
    /**
     * How long a waiting submitter hears nothing before it sends a heartbeat ({@link
     * SubmitProtocol#PING}), which the member's gateway answers at once: a host that vanishes
     * without closing the connection is noticed after {@code contact} of silence.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);

    /** The connection ended or failed; {@code why} says how. */
    private record Lost(String why) implements Msg {}

    /** The member answered a heartbeat. */
    private enum Heartbeat implements Msg { INSTANCE }

    /**
     * One connection to one member: its replies come in their own queue, so that nothing of a
     * lost connection is read after a re-attach.
     *
     * @param id the member's name in the cluster (host:port of its remoting), from its {@link Wire.Load}
     */
    private record Link(Socket socket, DataOutputStream out, BlockingQueue<Msg> replies, String name, String id) {}

    private final Settings settings;
    /** The members to try, in order (docs/cluster.md, "Coordinator failover"). */
    private final List<String> members;
    private final Duration contact;
    /** Told, as a line for a person, of each member passed over for the next (docs/cluster.md, "Submitting, and outputs"). */
    private final Consumer<String> notice;
    private Link link;
    /** Closed by its caller: a connection that ends is not re-attached. */
    private volatile boolean closed;

    private ClusterClient(Settings settings, List<String> members, Duration contact, Consumer<String> notice, Link link) {
        this.settings = settings;
        this.members = List.copyOf(members);
        this.contact = contact;
        this.notice = notice;
        this.link = link;
    }

    /**
     * Connects to the member whose client port is {@code memberHostPort} and checks that it answers.
     *
     * @param settings this side's address ({@link Settings#host()}, the connection's source) and
     *     TLS; its port and seeds are not used
     * @param contact how long its first answer (and each status or drain answer) may take, and
     *     the longest silence tolerated while a submission runs
     * @throws ClusterException (UNAVAILABLE) if it does not answer within {@code contact} (it is
     *     down, the address is wrong, or TLS refused one side's certificate); (CONFIG) if a key
     *     store cannot be used
     */
    public static ClusterClient connect(Settings settings, String memberHostPort, Duration contact) {
        return connect(settings, List.of(memberHostPort), contact);
    }

    /**
     * Connects to the first of {@code members} (client ports) that answers; a submission fails
     * over to the others if that member is lost ({@link #submit}).
     *
     * @throws ClusterException (UNAVAILABLE) if none answers, with each one's reason
     */
    public static ClusterClient connect(Settings settings, List<String> members, Duration contact) {
        return connect(settings, members, contact, line -> { });
    }

    /**
     * Connects as {@link #connect(Settings, List, Duration)} does, telling {@code notice} of each
     * member passed over for the next: one that does not answer (down, not a member, or a TLS key
     * one side does not trust) and, in {@link #submit}, one that refuses the submission.
     */
    public static ClusterClient connect(Settings settings, List<String> members, Duration contact,
            Consumer<String> notice) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no member to connect to");
        }
        List<String> why = new ArrayList<>();
        for (String m : members) {
            try {
                ClusterClient c = new ClusterClient(settings, members, contact, notice, open(settings, m, contact));
                why.forEach(w -> notice.accept(w + "; talking to " + m + " instead"));
                return c;
            } catch (ClusterException e) {
                if (e.kind() != ClusterException.Kind.UNAVAILABLE) {
                    throw e;
                }
                why.add(e.getMessage());
            }
        }
        throw new ClusterException(ClusterException.Kind.UNAVAILABLE, String.join("; ", why));
    }

    /** Opens a connection to one member and checks that it answers. */
    private static Link open(Settings settings, String memberHostPort, Duration contact) {
        String[] hp = Settings.hostPort(memberHostPort);
        Socket s = null;
        Link l;
        try {
            s = settings.tls() == null ? new Socket()
                    : SubmitProtocol.context(settings.tls()).getSocketFactory().createSocket();
            if (s instanceof SSLSocket ssl) {
                SubmitProtocol.restrict(ssl);
            }
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), 0));
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), (int) Math.max(1, contact.toMillis()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
            BlockingQueue<Msg> replies = new LinkedBlockingQueue<>();
            l = new Link(s, out, replies, memberHostPort, memberHostPort);
            Thread.ofPlatform().daemon().name("cella-submitter-in").start(() -> read(in, replies));
        } catch (IOException e) {
            closeQuietly(s);
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "cannot connect to cluster member "
                    + memberHostPort + ": " + e.getMessage() + " (is it running, and is this its client port?)");
        }
        try {
            send(l, o -> SubmitProtocol.writeEmpty(o, SubmitProtocol.LOAD_QUERY));
            Msg m = next(l, contact);
            if (!(m instanceof Wire.Load load)) {
                throw unavailable(l, m, contact);
            }
            return new Link(l.socket(), l.out(), l.replies(), l.name(), load.member());
        } catch (RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** The cluster's status lines, as the member sees it. */
    public List<String> status() {
        send(o -> SubmitProtocol.writeEmpty(o, SubmitProtocol.STATUS_QUERY));
        return text();
    }

    /** Asks the member to drain; returns its answer. */
    public List<String> drain() {
        send(o -> SubmitProtocol.writeEmpty(o, SubmitProtocol.DRAIN));
        return text();
    }

    /**
     * Submits cells and hands each one's end to {@code done} as it arrives, on this thread, each
     * cell exactly once; returns when all have ended. The cells go out in one buffered write (no
     * answer is awaited between them). If the connection to the member (the submission's
     * coordinator) ends or falls silent, the submission is re-attached, the cells sent again with
     * what this side holds of each: to the same member if it still answers (the connection broke,
     * the member lives on: the submission goes on there), else to the next of the members given
     * ({@link #connect(Settings, List, Duration)}) that answers, which takes it over once the lost
     * coordinator has left the cluster (docs/cluster.md, "Coordinator failover"). A member that
     * refuses the re-attach is passed over for the next.
     *
     * <p>A member that refuses the submission (a cell fits on none of its cluster's members;
     * nothing ran) is passed over for the next member given, after it in the list, that answers.
     *
     * @param jobs the cells, their {@link Wire.CellJob#index()} 0 to n-1 in order and their
     *     submission id {@link #newSubmission()}'s
     * @throws ClusterException REFUSED if every member tried refused the submission (nothing ran),
     *     naming each and its reason; UNAVAILABLE if the member was lost before all cells ended and
     *     no other member took the submission over
     */
    public void submit(String submission, List<Wire.CellJob> jobs, Consumer<Wire.CellDone> done) {
        sendCells(jobs, o -> SubmitProtocol.writeSubmit(o, submission, jobs.size()));
        boolean[] seen = new boolean[jobs.size()];
        // A durable cell's output comes as segments before its end: kept once per seq, in order.
        SegmentOutput[] held = new SegmentOutput[jobs.size()];
        for (int i = 0; i < held.length; i++) {
            held[i] = new SegmentOutput();
        }
        int left = jobs.size();
        int attempt = 0;
        // Since the coordinator was lost: the members not yet asked to re-attach, and what went wrong.
        Deque<String> untried = new ArrayDeque<>();
        List<String> why = new ArrayList<>();
        String lostId = null; // the lost coordinator's name in the cluster
        long heard = System.nanoTime();
        while (left > 0) {
            Msg m;
            try {
                m = link.replies().poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "interrupted while waiting for "
                        + link.name());
            }
            if (m == null) {
                if (System.nanoTime() - heard > contact.toNanos()) {
                    m = new Lost("silent for " + contact.toMillis() + " ms");
                } else {
                    try {
                        send(o -> SubmitProtocol.writeEmpty(o, SubmitProtocol.PING));
                    } catch (ClusterException e) {
                        m = new Lost(e.getMessage());
                    }
                    if (m == null) {
                        continue;
                    }
                }
            }
            heard = System.nanoTime();
            switch (m) {
                case Wire.CellOutput o when o.submission().equals(submission) && o.index() >= 0
                        && o.index() < seen.length && !seen[o.index()] ->
                        held[o.index()].add(o.seq(), o.stdout(), o.stderr());
                case SubmitProtocol.Rewind r when r.submission().equals(submission) && r.index() >= 0
                        && r.index() < seen.length && !seen[r.index()] -> held[r.index()].rewind(r.seq());
                case Wire.CellDone d when d.submission().equals(submission) && d.index() >= 0
                        && d.index() < seen.length && !seen[d.index()] -> {
                    int i = d.index();
                    seen[i] = true;
                    left--;
                    Wire.CellDone whole = d;
                    if (held[i].holds()) {
                        whole = new Wire.CellDone(d.submission(), i, d.member(), d.outcome(), d.exitStatus(), d.error(),
                                d.fuelUsed(), held[i].out(d.stdout()), held[i].err(d.stderr()));
                    }
                    held[i] = null;
                    done.accept(whole);
                }
                case Wire.Refused r when r.submission().equals(submission) || r.submission().isEmpty() -> {
                    if (attempt == 0) {
                        why.add("member " + link.name() + " refused the submission: " + r.reason());
                        if (!resubmit(submission, jobs, why)) {
                            throw new ClusterException(ClusterException.Kind.REFUSED, String.join("; ", why));
                        }
                    } else {
                        why.add("member " + link.name() + " cannot take the submission over: " + r.reason());
                        if (!reattach(submission, jobs, seen, held, ++attempt, untried, lostId, why)) {
                            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, String.join("; ", why));
                        }
                    }
                    heard = System.nanoTime();
                }
                case Lost l -> {
                    if (closed) {
                        throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "closed with " + left
                                + " cells unfinished");
                    }
                    lostId = link.id();
                    why.clear();
                    why.add("lost member " + link.name() + " with " + left + " cells unfinished (" + l.why() + ")");
                    // The same member first: only the connection may have broken.
                    untried.clear();
                    untried.add(link.name());
                    members.stream().filter(x -> !x.equals(link.name())).forEach(untried::add);
                    if (!reattach(submission, jobs, seen, held, ++attempt, untried, lostId, why)) {
                        throw new ClusterException(ClusterException.Kind.UNAVAILABLE, String.join("; ", why));
                    }
                    heard = System.nanoTime();
                }
                default -> { } // a heartbeat, or a late answer to an earlier question
            }
        }
    }

    /**
     * The coordinator was lost: connects to the first of {@code untried} that answers (taking it
     * off), sends the cells again and re-attaches the submission with what this side holds of each
     * cell, naming the lost coordinator. @return false if none answers, or the submission was
     * re-attached too often
     */
    private boolean reattach(String submission, List<Wire.CellJob> jobs, boolean[] seen, SegmentOutput[] held,
            int attempt, Deque<String> untried, String lostId, List<String> why) {
        if (attempt > Takeover.MAX_ATTEMPT) {
            return false;
        }
        closeQuietly(link.socket());
        List<Takeover.CellState> cells = new ArrayList<>(seen.length);
        for (int i = 0; i < seen.length; i++) {
            cells.add(seen[i] ? new Takeover.CellState(true, 0, true)
                    : new Takeover.CellState(false, held[i].next(), held[i].whole()));
        }
        while (!untried.isEmpty()) {
            String m = untried.poll();
            try {
                link = open(settings, m, contact);
                sendCells(jobs, o -> SubmitProtocol.writeAttach(o, submission, attempt, lostId, cells));
                return true;
            } catch (ClusterException e) {
                if (e.kind() != ClusterException.Kind.UNAVAILABLE) {
                    throw e;
                }
                why.add(e.getMessage());
            }
        }
        return false;
    }

    /**
     * The member refused the submission before running anything: submits it to the next member
     * after it in the list that answers. @return false if none is left that answers
     */
    private boolean resubmit(String submission, List<Wire.CellJob> jobs, List<String> why) {
        int refused = why.size() - 1; // why ends with this member's refusal; what came before was told
        for (String m : members.subList(members.indexOf(link.name()) + 1, members.size())) {
            Link next;
            try {
                next = open(settings, m, contact);
            } catch (ClusterException e) {
                if (e.kind() != ClusterException.Kind.UNAVAILABLE) {
                    throw e;
                }
                why.add(e.getMessage());
                continue;
            }
            closeQuietly(link.socket()); // kept while no other member answers: status may still be asked
            link = next;
            notice.accept(String.join("; ", why.subList(refused, why.size())) + "; submitting to " + m + " instead");
            sendCells(jobs, o -> SubmitProtocol.writeSubmit(o, submission, jobs.size()));
            return true;
        }
        return false;
    }

    /** A fresh submission id. */
    public static String newSubmission() {
        return UUID.randomUUID().toString();
    }

    private List<String> text() {
        while (true) {
            Msg m = next(link, contact);
            if (m instanceof Wire.Text t) {
                return t.lines();
            }
            if (m instanceof Lost) {
                throw unavailable(link, m, contact);
            }
        }
    }

    /** The next reply on {@code l}, waiting at most {@code timeout}. */
    private static Msg next(Link l, Duration timeout) {
        try {
            Msg m = l.replies().poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw unavailable(l, null, timeout);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "interrupted while waiting for " + l.name());
        }
    }

    private static ClusterException unavailable(Link l, Msg m, Duration contact) {
        String how = m instanceof Lost lost ? "the connection ended (" + lost.why() + ")" : "no answer within "
                + contact.toMillis() + " ms";
        return new ClusterException(ClusterException.Kind.UNAVAILABLE, "cluster member " + l.name() + ": " + how
                + " (is it running, and do both sides trust each other's TLS certificate?)");
    }

    /** What writes a request's frames. */
    private interface Request {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private void send(Request r) {
        send(link, r);
    }

    /** Sends every cell, then {@code then}'s frame (a submit or re-attach), in one buffered write. */
    private void sendCells(List<Wire.CellJob> jobs, Request then) {
        send(o -> {
            for (Wire.CellJob j : jobs) {
                SubmitProtocol.write(o, j);
            }
            then.writeTo(o);
        });
    }

    /** Writes a request and flushes it; a failed write is the connection's loss. */
    private static void send(Link l, Request r) {
        try {
            r.writeTo(l.out());
            l.out().flush();
        } catch (IOException | UncheckedIOException e) {
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "cannot send to cluster member " + l.name()
                    + ": " + e.getMessage());
        }
    }

    /** The reader thread: every frame from the member becomes a reply; the end of the stream, {@link Lost}. */
    private static void read(DataInputStream in, BlockingQueue<Msg> replies) {
        String why = "closed by the member";
        try {
            for (SubmitProtocol.Frame f = SubmitProtocol.read(in); f != null; f = SubmitProtocol.read(in)) {
                if (!SubmitProtocol.TO_SUBMITTER.contains(f.type())) {
                    throw new IOException("a frame of type " + f.type() + " from the member");
                }
                replies.add(f.type() == SubmitProtocol.PING ? Heartbeat.INSTANCE
                        : f.type() == SubmitProtocol.REWIND ? f.rewind() : f.message());
            }
        } catch (IOException | RuntimeException e) { // RuntimeException: a malformed frame
            why = e.getMessage();
        }
        replies.add(new Lost(why));
    }

    private static void closeQuietly(Socket s) {
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException e) {
            // nothing is left to release
        }
    }

    /** Closes the connection as a network failure would, without closing this client: a submission re-attaches. */
    void dropConnection() {
        closeQuietly(link.socket());
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(link.socket());
    }
}
