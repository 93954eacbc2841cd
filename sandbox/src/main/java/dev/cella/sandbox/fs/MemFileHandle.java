package dev.cella.sandbox.fs;

import java.util.Arrays;
import java.util.function.LongSupplier;

/** An open in-memory file. Several handles may share one {@link MemNode.File}. */
final class MemFileHandle implements FileHandle {
    private final MemNode.File file;
    private final boolean writable;
    private final FsMeter meter;
    private final LongSupplier clock;
    private boolean closed;

    MemFileHandle(MemNode.File file, boolean writable, FsMeter meter, LongSupplier clock) {
        this.file = file;
        this.writable = writable;
        this.meter = meter;
        this.clock = clock;
    }

    private void checkOpen() {
        if (closed) {
            throw new FsException(FsError.INVAL, "file handle is closed");
        }
    }

    @Override
    public long size() {
        return file.size;
    }

    @Override
    public int read(long position, byte[] dst, int offset, int length) {
        checkOpen();
        if (position >= file.size) {
            return 0;
        }
        int n = (int) Math.min(length, file.size - position);
        System.arraycopy(file.data, (int) position, dst, offset, n);
        file.atim = clock.getAsLong();
        meter.afterRead(n);
        return n;
    }

    @Override
    public void write(long position, byte[] src, int offset, int length) {
        checkOpen();
        if (!writable) {
            throw new FsException(FsError.ROFS, "file not open for writing");
        }
        long end = position + length;
        if (position < 0 || end > MemNode.File.MAX_SIZE) {
            throw new FsException(FsError.FBIG, "in-memory file would pass " + MemNode.File.MAX_SIZE + " bytes");
        }
        meter.beforeWrite(length + Math.max(0, position - file.size));
        ensureCapacity((int) end);
        System.arraycopy(src, offset, file.data, (int) position, length);
        file.size = Math.max(file.size, (int) end);
        file.mtim = clock.getAsLong();
    }

    @Override
    public void setSize(long size) {
        checkOpen();
        if (!writable) {
            throw new FsException(FsError.ROFS, "file not open for writing");
        }
        if (size < 0 || size > MemNode.File.MAX_SIZE) {
            throw new FsException(FsError.FBIG, "in-memory file size " + size);
        }
        if (size > file.size) {
            meter.beforeWrite(size - file.size);
            ensureCapacity((int) size);
        } else {
            // Zero the cut-off tail so that a later extension reads zeros, not old bytes.
            Arrays.fill(file.data, (int) size, file.size, (byte) 0);
        }
        file.size = (int) size;
        file.mtim = clock.getAsLong();
    }

    /** Empties {@code file} (O_TRUNC); shrinking needs no quota. */
    static void truncateToZero(MemNode.File file, long now) {
        java.util.Arrays.fill(file.data, 0, file.size, (byte) 0);
        if (file.size > 0) {
            file.mtim = now;
        }
        file.size = 0;
    }

    private void ensureCapacity(int needed) {
        if (needed > file.data.length) {
            long grown = Math.max(needed, Math.min(MemNode.File.MAX_SIZE, 2L * file.data.length + 64));
            file.data = Arrays.copyOf(file.data, (int) grown);
        }
    }

    @Override
    public void sync() {
        checkOpen();
    }

    @Override
    public FileStat stat() {
        return VirtualFileSystem.memStat(file);
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public void close() {
        closed = true;
    }
}
