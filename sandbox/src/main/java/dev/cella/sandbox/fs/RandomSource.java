package dev.cella.sandbox.fs;

/**
 * The cell's random source as {@code /dev/urandom} reads it: the same generator as WASI's
 * {@code random_get} (deterministic unless host entropy was granted), so its position in the
 * stream is part of the cell's random state and is checkpointed with it, not with the filesystem.
 */
@FunctionalInterface
public interface RandomSource {
    /** Fills {@code dst[offset..offset+length)} with the next random bytes. */
    void fill(byte[] dst, int offset, int length);

    /** No source: reading {@code /dev/urandom} fails with NOTSUP (filesystems built for tests). */
    RandomSource NONE = (dst, offset, length) -> {
        throw new FsException(FsError.NOTSUP, "this filesystem has no random source for /dev/urandom");
    };
}
