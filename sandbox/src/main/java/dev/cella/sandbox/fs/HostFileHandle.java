package dev.cella.sandbox.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * An open file in a mounted host directory. Writes go straight to the host file through a
 * {@link FileChannel} (no buffering in the sandbox), so whatever a guest wrote before it trapped,
 * hit a quota or was killed is already in the host file.
 */
final class HostFileHandle implements FileHandle {
    private final FileChannel channel;
    private final HostMount mount;
    private final String rel;
    private final boolean writable;
    private final FsMeter meter;

    HostFileHandle(FileChannel channel, HostMount mount, String rel, boolean writable, FsMeter meter) {
        this.channel = channel;
        this.mount = mount;
        this.rel = rel;
        this.writable = writable;
        this.meter = meter;
    }

    private String what() {
        return mount.describe(rel);
    }

    @Override
    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw HostMount.map(e, what());
        }
    }

    @Override
    public int read(long position, byte[] dst, int offset, int length) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(dst, offset, length);
            int total = 0;
            while (buf.hasRemaining()) {
                int n = channel.read(buf, position + total);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
            meter.afterRead(total);
            return total;
        } catch (IOException e) {
            throw HostMount.map(e, what());
        }
    }

    @Override
    public void write(long position, byte[] src, int offset, int length) {
        if (!writable || mount.readOnly()) {
            throw new FsException(FsError.ROFS, what());
        }
        if (position < 0 || position + length < 0) {
            throw new FsException(FsError.FBIG, what());
        }
        try {
            meter.beforeWrite(length + Math.max(0, position - channel.size()));
            ByteBuffer buf = ByteBuffer.wrap(src, offset, length);
            long at = position;
            while (buf.hasRemaining()) {
                at += channel.write(buf, at);
            }
        } catch (IOException e) {
            throw HostMount.map(e, what());
        }
    }

    @Override
    public void setSize(long size) {
        if (!writable || mount.readOnly()) {
            throw new FsException(FsError.ROFS, what());
        }
        if (size < 0) {
            throw new FsException(FsError.INVAL, what());
        }
        try {
            long old = channel.size();
            if (size < old) {
                channel.truncate(size);
            } else if (size > old) {
                meter.beforeWrite(size - old);
                // FileChannel cannot extend by truncate: write the last byte; the gap reads as zeros.
                channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        } catch (IOException e) {
            throw HostMount.map(e, what());
        }
    }

    @Override
    public void sync() {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw HostMount.map(e, what());
        }
    }

    @Override
    public FileStat stat() {
        // The size is the open file's; the rest is whatever now sits at the file's path, which a
        // rename or removal may have changed (it is still a node of this mount).
        long size = size();
        try {
            FileStat st = mount.stat(rel);
            if (st.type() == FileType.REGULAR_FILE) {
                return new FileStat(st.dev(), st.ino(), st.type(), st.nlink(), size, st.atim(), st.mtim(), st.ctim());
            }
        } catch (FsException e) {
            // Renamed or removed: report what the handle itself knows.
        }
        return new FileStat(mount.dev(), 0, FileType.REGULAR_FILE, 1, size, 0, 0, 0);
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing can only fail after the data was handed to the host; nothing to undo.
        }
    }
}
