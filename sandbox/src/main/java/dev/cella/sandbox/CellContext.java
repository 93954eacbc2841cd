package dev.cella.sandbox;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;

/** What a {@link CellExtension} may do with its cell: put stream descriptors in its table and find them again. */
public interface CellContext {
    /**
     * Puts {@code stream} in the cell's descriptor table under the lowest free number; it counts
     * against the open-files quota like a file the guest opened, and is closed when the cell ends.
     *
     * @return the descriptor number
     * @throws StreamException EMFILE if the open-files quota is reached (the stream is not added)
     */
    int open(StreamDescriptor stream);

    /**
     * The stream descriptor {@code fd}.
     *
     * @throws StreamException EBADF if {@code fd} is not open, ENOTSOCK if it is not a stream
     */
    StreamDescriptor stream(int fd);

    /**
     * Runs {@code action} once when the cell's run ends or the cell is closed (after its
     * descriptors were closed): where a host module releases what it holds for the cell (host
     * listening sockets, registrations on a network).
     */
    void onClose(Runnable action);
}
