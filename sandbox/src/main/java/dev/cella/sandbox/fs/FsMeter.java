package dev.cella.sandbox.fs;

/**
 * What a filesystem reports to its cell and asks before it grows: the sandbox implements it to
 * enforce the disk and files-created quotas. The {@code before*} methods may throw to refuse (an
 * {@link FsException}, DQUOT, which the guest gets as its errno); the filesystem has then changed
 * nothing.
 */
public interface FsMeter {
    /** Called before {@code bytes} are written to a file (data plus any hole a write or resize opens). */
    void beforeWrite(long bytes);

    /** Called before a file, directory or symbolic link is created. */
    void beforeCreate();

    /** Called after {@code bytes} were read from a file. */
    void afterRead(long bytes);

    /** A meter that allows everything and counts nothing. */
    FsMeter UNLIMITED = new FsMeter() {
        @Override
        public void beforeWrite(long bytes) {}

        @Override
        public void beforeCreate() {}

        @Override
        public void afterRead(long bytes) {}
    };
}
