package dev.cella.sandbox.fs;

import java.util.Arrays;
import java.util.function.LongSupplier;

/** An open in-memory file. Several handles may share one {@link MemNode.File}. */
final class MemFileHandle extends MemHandle {
    private final MemNode.File file;
    private final LongSupplier clock;

    MemFileHandle(MemNode.File file, boolean writable, FsMeter meter, LongSupplier clock) {
        super(writable, meter);
        this.file = file;
        this.clock = clock;
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
        checkWritable();
        long end = position + length;
        if (position < 0 || end > MemNode.File.MAX_SIZE) {
            throw new FsException(FsError.FBIG, "in-memory file would pass " + MemNode.File.MAX_SIZE + " bytes");
        }
        meter.beforeWrite(length + Math.max(0, position - file.size));
        unshare(file);
        ensureCapacity((int) end);
        System.arraycopy(src, offset, file.data, (int) position, length);
        file.size = Math.max(file.size, (int) end);
        file.mtim = clock.getAsLong();
    }

    @Override
    public void setSize(long size) {
        checkOpen();
        checkWritable();
        if (size < 0 || size > MemNode.File.MAX_SIZE) {
            throw new FsException(FsError.FBIG, "in-memory file size " + size);
        }
        unshare(file);
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
        if (file.shared) {
            file.data = new byte[0];
            file.shared = false;
        } else {
            java.util.Arrays.fill(file.data, 0, file.size, (byte) 0);
        }
        if (file.size > 0) {
            file.mtim = now;
        }
        file.size = 0;
    }

    /** Gives {@code file} its own copy of a shared array before it is changed (see {@link MemNode.File#shared}). */
    private static void unshare(MemNode.File file) {
        if (file.shared) {
            file.data = Arrays.copyOf(file.data, file.size);
            file.shared = false;
        }
    }

    private void ensureCapacity(int needed) {
        if (needed > file.data.length) {
            long grown = Math.max(needed, Math.min(MemNode.File.MAX_SIZE, 2L * file.data.length + 64));
            file.data = Arrays.copyOf(file.data, (int) grown);
        }
    }

    @Override
    public FileStat stat() {
        return VirtualFileSystem.memStat(file);
    }
}
