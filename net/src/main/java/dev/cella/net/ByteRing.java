package dev.cella.net;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.sandbox.stream.WasiErrno;

/**
 * One direction of a connection: a bounded ring of bytes between one writer and one reader, the
 * connection's backpressure (a full ring makes the writer wait). Its ends close separately: the
 * writer's close is the end of the stream once the reader has drained the ring; the reader's
 * close makes further writes fail with EPIPE; a reset (an abortive close) fails both sides at
 * once, reads with ECONNRESET and writes with EPIPE, and discards what was buffered.
 *
 * <p>Guarded by its own monitor; the wakers run outside it, after every change a waiting side
 * may be waiting for (they only unpark a thread).
 */
final class ByteRing {
    private final byte[] buf;
    private int head;
    private int size;
    private boolean writerClosed;
    private boolean readerClosed;
    private boolean reset;
    private volatile Runnable readerWaker = () -> { };
    private volatile Runnable writerWaker = () -> { };

    ByteRing(int capacity) {
        this.buf = new byte[capacity];
    }

    void readerWaker(Runnable r) {
        readerWaker = r;
    }

    void writerWaker(Runnable r) {
        writerWaker = r;
    }

    /** Writes up to {@code len} bytes: the count (at least 1 if len > 0) or WOULD_BLOCK if full. */
    int write(byte[] b, int off, int len) {
        int n;
        synchronized (this) {
            if (reset || readerClosed) {
                throw new StreamException(WasiErrno.PIPE);
            }
            if (writerClosed) {
                throw new StreamException(WasiErrno.PIPE, "the socket's writing side is shut down");
            }
            if (len == 0) {
                return 0;
            }
            n = Math.min(len, buf.length - size);
            if (n == 0) {
                return StreamDescriptor.WOULD_BLOCK;
            }
            int tail = (head + size) % buf.length;
            int first = Math.min(n, buf.length - tail);
            System.arraycopy(b, off, buf, tail, first);
            System.arraycopy(b, off + first, buf, 0, n - first);
            size += n;
        }
        readerWaker.run();
        return n;
    }

    /** Reads up to {@code len} bytes: the count, 0 at the end of the stream, or WOULD_BLOCK if empty. */
    int read(byte[] b, int off, int len, boolean peek) {
        int n;
        synchronized (this) {
            if (reset) {
                throw new StreamException(WasiErrno.CONNRESET);
            }
            if (size == 0) {
                return writerClosed || readerClosed || len == 0 ? 0 : StreamDescriptor.WOULD_BLOCK;
            }
            n = Math.min(len, size);
            int first = Math.min(n, buf.length - head);
            System.arraycopy(buf, head, b, off, first);
            System.arraycopy(buf, 0, b, off + first, n - first);
            if (peek) {
                return n;
            }
            head = (head + n) % buf.length;
            size -= n;
            if (size == 0) {
                head = 0;
            }
        }
        writerWaker.run();
        return n;
    }

    synchronized boolean readable() {
        return size > 0 || writerClosed || readerClosed || reset;
    }

    synchronized boolean writable() {
        return size < buf.length || readerClosed || writerClosed || reset;
    }

    synchronized int available() {
        return size;
    }

    /** The writer is done: the reader sees the end of the stream after the buffered bytes. */
    void closeWriter() {
        synchronized (this) {
            writerClosed = true;
        }
        readerWaker.run();
        writerWaker.run();
    }

    /** The reader is gone: buffered bytes are dropped and the writer's next write fails with EPIPE. */
    void closeReader() {
        synchronized (this) {
            readerClosed = true;
            size = 0;
            head = 0;
        }
        writerWaker.run();
        readerWaker.run();
    }

    /** An abortive close: both sides fail at once, whatever was buffered is dropped. */
    void reset() {
        synchronized (this) {
            reset = true;
            size = 0;
            head = 0;
        }
        readerWaker.run();
        writerWaker.run();
    }

    synchronized boolean writerClosed() {
        return writerClosed;
    }
}
