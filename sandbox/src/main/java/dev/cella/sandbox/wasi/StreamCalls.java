package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.GuestMemory.check;
import static dev.cella.sandbox.wasi.GuestMemory.checkIovecs;
import static dev.cella.sandbox.wasi.GuestMemory.iovBuf;
import static dev.cella.sandbox.wasi.GuestMemory.iovLen;
import static dev.cella.sandbox.wasi.GuestMemory.u32;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.vm.BulkWork;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;

/**
 * Reads, writes and the {@code sock_*} calls on stream descriptors (sockets and pipes a host
 * module put in the table, {@link StreamDescriptor}). The stream itself never blocks; a
 * descriptor without {@code FDFLAGS_NONBLOCK} waits here ({@link StreamWait}) until the stream is
 * ready, one with it gets EAGAIN. A stream's own failure (ECONNRESET, EPIPE, a quota) is the
 * call's errno; bytes moved before a failure are reported and the failure comes on the next call,
 * as a POSIX socket reports it.
 */
final class StreamCalls {
    /** sock_recv's ri_flags, sock_accept's flags and the ro_flags it reports. */
    private static final int RECV_PEEK = 1;
    private static final int RECV_WAITALL = 2;
    private static final int SDFLAGS_RD = 1;
    private static final int SDFLAGS_WR = 2;

    private StreamCalls() {}

    /** The stream descriptor {@code fd}: EBADF if not open, ENOTSOCK if not a stream. */
    static Descriptor socket(Wasi w, long fd) {
        Descriptor d = w.fds.get(fd);
        if (d.kind != Descriptor.Kind.STREAM) {
            throw new WasiError(Errno.NOTSOCK);
        }
        return d;
    }

    private static boolean nonblocking(Descriptor d) {
        return (d.fdflags & Abi.FDFLAGS_NONBLOCK) != 0;
    }

    /** One read or write of a stream: the bytes moved, 0 at the end, or WOULD_BLOCK. */
    @FunctionalInterface
    private interface Transfer {
        int apply(byte[] buf, int off, int len);
    }

    /**
     * Reads into the iovecs (already checked): waits for the first byte unless non-blocking, then
     * takes what is there without waiting again (or, with {@code waitAll}, until every iovec is
     * full or the stream ends). A peek sees what is there once and does not drain to fill more.
     */
    static long read(Wasi w, Instance inst, Descriptor d, long iovs, long count, boolean peek, boolean waitAll) {
        return transfer(w, inst, d, iovs, count, (b, off, len) -> d.stream.read(b, off, len, peek),
                StreamDescriptor.READABLE, !waitAll, peek);
    }

    /**
     * Writes the iovecs (already checked): a blocking descriptor waits for room until all is
     * written, a non-blocking one writes what fits (EAGAIN if nothing does).
     */
    static long write(Wasi w, Instance inst, Descriptor d, long iovs, long count) {
        return transfer(w, inst, d, iovs, count, d.stream::write, StreamDescriptor.WRITABLE, false, false);
    }

    /**
     * Moves bytes between the iovecs and the stream, iovec by iovec, until all are done, the
     * stream ends (0), or it would block and {@link #stopOrWait} says to stop. A failure after
     * some bytes moved ends the call with them (the stream reports it again on the next call).
     *
     * @param returnWhatMoved whether a stream that would block ends the call once bytes moved
     * @param once whether the first bytes moved end the call
     */
    private static long transfer(Wasi w, Instance inst, Descriptor d, long iovs, long count, Transfer op, int mask,
            boolean returnWhatMoved, boolean once) {
        Memory m = inst.memory();
        byte[] bytes = m.array();
        long total = 0;
        for (long i = 0; i < count; i++) {
            int len = iovLen(m, iovs, i);
            int off = iovBuf(m, iovs, i);
            int done = 0;
            while (done < len) {
                int n;
                try {
                    n = op.apply(bytes, off + done, len - done);
                } catch (StreamException e) {
                    if (total + done > 0) {
                        return total + done;
                    }
                    throw e;
                }
                if (n == StreamDescriptor.WOULD_BLOCK) {
                    if (stopOrWait(w, inst, d, mask, total + done, returnWhatMoved)) {
                        return total + done;
                    }
                    continue;
                }
                if (n == 0) {
                    return total + done; // the end of the stream
                }
                done += n;
                if (once) {
                    return total + done;
                }
            }
            total += done;
        }
        return total;
    }

