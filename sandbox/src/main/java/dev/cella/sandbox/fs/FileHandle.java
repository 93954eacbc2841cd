package dev.cella.sandbox.fs;

/**
 * An open regular file. Positions are explicit (the WASI layer keeps each descriptor's offset),
 * so the same handle serves read, pread, write and pwrite. Every method throws
 * {@link FsException} on failure; writes and resizes first ask the filesystem's {@link FsMeter},
 * which may throw a quota error, in which case nothing was written.
 */
public interface FileHandle {
    /** The file's current size in bytes. */
    long size();

    /**
     * Reads up to {@code length} bytes at {@code position} into {@code dst[offset..]}.
     *
     * @return the number of bytes read; 0 at or past the end of the file
     */
    int read(long position, byte[] dst, int offset, int length);

    /**
     * Writes {@code src[offset..offset+length)} at {@code position}, extending the file (with a
     * zero-filled hole if {@code position} is past the end).
     *
     * @throws FsException ROFS if the handle is read-only, FBIG past the largest size
     */
    void write(long position, byte[] src, int offset, int length);

    /** Truncates or zero-extends the file to {@code size} bytes. */
    void setSize(long size);

    /** Forces written data to the host's storage (a no-op in memory). */
    void sync();

    /** The file's attributes. */
    FileStat stat();

    /** True if the handle was opened for writing. */
    boolean writable();

    /** Releases the handle; further use fails. Closing twice is harmless. */
    void close();
}
