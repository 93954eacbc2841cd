package dev.cella.sandbox.fs;

/**
 * What the handles on in-memory nodes (files and devices) share: whether they may write, the
 * filesystem's meter, and being closed. Their data lives in the node, so there is nothing to
 * flush and closing releases nothing.
 */
abstract sealed class MemHandle implements FileHandle permits MemFileHandle, DeviceHandle {
    private final boolean writable;
    final FsMeter meter;
    private boolean closed;

    MemHandle(boolean writable, FsMeter meter) {
        this.writable = writable;
        this.meter = meter;
    }

    /** Fails (INVAL) once the handle is closed. */
    final void checkOpen() {
        if (closed) {
            throw new FsException(FsError.INVAL, "file handle is closed");
        }
    }

    /** Fails (ROFS) unless the handle was opened for writing. */
    final void checkWritable() {
        if (!writable) {
            throw new FsException(FsError.ROFS, "file not open for writing");
        }
    }

    @Override
    public final void sync() {
        checkOpen();
    }

    @Override
    public final boolean writable() {
        return writable;
    }

    @Override
    public final void close() {
        closed = true;
    }
}