    /**
     * What a read or write does when the stream would block, having moved {@code moved} bytes so
     * far: returns true to end the call with them (some were moved and {@code returnWhatMoved},
     * or the descriptor is non-blocking), fails with EAGAIN if nothing was moved on a
     * non-blocking descriptor, else waits until the stream is ready for {@code mask} and returns
     * false (try again).
     */
    private static boolean stopOrWait(Wasi w, Instance inst, Descriptor d, int mask, long moved,
            boolean returnWhatMoved) {
        if (moved > 0 && (returnWhatMoved || nonblocking(d))) {
            return true;
        }
        if (nonblocking(d)) {
            throw new WasiError(Errno.AGAIN);
        }
        w.streamWait.await(inst, d.stream, mask, Long.MAX_VALUE);
        return false;
    }

    /** sock_accept(fd, flags, result_fd_ptr): flags may hold FDFLAGS_NONBLOCK for the new descriptor. */
    static int sockAccept(Wasi w, Instance inst, long[] a) {
        Descriptor d = socket(w, u32(a[0]));
        long flags = u32(a[1]);
        long resultPtr = u32(a[2]);
        check(inst.memory(), resultPtr, 4);
        if ((flags & ~(long) Abi.FDFLAGS_NONBLOCK) != 0) {
            return Errno.INVAL;
        }
        if ((d.rightsBase & Abi.RIGHT_SOCK_ACCEPT) == 0) {
            return Errno.NOTCAPABLE;
        }
        w.fds.beforeGuestOpen();
        StreamDescriptor conn;
        while ((conn = d.stream.accept()) == null) {
            if (nonblocking(d)) {
                return Errno.AGAIN;
            }
            w.streamWait.await(inst, d.stream, StreamDescriptor.READABLE, Long.MAX_VALUE);
        }
        Descriptor nd = Descriptor.stream(conn);
        nd.fdflags = (int) flags;
        conn.waker(w.streamWait.waker());
        int fd = w.fds.add(nd);
        inst.memory().writeI32(resultPtr, fd);
        return Errno.SUCCESS;
    }

    /** sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen_ptr, ro_flags_ptr). */
    static int sockRecv(Wasi w, Instance inst, long[] a) {
        Descriptor d = socket(w, u32(a[0]));
        Memory m = inst.memory();
        long iovs = u32(a[1]);
        long count = u32(a[2]);
        long flags = u32(a[3]);
        long lenPtr = u32(a[4]);
        long flagsPtr = u32(a[5]);
        check(m, lenPtr, 4);
        check(m, flagsPtr, 2);
        checkIovecs(m, iovs, count);
        if ((flags & ~(long) (RECV_PEEK | RECV_WAITALL)) != 0) {
            return Errno.INVAL;
        }
        long n = read(w, inst, d, iovs, count, (flags & RECV_PEEK) != 0, (flags & RECV_WAITALL) != 0);
        m.writeI32(lenPtr, (int) n);
        m.writeU16(flagsPtr, 0);
        BulkWork.chargeHost(inst, n);
        return Errno.SUCCESS;
    }

    /** sock_send(fd, si_data, si_data_len, si_flags, so_datalen_ptr): no flags are defined. */
    static int sockSend(Wasi w, Instance inst, long[] a) {
        Descriptor d = socket(w, u32(a[0]));
        Memory m = inst.memory();
        long iovs = u32(a[1]);
        long count = u32(a[2]);
        long lenPtr = u32(a[4]);
        check(m, lenPtr, 4);
        checkIovecs(m, iovs, count);
        if (u32(a[3]) != 0) {
            return Errno.INVAL;
        }
        long n = write(w, inst, d, iovs, count);
        m.writeI32(lenPtr, (int) n);
        BulkWork.chargeHost(inst, n);
        return Errno.SUCCESS;
    }

    /** sock_shutdown(fd, how): how is SDFLAGS_RD, SDFLAGS_WR or both. */
    static int sockShutdown(Wasi w, Instance inst, long[] a) {
        Descriptor d = socket(w, u32(a[0]));
        long how = u32(a[1]);
        if (how == 0 || (how & ~(long) (SDFLAGS_RD | SDFLAGS_WR)) != 0) {
            return Errno.INVAL;
        }
        if ((d.rightsBase & Abi.RIGHT_SOCK_SHUTDOWN) == 0) {
            return Errno.NOTCAPABLE;
        }
        d.stream.shutdown((how & SDFLAGS_RD) != 0, (how & SDFLAGS_WR) != 0);
        return Errno.SUCCESS;
    }
}
