package dev.cella.sandbox.fs;

/**
 * A node's attributes, as WASI's {@code filestat} reports them. Times are nanoseconds since the
 * epoch (virtual for in-memory nodes, the host's for mounted ones: the WASI layer hides those
 * unless the cell was given the host clock).
 *
 * @param dev device: 1 for the in-memory filesystem, 2 + the mount's index for a mount
 * @param ino serial number, unique within {@code dev}
 * @param type the kind of node
 * @param nlink number of hard links
 * @param size bytes for a file, target length for a symbolic link, entries for an in-memory
 *     directory (the host's figure for a mounted one)
 * @param atim last access
 * @param mtim last modification
 * @param ctim last status change
 */
public record FileStat(long dev, long ino, FileType type, long nlink, long size, long atim, long mtim, long ctim) {
    /** True for a node of a mounted host directory (whose times are the host's). */
    public boolean mounted() {
        return dev > VirtualFileSystem.MEM_DEV;
    }

    /** The same attributes with all three times set to {@code nanos}. */
    public FileStat withTimes(long nanos) {
        return new FileStat(dev, ino, type, nlink, size, nanos, nanos, nanos);
    }
}
