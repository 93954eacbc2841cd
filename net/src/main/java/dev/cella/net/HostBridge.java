package dev.cella.net;

import dev.cella.sandbox.SandboxException;
import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.sandbox.stream.WasiErrno;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a cell meets the host's network, only through its grants: the host listening sockets of
 * its forwards ({@code --listen}, {@code --publish}), whose accepted connections are handed to
 * the cell's listener on the guest port, and the host connections of granted connects. Each host
 * connection is joined to a virtual socket by two pumps on virtual threads, one per direction,
 * copying between the host socket and the socket's rings (so the guest sees a virtual socket,
 * with the same backpressure and errors as between cells).
 *
 * <p>When the cell ends, {@link #close} closes the listening sockets at once. Its connections
 * were closed with its descriptors: a reset one resets the host connection at once, an orderly
 * one lets the pump send the host what the guest wrote before it closed (a server's last
 * response), then the host connection closes; whatever is still open after {@link
 * #DRAIN_MILLIS} is closed then.
 */
final class HostBridge {
    /** How long a host connection waits for the guest to listen on the forward's port (the guest may still be starting). */
    private static final long LISTEN_WAIT_NANOS = 10_000_000_000L;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int PUMP_BUFFER = 64 * 1024;
    /** How long a host connection may take to drain after its cell ended. */
    static final long DRAIN_MILLIS = 5_000;

    private final NetHost host;
    private final Map<Integer, ServerSocket> servers = new ConcurrentHashMap<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    /**
     * Every host socket this bridge opened, listening or connected, until {@link #closeQuietly}
     * closes it (the only way one is closed): the leak check ({@link #openHostSockets}) counts
     * them, so a pump that drops a connection from {@link #sockets} without closing it still shows.
     */
    private final Set<java.io.Closeable> opened = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    HostBridge(NetHost host) {
        this.host = host;
    }

    /**
     * Binds the host listening sockets of {@code forwards} now, before the guest runs, so a client
     * may connect as soon as the cell exists (it waits until the guest listens).
     *
     * @throws SandboxException if a host address cannot be bound (in use, not local)
     */
    void openForwards(List<NetGrants.Forward> forwards) {
        for (NetGrants.Forward f : forwards) {
            ServerSocket ss = null;
            try {
                ss = new ServerSocket();
                opened.add(ss);
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(InetAddress.getByName(f.bindHost()), f.hostPort()), 128);
            } catch (IOException e) {
                if (ss != null) {
                    closeQuietly(ss); // created but not bound: not in servers, so close() would miss it
                }
                close();
                throw new SandboxException("cannot listen on host address " + f.bindHost() + ":" + f.hostPort() + ": "
                        + e.getMessage(), e);
            }
            ServerSocket bound = ss;
            servers.put(f.guestPort(), bound);
            Thread.ofVirtual().name("cella-net-listen-" + bound.getLocalPort()).start(() -> acceptLoop(bound, f.guestPort()));
        }
    }

    /** Host listening sockets and host connections this bridge opened and has not closed (for leak checks). */
    int openHostSockets() {
        return opened.size();
    }

    /** The host port the forward to {@code guestPort} listens on, or -1. */
    int hostPort(int guestPort) {
        ServerSocket ss = servers.get(guestPort);
        return ss == null ? -1 : ss.getLocalPort();
    }

    private void acceptLoop(ServerSocket ss, int guestPort) {
        while (!closed) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().start(() -> handOver(s, guestPort));
        }
    }

    /** Hands host connection {@code s} to the guest's listener on {@code guestPort}, waiting for it to appear. */
    private void handOver(Socket s, int guestPort) {
        opened.add(s);
        sockets.add(s);
        noDelay(s);
        long end = System.nanoTime() + LISTEN_WAIT_NANOS;
        while (!closed) {
            VirtualSocket listener = host.listeners.get(guestPort);
            if (listener != null) {
                int capacity = host.attachment().quotas().bufferBytes();
                ByteRing toGuest = new ByteRing(capacity);
                ByteRing fromGuest = new ByteRing(capacity);
                VirtualSocket guestEnd = new VirtualSocket(host);
                Address peer = peerOf(s);
                guestEnd.connect(toGuest, fromGuest, new Address(Address.LOOPBACK, guestPort), peer);
                if (listener.offer(guestEnd)) {
                    pump(s, toGuest, fromGuest);
                    return;
                }
                break; // its queue is full: refused
            }
            if (System.nanoTime() - end > 0) {
                break;
            }
            LockSupport.parkNanos(5_000_000);
        }
        reset(s);
    }

    private static Address peerOf(Socket s) {
        int ip = Address.ipOf(s.getInetAddress());
        return new Address(ip == -1 ? 0 : ip, s.getPort());
    }

    /**
     * Connects guest socket {@code s} to granted host address {@code to}; the wait is announced
     * to the cell's interrupt hook (a scheduler lends its slot meanwhile).
     *
     * @throws StreamException ECONNREFUSED if the host refuses, ETIMEDOUT if it does not answer
     */
    void connect(Instance inst, VirtualSocket s, Address to, Address local) {
        Socket hs = new Socket();
        opened.add(hs);
        InterruptHook hook = inst.interruptHook();
        if (hook != null) {
            hook.blockingStarts(inst);
        }
        try {
            hs.connect(new InetSocketAddress(to.inet(), to.port()), CONNECT_TIMEOUT_MILLIS);
        } catch (java.net.SocketTimeoutException e) {
            closeQuietly(hs);
            throw new StreamException(WasiErrno.TIMEDOUT, to.toString());
        } catch (IOException e) {
            closeQuietly(hs);
            throw new StreamException(WasiErrno.CONNREFUSED, to + ": " + e.getMessage());
        } finally {
            if (hook != null) {
                hook.blockingEnds(inst);
            }
        }
        int capacity = host.attachment().quotas().bufferBytes();
        ByteRing toGuest = new ByteRing(capacity);
        ByteRing fromGuest = new ByteRing(capacity);
        s.connect(toGuest, fromGuest, new Address(local.ip(), hs.getLocalPort()), to);
        sockets.add(hs);
        noDelay(hs);
        pump(hs, toGuest, fromGuest);
    }

    /** Starts the two pumps between host socket {@code s} and a guest socket's rings. */
    private void pump(Socket s, ByteRing toGuest, ByteRing fromGuest) {
        int[] done = {0};
        Runnable finished = () -> {
            synchronized (done) {
                if (++done[0] == 2) {
                    sockets.remove(s);
                    closeQuietly(s);
                }
            }
        };
        Thread.ofVirtual().start(() -> {
            try {
                hostToGuest(s, toGuest);
            } finally {
                finished.run();
            }
        });
        Thread.ofVirtual().start(() -> {
            try {
                guestToHost(s, fromGuest, toGuest);
            } finally {
                finished.run();
            }
        });
    }

    private void hostToGuest(Socket s, ByteRing toGuest) {
        Thread me = Thread.currentThread();
        toGuest.writerWaker(() -> LockSupport.unpark(me));
        byte[] buf = new byte[PUMP_BUFFER];
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    toGuest.closeWriter();
                    return;
                }
                for (int off = 0; off < n; ) {
                    int put = toGuest.write(buf, off, n - off);
                    if (put == StreamDescriptor.WOULD_BLOCK) {
                        LockSupport.parkNanos(10_000_000); // until the guest reads (or its end closes: EPIPE)
                        continue;
                    }
                    off += put;
                }
            }
        } catch (StreamException e) {
            // The guest closed its end (EPIPE) or reset it: the host connection goes too.
            reset(s);
        } catch (IOException e) {
            toGuest.reset(); // the host connection failed or was reset: the guest's reads say so
        }
    }

    private void guestToHost(Socket s, ByteRing fromGuest, ByteRing toGuest) {
        Thread me = Thread.currentThread();
        fromGuest.readerWaker(() -> LockSupport.unpark(me));
        byte[] buf = new byte[PUMP_BUFFER];
        try {
            OutputStream out = s.getOutputStream();
            while (true) {
                int n = fromGuest.read(buf, 0, buf.length, false);
                if (n == StreamDescriptor.WOULD_BLOCK) {
                    // Until the guest writes; its end always closes with its cell (the end of
                    // the stream, or a reset), so the pump drains what is left and never spins on.
                    LockSupport.parkNanos(10_000_000);
                    continue;
                }
                if (n == 0) {
                    s.shutdownOutput(); // the guest closed or shut down writing: FIN to the host
                    return;
                }
                out.write(buf, 0, n);
            }
        } catch (StreamException e) {
            reset(s); // the guest reset the connection
        } catch (IOException e) {
            fromGuest.closeReader(); // the host went away: the guest's writes get EPIPE
            toGuest.reset();
        }
    }

    /**
     * Sends what the guest wrote without waiting to coalesce it (no Nagle): the pump writes what
     * the guest's writes put in the ring, so the guest's own writes already decide the segments.
     */
    private static void noDelay(Socket s) {
        try {
            s.setTcpNoDelay(true);
        } catch (SocketException e) {
            // A socket already closed: the pump will find out.
        }
    }

    /** Closes {@code s} abortively (RST), as a refused or reset connection is. */
    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException e) {
            // Already closed: nothing to reset.
        }
        sockets.remove(s);
        closeQuietly(s);
    }

    private void closeQuietly(java.io.Closeable c) {
        try {
            opened.remove(c);
            c.close();
        } catch (IOException e) {
            // Closing a host socket that failed: nothing more can be done, and the guest is told by its rings.
        }
    }

    /** Closes the host listening sockets now, and the cell's host connections once drained (or after {@link #DRAIN_MILLIS}). */
    void close() {
        closed = true;
        servers.values().forEach(this::closeQuietly);
        if (!sockets.isEmpty()) {
            Thread.ofVirtual().name("cella-net-drain").start(() -> {
                long end = System.nanoTime() + DRAIN_MILLIS * 1_000_000;
                while (!sockets.isEmpty() && System.nanoTime() - end < 0) {
                    LockSupport.parkNanos(10_000_000);
                }
                for (Socket s : sockets) {
                    closeQuietly(s);
                }
                sockets.clear();
            });
        }
    }
}
