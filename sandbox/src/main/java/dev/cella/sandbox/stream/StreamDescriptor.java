package dev.cella.sandbox.stream;

/**
 * A descriptor whose bytes come from and go to something outside the cell's filesystem: a
 * socket, a listening socket or a pipe, provided by a host module (the virtual network) and held
 * in the cell's descriptor table like a file. WASI's {@code fd_read}, {@code fd_write}, {@code
 * fd_close}, {@code fd_fdstat_*}, {@code poll_oneoff} and {@code sock_*} calls work on it.
 *
 * <p>Every operation is non-blocking: one that cannot make progress returns {@link
 * #WOULD_BLOCK} (or null), and the sandbox decides whether to wait (a blocking descriptor:
 * until {@link #ready()} says so, woken by the waker, giving the cell's scheduler slot away
 * meanwhile) or to return EAGAIN (a descriptor with {@code FDFLAGS_NONBLOCK}). An operation that
 * fails throws {@link StreamException} with the errno the guest gets.
 *
 * <p>Thread safety: the owning cell calls the operations on its thread; {@link #ready()} and the
 * waker may run on any thread, so an implementation's state is safely published between them.
 */
public interface StreamDescriptor {
    /** {@link #ready()}: a read or accept would not block (data, end of stream, an error, or a connection waiting). */
    int READABLE = 1;
    /** {@link #ready()}: a write would not block (room in the buffer, or an error to report). */
    int WRITABLE = 2;
    /** What {@link #read} and {@link #write} return when they would block. */
    int WOULD_BLOCK = -1;

    /** True for a socket (WASI filetype {@code socket_stream}), false for a pipe (filetype unknown). */
    boolean isSocket();

    /**
     * Moves up to {@code len} bytes into {@code buf} (leaves them in the stream if {@code peek}).
     *
     * @return the bytes moved (at least 1 if {@code len > 0}), 0 at the end of the stream, or
     *     {@link #WOULD_BLOCK}
     * @throws StreamException ECONNRESET, ENOTCONN, or the host module's own refusals
     */
    int read(byte[] buf, int off, int len, boolean peek);

    /**
     * Moves up to {@code len} bytes from {@code buf} into the stream; fewer when its buffer has
     * less room (backpressure).
     *
     * @return the bytes moved (at least 1 if {@code len > 0}), or {@link #WOULD_BLOCK}
     * @throws StreamException EPIPE (the peer will not read any more), ECONNRESET, ENOTCONN
     */
    int write(byte[] buf, int off, int len);

    /**
     * Takes the next waiting connection of a listening socket.
     *
     * @return the connection's descriptor, or null if none waits
     * @throws StreamException EINVAL if this is not a listening socket
     */
    StreamDescriptor accept();

    /**
     * Shuts down reading, writing or both ({@code sock_shutdown}); a shut writing side gives the
     * peer the end of the stream once it has read what was sent.
     *
     * @throws StreamException ENOTCONN if the socket is not connected
     */
    void shutdown(boolean read, boolean write);

    /** What would not block now: a combination of {@link #READABLE} and {@link #WRITABLE}. */
    int ready();

    /** Bytes a read would return at once (poll_oneoff's {@code nbytes}), 0 if unknown. */
    long available();

    /**
     * Sets what to run (on any thread) whenever {@link #ready()} may have changed; the sandbox
     * sets it once, when the descriptor joins a table, to wake the cell's thread if it waits.
     */
    void waker(Runnable waker);

    /** Closes the descriptor: a connection's peer sees the end of the stream (or a reset), a listener stops. Idempotent. */
    void close();
}
