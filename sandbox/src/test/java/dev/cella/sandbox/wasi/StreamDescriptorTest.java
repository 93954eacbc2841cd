package dev.cella.sandbox.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.sandbox.stream.WasiErrno;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's side of stream descriptors, with a stream of its own (no network): fd_read,
 * fd_write, non-blocking EAGAIN, poll_oneoff readiness and timeouts, the sock_* calls and their
 * errors, fd_fdstat_get, and the descriptor's close.
 */
class StreamDescriptorTest {
    /** A loop-back stream: what is written is read back; at most {@code capacity} bytes buffered. */
    static final class Loop implements StreamDescriptor {
        final ArrayDeque<Byte> bytes = new ArrayDeque<>();
        final int capacity;
        boolean ended;
        boolean closed;
        final ArrayDeque<StreamDescriptor> pending = new ArrayDeque<>();

        Loop(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public boolean isSocket() {
            return true;
        }

        @Override
        public int read(byte[] buf, int off, int len, boolean peek) {
            if (bytes.isEmpty()) {
                return ended ? 0 : WOULD_BLOCK;
            }
            int n = Math.min(len, bytes.size());
            for (int i = 0; i < n; i++) {
                buf[off + i] = peek ? (byte) 0 : bytes.poll();
            }
            return n;
        }

        @Override
        public int write(byte[] buf, int off, int len) {
            if (ended) {
                throw new StreamException(WasiErrno.PIPE);
            }
            int n = Math.min(len, capacity - bytes.size());
            if (n == 0) {
                return WOULD_BLOCK;
            }
            for (int i = 0; i < n; i++) {
                bytes.add(buf[off + i]);
            }
            return n;
        }

        @Override
        public StreamDescriptor accept() {
            return pending.poll();
        }

        @Override
        public void shutdown(boolean read, boolean write) {
            ended |= write;
        }

        @Override
        public int ready() {
            return (bytes.isEmpty() && !ended && pending.isEmpty() ? 0 : READABLE)
                    | (bytes.size() < capacity ? WRITABLE : 0);
        }

        @Override
        public long available() {
            return bytes.size();
        }

        @Override
        public void waker(Runnable waker) {}

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void readsWritesAndNonblockingAgain() {
        WasiHarness h = new WasiHarness();
        Loop loop = new Loop(4);
        int fd = h.wasi.openStream(loop);
        int nPtr = h.alloc(4);
        int buf = h.str("hello");
        assertEquals(Errno.SUCCESS, h.call("fd_fdstat_set_flags", fd, Abi.FDFLAGS_NONBLOCK));
        assertEquals(Errno.SUCCESS, h.call("fd_write", fd, h.iov(buf, 5), 1, nPtr));
        assertEquals(4, h.u32(nPtr), "a non-blocking write takes what fits");
        assertEquals(Errno.AGAIN, h.call("fd_write", fd, h.iov(buf, 5), 1, nPtr));
        int in = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_read", fd, h.iov(in, 8), 1, nPtr));
        assertEquals(4, h.u32(nPtr));
        assertEquals("hell", h.string(in, 4));
        assertEquals(Errno.AGAIN, h.call("fd_read", fd, h.iov(in, 8), 1, nPtr));
        assertEquals(Errno.AGAIN, h.call("sock_accept", fd, 0, nPtr));
        loop.shutdown(false, true);
        assertEquals(Errno.SUCCESS, h.call("fd_read", fd, h.iov(in, 8), 1, nPtr));
        assertEquals(0, h.u32(nPtr), "the end of the stream");
        assertEquals(Errno.PIPE, h.call("sock_send", fd, h.iov(buf, 1), 1, 0, nPtr));
        int st = h.alloc(24);
        assertEquals(Errno.SUCCESS, h.call("fd_fdstat_get", fd, st));
        assertEquals(6, h.u32(st) & 0xFF, "socket_stream");
        assertEquals(Errno.SPIPE, h.call("fd_seek", fd, 0, 0, h.alloc(8)));
        assertEquals(Errno.SUCCESS, h.call("fd_close", fd));
        assertTrue(loop.closed);
        assertEquals(Errno.BADF, h.call("sock_shutdown", fd, 2));
    }

    @Test
    void sockCallsOnOtherDescriptorsAreNotSockets() {
        WasiHarness h = new WasiHarness();
        int p = h.alloc(8);
        assertEquals(Errno.NOTSOCK, h.call("sock_accept", 0, 0, p));
        assertEquals(Errno.NOTSOCK, h.call("sock_recv", 1, h.iov(p, 1), 1, 0, p, p + 4));
        assertEquals(Errno.NOTSOCK, h.call("sock_send", 3, h.iov(p, 1), 1, 0, p));
        assertEquals(Errno.NOTSOCK, h.call("sock_shutdown", 2, 1));
        assertEquals(Errno.BADF, h.call("sock_shutdown", 77, 1));
        int fd = h.wasi.openStream(new Loop(1));
        assertEquals(Errno.INVAL, h.call("sock_shutdown", fd, 0));
        assertEquals(Errno.INVAL, h.call("sock_send", fd, h.iov(p, 1), 1, 1, p));
        assertEquals(Errno.INVAL, h.call("sock_accept", fd, 1, p));
        StreamException e = assertThrows(StreamException.class, () -> h.wasi.stream(0));
        assertEquals(WasiErrno.NOTSOCK, e.errno());
    }

    @Test
    void acceptPutsTheConnectionInTheTable() {
        WasiHarness h = new WasiHarness();
        Loop listener = new Loop(1);
        Loop conn = new Loop(8);
        listener.pending.add(conn);
        int fd = h.wasi.openStream(listener);
        int p = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("sock_accept", fd, Abi.FDFLAGS_NONBLOCK, p));
        assertEquals(conn, h.wasi.stream(h.u32(p)));
        assertEquals(2, h.wasi.openStreams());
        h.wasi.close();
        assertTrue(conn.closed && listener.closed, "a cell's end closes its streams");
    }

    @Test
    void pollWaitsForReadinessOrItsTimeout() {
        WasiHarness h = new WasiHarness();
        Loop loop = new Loop(8);
        int fd = h.wasi.openStream(loop);
        int subs = h.alloc(96);
        int events = h.alloc(64);
        int n = h.alloc(4);
        // fd_read on the empty stream, and a 1 ms relative clock
        h.mem.writeI64(subs, 1);
        h.mem.writeU8(subs + 8, Abi.EVENTTYPE_FD_READ);
        h.mem.writeI32(subs + 16, fd);
        h.mem.writeI64(subs + 48, 2);
        h.mem.writeU8(subs + 56, Abi.EVENTTYPE_CLOCK);
        h.mem.writeI32(subs + 64, 1);
        h.mem.writeI64(subs + 72, 1_000_000);
        assertEquals(Errno.SUCCESS, h.call("poll_oneoff", subs, events, 2, n));
        assertEquals(1, h.u32(n), "only the clock fired");
        assertEquals(2, h.u64(events));
        loop.bytes.add((byte) 1);
        assertEquals(Errno.SUCCESS, h.call("poll_oneoff", subs, events, 2, n));
        assertEquals(1, h.u32(n), "the stream is ready at once, the clock has not fired");
        assertEquals(1, h.u64(events));
        assertEquals(1, h.u64(events + 16), "nbytes");
    }
}
