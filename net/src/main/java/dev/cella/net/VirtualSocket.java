package dev.cella.net;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.sandbox.stream.WasiErrno;
import java.util.ArrayDeque;

/**
 * A guest's TCP-like socket on a virtual network: created unbound ({@code sock_open}), then
 * either a listener ({@code sock_bind}, {@code sock_listen}) whose accept queue holds connections
 * waiting for {@code sock_accept}, or a connection ({@code sock_connect}, or accepted) over two
 * {@link ByteRing}s shared with its peer.
 *
 * <p>Closing a connection whose inbound ring still holds unread bytes resets it (the peer's next
 * read fails with ECONNRESET), as TCP does; otherwise the close is orderly (the peer reads the
 * end of the stream, and its writes fail with EPIPE). Closing a listener resets the connections
 * still waiting in its queue.
 *
 * <p>The state changes on the owning cell's thread; a peer touches only the rings and the accept
 * queue, which are synchronized.
 */
final class VirtualSocket implements StreamDescriptor {
    enum State { OPEN, BOUND, LISTENING, CONNECTED, CLOSED }

    /** The cell's network host that accounts for this socket, or null for a host bridge's end. */
    final NetHost owner;
    volatile State state = State.OPEN;
    Address local;
    Address peer;
    private ByteRing in;
    private ByteRing out;
    private ArrayDeque<VirtualSocket> queue;
    private int backlog;
    private volatile Runnable waker = () -> { };
    private boolean closed;

    VirtualSocket(NetHost owner) {
        this.owner = owner;
    }

    /** Makes a connected pair over two fresh rings of {@code capacity} bytes each. */
    static VirtualSocket[] pair(NetHost a, NetHost b, int capacity, Address aAddr, Address bAddr) {
        ByteRing ab = new ByteRing(capacity);
        ByteRing ba = new ByteRing(capacity);
        VirtualSocket x = new VirtualSocket(a);
        VirtualSocket y = new VirtualSocket(b);
        x.connect(ba, ab, aAddr, bAddr);
        y.connect(ab, ba, bAddr, aAddr);
        return new VirtualSocket[] {x, y};
    }

    void connect(ByteRing in, ByteRing out, Address local, Address peer) {
        this.in = in;
        this.out = out;
        this.local = local;
        this.peer = peer;
        in.readerWaker(waker);
        out.writerWaker(waker);
        state = State.CONNECTED;
    }

    ByteRing inbound() {
        return in;
    }

    ByteRing outbound() {
        return out;
    }

    /** Turns a bound socket into a listener with an accept queue of {@code backlog} connections. */
    void listen(int backlog) {
        synchronized (this) {
            this.queue = new ArrayDeque<>();
            this.backlog = Math.max(1, backlog);
        }
        state = State.LISTENING;
    }

    /**
     * Queues connection end {@code s} for accept (called by the connecting side, any thread).
     *
     * @return false if the listener is closed or its queue is full: the connection is refused
     */
    boolean offer(VirtualSocket s) {
        synchronized (this) {
            if (state != State.LISTENING || queue.size() >= backlog) {
                return false;
            }
            queue.add(s);
        }
        waker.run();
        return true;
    }

    @Override
    public boolean isSocket() {
        return true;
    }

    @Override
    public int read(byte[] b, int off, int len, boolean peek) {
        ByteRing r = connected().in;
        int allowed = owner == null ? len : owner.beforeReceive(len);
        int n = r.read(b, off, allowed, peek);
        if (n > 0 && owner != null && !peek) {
            owner.received(n);
        }
        return n;
    }

    @Override
    public int write(byte[] b, int off, int len) {
        ByteRing r = connected().out;
        int allowed = owner == null ? len : owner.beforeSend(len);
        int n = r.write(b, off, allowed);
        if (n > 0 && owner != null) {
            owner.sent(n);
        }
        return n;
    }

    private VirtualSocket connected() {
        if (state != State.CONNECTED) {
            throw new StreamException(WasiErrno.NOTCONN);
        }
        return this;
    }

    @Override
    public StreamDescriptor accept() {
        if (state != State.LISTENING) {
            throw new StreamException(WasiErrno.INVAL, "not a listening socket");
        }
        VirtualSocket s;
        synchronized (this) {
            s = queue.poll();
        }
        if (s != null && owner != null) {
            owner.accepted(s);
        }
        return s;
    }

    @Override
    public void shutdown(boolean read, boolean write) {
        connected();
        if (read) {
            in.closeReader();
        }
        if (write) {
            out.closeWriter();
        }
    }

    @Override
    public int ready() {
        return switch (state) {
            case CONNECTED -> (in.readable() ? READABLE : 0) | (out.writable() ? WRITABLE : 0);
            case LISTENING -> {
                synchronized (this) {
                    yield queue.isEmpty() ? 0 : READABLE;
                }
            }
            // Not connected: a read or write fails at once (ENOTCONN), so neither would block.
            case OPEN, BOUND, CLOSED -> READABLE | WRITABLE;
        };
    }

    @Override
    public long available() {
        return state == State.CONNECTED ? in.available() : 0;
    }

    @Override
    public void waker(Runnable w) {
        this.waker = w;
        if (in != null) {
            in.readerWaker(w);
            out.writerWaker(w);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        State was = state;
        state = State.CLOSED;
        switch (was) {
            case CONNECTED -> {
                if (in.available() > 0) {
                    in.reset();
                    out.reset();
                } else {
                    out.closeWriter();
                    in.closeReader();
                }
            }
            case LISTENING -> {
                VirtualSocket s;
                while (true) {
                    synchronized (this) {
                        s = queue.poll();
                    }
                    if (s == null) {
                        break;
                    }
                    s.abort();
                }
            }
            case OPEN, BOUND, CLOSED -> { }
        }
        if (owner != null) {
            owner.closed(this, was);
        }
    }

    /** Resets a connection (an abortive close: SO_LINGER 0, or a listener that went away). */
    void abort() {
        if (in != null) {
            in.reset();
            out.reset();
        }
        closed = true;
        state = State.CLOSED;
    }
}
