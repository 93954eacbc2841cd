package dev.cella.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLServerSocket;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A member's door for submitters ({@link SubmitProtocol}): it listens on the member's client port
 * and, per connection, turns the submitter's frames into the messages a Pekko submitter would
 * send the member's actor, with a relay actor of this JVM as their reply address; whatever the
 * coordinator sends that relay is written back on the connection. The coordinator cannot tell a
 * socket submitter from any other: the relay is its client.
 *
 * <p>With TLS, the listening socket asks every submitter for a certificate its trust store
 * accepts (the members' own stores), so a submitter the cluster does not trust fails the handshake
 * and never reaches the actor.
 */
final class Gateway implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");
    private static final AtomicLong NEXT = new AtomicLong();
    /**
     * How long a new connection may take to send its first frame (its TLS handshake included)
     * before it is closed, so that connections that never speak do not hold threads. After the
     * first frame there is no limit: a submitter may hold a connection open between questions.
     */
    static final int FIRST_FRAME_MILLIS = 30_000;

    private final ActorSystem<Msg> system;
    private final ServerSocket server;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** Set once {@link #close} begins: a connection accepted meanwhile is closed by the accepting thread. */
    private volatile boolean closing;

    private Gateway(ActorSystem<Msg> system, ServerSocket server) {
        this.system = system;
        this.server = server;
        Thread.ofPlatform().daemon().name("cella-gateway-" + server.getLocalPort()).start(this::accept);
    }

    /**
     * Listens at {@code host:port} (0: any free port) for the submitters of the member {@code system}.
     *
     * @param tls the cluster's TLS settings, or null for plain TCP
     * @throws ClusterException (CONFIG) if the port cannot be bound or a store not read
     */
    static Gateway start(ActorSystem<Msg> system, String host, int port, Settings.Tls tls) {
        ServerSocket s = null;
        try {
            if (tls == null) {
                s = new ServerSocket();
            } else {
                SSLServerSocket ssl = (SSLServerSocket) SubmitProtocol.context(tls).getServerSocketFactory()
                        .createServerSocket();
                ssl.setNeedClientAuth(true);
                ssl.setEnabledProtocols(new String[] {"TLSv1.3"});
                s = ssl;
            }
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
            return new Gateway(system, s);
        } catch (IOException e) {
            closeQuietly(s);
            throw new ClusterException(ClusterException.Kind.CONFIG, "cannot listen for submitters at " + host + ":"
                    + port + ": " + e.getMessage(), e);
        }
    }

    /** The port submitters connect to. */
    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                Connection c = new Connection(s);
                connections.add(c);
                c.start();
                if (closing) {
                    c.close(); // close() may have missed it: nothing reaches a member that is stopping
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "accepting a submitter failed: {0}", e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        closeQuietly(server);
        for (Connection c : connections) {
            c.close();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // closing: nothing is left to do with it
        }
    }

    /** Tells the relay to stop and the writer to end (never a {@link Wire} message). */
    private enum Stop implements Msg { INSTANCE }

    /** A submitter's connection has ended: {@code relay} was its reply address. Never leaves the JVM. */
    record Closed(ActorRef<Msg> relay) implements Msg {}

    /** Tells the writer to answer a submitter's heartbeat. */
    private enum Pong implements Msg { INSTANCE }

    /**
     * One submitter: a reader thread that turns frames into messages for the member's actor, and
     * a writer thread that sends on the connection whatever the relay actor queued, flushing only
     * when the queue is empty (so many ends go out in one write).
     */
    private final class Connection {
        private final Socket socket;
        private final BlockingQueue<Msg> outbox = new LinkedBlockingQueue<>();
        private final String name;
        private ActorRef<Msg> relay;

        Connection(Socket socket) {
            this.socket = socket;
            this.name = "submitter-" + NEXT.incrementAndGet();
        }

        void start() {
            relay = system.systemActorOf(Behaviors.receive(Msg.class).onMessage(Msg.class, m -> {
                outbox.add(m);
                return m == Stop.INSTANCE ? Behaviors.stopped() : Behaviors.same();
            }).build(), name, Props.empty());
            Thread.ofPlatform().daemon().name("cella-" + name + "-in").start(this::read);
            Thread.ofPlatform().daemon().name("cella-" + name + "-out").start(this::write);
        }

        private void read() {
            List<Wire.CellJob> jobs = new ArrayList<>();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16))) {
                socket.setSoTimeout(FIRST_FRAME_MILLIS);
                for (SubmitProtocol.Frame f = SubmitProtocol.read(in); f != null; f = SubmitProtocol.read(in)) {
                    socket.setSoTimeout(0);
                    switch (f.type()) {
                        case SubmitProtocol.JOB -> jobs.add((Wire.CellJob) f.message());
                        case SubmitProtocol.SUBMIT -> {
                            submit(f.submit(), jobs);
                            jobs = new ArrayList<>();
                        }
                        case SubmitProtocol.ATTACH -> {
                            attach(f, jobs);
                            jobs = new ArrayList<>();
                        }
                        case SubmitProtocol.LOAD_QUERY -> system.tell(new Wire.LoadQuery(relay));
                        case SubmitProtocol.STATUS_QUERY -> system.tell(new Wire.StatusQuery(relay));
                        case SubmitProtocol.DRAIN -> system.tell(new Wire.Drain(relay));
                        case SubmitProtocol.PING -> outbox.add(Pong.INSTANCE);
                        default -> throw new IOException("unknown frame type " + f.type());
                    }
                }
            } catch (IOException | RuntimeException e) { // RuntimeException: a malformed body
                if (!socket.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "{0} dropped: {1}", name, e.getMessage());
                }
            } finally {
                close();
            }
        }

        /** Hands a submission to the coordinator if its jobs are the ones it claims, in order; else refuses it. */
        private void submit(SubmitProtocol.Submit s, List<Wire.CellJob> jobs) {
            String problem = misnumbered(s.submission(), s.count(), jobs);
            if (problem != null) {
                outbox.add(new Wire.Refused(s.submission(), "a malformed submission: " + problem));
                return;
            }
            system.tell(new Wire.Submit(s.submission(), List.copyOf(jobs), relay));
        }

        /**
         * Hands a re-attached submission to the coordinator ({@link Takeover}) if its jobs are the
         * ones it claims, in order, and its body is whole; else refuses it.
         */
        private void attach(SubmitProtocol.Frame f, List<Wire.CellJob> jobs) {
            SubmitProtocol.AttachFrame a;
            try {
                a = f.attach();
            } catch (IOException e) {
                outbox.add(new Wire.Refused("", "a malformed re-attach: " + e.getMessage()));
                return;
            }
            String problem = misnumbered(a.submission(), a.count(), jobs);
            if (problem != null) {
                outbox.add(new Wire.Refused(a.submission(), "a malformed re-attach: " + problem));
                return;
            }
            system.tell(new Takeover.Attach(a.submission(), List.copyOf(jobs), a.attempt(), a.previous(), a.cells(),
                    relay));
        }

        /** What is wrong with a submission's jobs (count, numbering, id), or null. */
        private static String misnumbered(String submission, int count, List<Wire.CellJob> jobs) {
            String problem = jobs.size() != count ? count + " cells announced, " + jobs.size() + " sent" : null;
            for (int i = 0; problem == null && i < jobs.size(); i++) {
                Wire.CellJob j = jobs.get(i);
                if (j.index() != i || !j.submission().equals(submission)) {
                    problem = "cell " + i + " is numbered " + j.index() + " of submission " + j.submission();
                }
            }
            return problem;
        }

        private void write() {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16))) {
                while (true) {
                    Msg m = outbox.take();
                    while (m != null) {
                        if (m == Stop.INSTANCE) {
                            return;
                        }
                        if (m instanceof Wire w) {
                            SubmitProtocol.write(out, w);
                        } else if (m instanceof SubmitProtocol.Rewind r) {
                            SubmitProtocol.writeRewind(out, r);
                        } else if (m == Pong.INSTANCE) {
                            SubmitProtocol.writeEmpty(out, SubmitProtocol.PING);
                        }
                        m = outbox.poll();
                    }
                    out.flush();
                }
            } catch (IOException | RuntimeException e) {
                if (!socket.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: cannot send: {1}", name, e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        void close() {
            if (connections.remove(this)) {
                closeQuietly(socket);
                system.tell(new Closed(relay)); // its submissions get nothing more (Coordinator#clientGone)
                relay.tell(Stop.INSTANCE); // the relay passes it to the writer, then stops
                outbox.add(Stop.INSTANCE); // in case the actor system has stopped already
            }
        }
    }
}
