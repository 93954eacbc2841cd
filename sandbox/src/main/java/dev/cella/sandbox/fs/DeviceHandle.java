package dev.cella.sandbox.fs;

import java.util.Arrays;

/**
 * An open character device of {@code /dev} (see {@link MemNode.Device}). Devices have no size and
 * ignore positions. Nothing written to one is stored, so writes never ask the {@link FsMeter}
 * (no disk quota) and never count as output; reads are reported to it like a file's, and the
 * WASI layer charges fuel for them as for any read.
 */
final class DeviceHandle extends MemHandle {
    private final MemNode.Device device;
    private final RandomSource random;

    DeviceHandle(MemNode.Device device, boolean writable, FsMeter meter, RandomSource random) {
        super(writable, meter);
        this.device = device;
        this.random = random;
    }

    @Override
    public long size() {
        return 0;
    }

    /** {@code null} is always at its end; {@code zero} and {@code full} give zeros; {@code urandom} the random stream. */
    @Override
    public int read(long position, byte[] dst, int offset, int length) {
        checkOpen();
        switch (device.kind) {
            case NULL -> {
                return 0;
            }
            case ZERO, FULL -> Arrays.fill(dst, offset, offset + length, (byte) 0);
            case URANDOM -> random.fill(dst, offset, length);
        }
        meter.afterRead(length);
        return length;
    }

    /** Discards the bytes, except that {@code full} refuses them (NOSPC), as on Linux. */
    @Override
    public void write(long position, byte[] src, int offset, int length) {
        checkOpen();
        checkWritable();
        if (device.kind == MemNode.Device.Kind.FULL) {
            throw new FsException(FsError.NOSPC, "/dev/full is always full");
        }
    }

    @Override
    public void setSize(long size) {
        checkOpen();
        throw new FsException(FsError.INVAL, "a character device has no size");
    }

    @Override
    public FileStat stat() {
        return VirtualFileSystem.memStat(device);
    }
}
