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
 * <p>Durability rule: every change to the store is made under {@link #lock}, marked with {@link
 * #commit} before the lock is released, and the lock is released with {@link #unlock}, which
 * returns only once a store commit covering the change has been made. So whatever a caller was
 * told succeeded is in the file (a chunk written through the OS) even if the JVM is killed right
 * after. MVStore's background auto-commit is off: it could otherwise write half of a database
 * transaction's changes in one chunk. Store commits are made under {@link #lock} too, so a chunk
 * never holds part of a locked step; a chunk is all or nothing on reopen, so a transaction's
 * writes are too.
 *
 * <p>Group commit: a thread that released the lock after a change waits for a commit to cover
 * it; if no commit is under way it makes one itself (the leader), which covers every change
 * applied until then, by any thread. While one commit writes its chunk the other writers apply
 * their changes and wait, and the next commit covers all of them: the durable write rate grows
 * with the number of concurrent writers instead of being one commit per call.
 *
 * <p>Keys are stored as Strings of ISO-8859-1 characters, one per byte, so that MVStore's String
 * order is the unsigned byte order guests expect of prefix scans and ordered tables.
 */
final class Store implements AutoCloseable {
    /** The file name inside the data directory. */
    static final String FILE = "services.mv.db";

    final ReentrantLock lock = new ReentrantLock();
    /** Changes applied so far (their tickets are 1, 2, ...); under {@link #lock}. */
    private long applied;
    /** The ticket of the last change the lock's holder applied, 0 if none yet; under {@link #lock}. */
    private long holderTicket;
    /** Guards {@link #durable} and {@link #committing}; never held while taking {@link #lock}. */
    private final Object group = new Object();
    /** Every change up to this ticket is in the file. */
    private long durable;
    /** A leader is making a commit. */
    private boolean committing;
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

    /**
     * Marks the changes made so far under {@link #lock} as to be made durable: the caller's
     * {@link #unlock} waits until they are. The caller holds the lock. In memory: nothing.
     */
    void commit() {
        if (persistent) {
            holderTicket = ++applied;
        }
    }

    /**
     * Releases {@link #lock}; when it is released for good (not a nested hold) after a {@link
     * #commit}, returns only once a store commit has made the changes durable.
     *
     * @throws org.h2.mvstore.MVStoreException if the commit fails (the file cannot be written)
     */
    void unlock() {
        long ticket = 0;
        if (lock.getHoldCount() == 1) {
            ticket = holderTicket;
            holderTicket = 0;
        }
        lock.unlock();
        if (ticket != 0) {
            awaitDurable(ticket);
        }
    }

    private void awaitDurable(long ticket) {
        while (true) {
            synchronized (group) {
                while (durable < ticket && committing) {
                    try {
                        group.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ServiceException(ServiceErrno.IO, "interrupted while waiting for a commit");
                    }
                }
                if (durable >= ticket) {
                    return;
                }
                committing = true;
            }
            long upTo = 0;
            try {
                lock.lock();
                try {
                    upTo = applied;
                    mv.commit();
                    if (sync) {
                        mv.sync();
                    }
                } finally {
                    lock.unlock();
                }
            } finally {
                synchronized (group) {
                    durable = Math.max(durable, upTo);
                    committing = false;
                    group.notifyAll();
                }
            }
        }
    }

    /** The store's version: one more after each store commit (to count them). */
    long version() {
        return mv.getCurrentVersion();
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
