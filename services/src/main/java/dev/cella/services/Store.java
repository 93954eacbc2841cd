package dev.cella.services;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The one H2 MVStore under every namespace: in memory, or one file in the data directory.
 *
 * <p>Durability rule: every change to the store is made under {@link #lock} and committed
 * ({@link #commit}) before the lock is released and before the call that made it returns, so
 * whatever a caller was told succeeded is in the file (a chunk written through the OS) even if
 * the JVM is killed right after. MVStore's background auto-commit is off: it could otherwise
 * write half of a database transaction's changes in one chunk. A chunk is all or nothing on
 * reopen, so a transaction's writes (applied in one locked step) are too.
 *
 * <p>Keys are stored as Strings of ISO-8859-1 characters, one per byte, so that MVStore's String
 * order is the unsigned byte order guests expect of prefix scans and ordered tables.
 */
final class Store implements AutoCloseable {
    /** The file name inside the data directory. */
    static final String FILE = "services.mv.db";

    final ReentrantLock lock = new ReentrantLock();
    private final MVStore mv;
    private final boolean persistent;
    private final boolean sync;

    /**
     * Opens the store in {@code dir}, creating it if needed, or in memory when {@code dir} is null.
     *
     * @param sync also force each commit to the disk (survives power loss, not only a killed JVM)
     */
    Store(Path dir, boolean sync) {
        MVStore.Builder b = new MVStore.Builder().autoCommitDisabled();
        if (dir != null) {
            b.fileName(dir.resolve(FILE).toString());
        }
        this.mv = b.open();
        this.persistent = dir != null;
        this.sync = sync;
    }

    boolean persistent() {
        return persistent;
    }

    <K> MVMap<K, byte[]> map(String name) {
        return mv.openMap(name);
    }

    Set<String> mapNames() {
        return mv.getMapNames();
    }

    /** Makes the changes so far durable; the caller holds {@link #lock}. */
    void commit() {
        if (persistent) {
            mv.commit();
            if (sync) {
                mv.sync();
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!mv.isClosed()) {
                mv.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A guest's key bytes as a store key (one char per byte, so the order is unsigned byte order). */
    static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** A store key back as bytes. */
    static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }
}
