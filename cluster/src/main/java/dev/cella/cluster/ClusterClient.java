package dev.cella.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
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

    private final Socket socket;
    private final DataOutputStream out;
    private final BlockingQueue<Msg> replies = new LinkedBlockingQueue<>();
    private final String memberName;
    private final Duration contact;

    private ClusterClient(Socket socket, String memberHostPort, Duration contact) throws IOException {
        this.socket = socket;
        this.memberName = memberHostPort;
        this.contact = contact;
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        Thread.ofPlatform().daemon().name("cella-submitter-in").start(() -> read(in));
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
        String[] hp = Settings.hostPort(memberHostPort);
        Socket s = null;
        ClusterClient c;
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
            c = new ClusterClient(s, memberHostPort, contact);
        } catch (IOException e) {
            closeQuietly(s);
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "cannot connect to cluster member "
                    + memberHostPort + ": " + e.getMessage() + " (is it running, and is this its client port?)");
        }
        try {
            c.send(o -> SubmitProtocol.writeEmpty(o, SubmitProtocol.LOAD_QUERY));
            Msg m = c.next(contact);
            if (!(m instanceof Wire.Load)) {
                throw c.unavailable(m);
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
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
     * answer is awaited between them).
     *
     * @param jobs the cells, their {@link Wire.CellJob#index()} 0 to n-1 in order and their
     *     submission id {@link #newSubmission()}'s
     * @throws ClusterException REFUSED if a cell fits on no member (nothing ran), UNAVAILABLE if
     *     the member was lost before all cells ended
     */
    public void submit(String submission, List<Wire.CellJob> jobs, Consumer<Wire.CellDone> done) {
        send(o -> {
            for (Wire.CellJob j : jobs) {
                SubmitProtocol.write(o, j);
            }
            SubmitProtocol.writeSubmit(o, submission, jobs.size());
        });
        boolean[] seen = new boolean[jobs.size()];
        // A durable cell's output comes as segments before its end: kept once per seq, in order.
        long[] nextSeq = new long[jobs.size()];
        ByteArrayOutputStream[] out = new ByteArrayOutputStream[jobs.size()];
        ByteArrayOutputStream[] err = new ByteArrayOutputStream[jobs.size()];
        int left = jobs.size();
        long heard = System.nanoTime();
        while (left > 0) {
            Msg m;
            try {
                m = replies.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "interrupted while waiting for "
                        + memberName);
            }
            if (m == null) {
                if (System.nanoTime() - heard > contact.toNanos()) {
                    throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "cluster member " + memberName
                            + " silent for " + contact.toMillis() + " ms with " + left + " cells unfinished");
                }
                send(o -> SubmitProtocol.writeEmpty(o, SubmitProtocol.PING));
                continue;
            }
            heard = System.nanoTime();
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
                case Wire.Refused r when r.submission().equals(submission) ->
                        throw new ClusterException(ClusterException.Kind.REFUSED, r.reason());
                case Lost l -> throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "lost member "
                        + memberName + " with " + left + " cells unfinished (" + l.why() + ")");
                default -> { } // a heartbeat, or a late answer to an earlier question
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
            if (m instanceof Lost) {
                throw unavailable(m);
            }
        }
    }

    /** The next reply, waiting at most {@code timeout}. */
    private Msg next(Duration timeout) {
        try {
            Msg m = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw unavailable(null);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "interrupted while waiting for " + memberName);
        }
    }

    private ClusterException unavailable(Msg m) {
        String how = m instanceof Lost l ? "the connection ended (" + l.why() + ")" : "no answer within "
                + contact.toMillis() + " ms";
        return new ClusterException(ClusterException.Kind.UNAVAILABLE, "cluster member " + memberName + ": " + how
                + " (is it running, and do both sides trust each other's TLS certificate?)");
    }

    /** What writes a request's frames. */
    private interface Request {
        void writeTo(DataOutputStream out) throws IOException;
    }

    /** Writes a request and flushes it; a failed write is the connection's loss. */
    private void send(Request r) {
        try {
            r.writeTo(out);
            out.flush();
        } catch (IOException | UncheckedIOException e) {
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "cannot send to cluster member " + memberName
                    + ": " + e.getMessage());
        }
    }

    /** The reader thread: every frame from the member becomes a reply; the end of the stream, {@link Lost}. */
    private void read(DataInputStream in) {
        String why = "closed by the member";
        try {
            for (SubmitProtocol.Frame f = SubmitProtocol.read(in); f != null; f = SubmitProtocol.read(in)) {
                if (!SubmitProtocol.TO_SUBMITTER.contains(f.type())) {
                    throw new IOException("a frame of type " + f.type() + " from the member");
                }
                replies.add(f.type() == SubmitProtocol.PING ? Heartbeat.INSTANCE : f.message());
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

    @Override
    public void close() {
        closeQuietly(socket);
    }
}
