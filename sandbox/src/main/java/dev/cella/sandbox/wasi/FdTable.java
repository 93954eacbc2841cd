package dev.cella.sandbox.wasi;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A cell's file descriptor table. New descriptors take the lowest free number, as POSIX does.
 * The number of descriptors the guest opened itself is checked against the open-files quota.
 */
final class FdTable {
    private final ArrayList<Descriptor> table = new ArrayList<>();
    private final IntConsumer beforeOpen;
    private int guestOpen;

    /** @param beforeOpen called with the number of guest-opened descriptors before one more is added; may throw */
    FdTable(IntConsumer beforeOpen) {
        this.beforeOpen = beforeOpen;
    }

    /** The descriptor {@code fd}, or EBADF. */
    Descriptor get(long fd) {
        if (fd < 0 || fd >= table.size() || table.get((int) fd) == null) {
            throw new WasiError(Errno.BADF);
        }
        return table.get((int) fd);
    }

    /** Asks the open-files quota for one more guest-opened descriptor; may throw to refuse. */
    void beforeGuestOpen() {
        beforeOpen.accept(guestOpen);
    }

    /** Adds {@code d} under the lowest free number and returns it (the caller asked the quota first). */
    int add(Descriptor d) {
        if (d.guestOpened) {
            guestOpen++;
        }
        int fd = table.indexOf(null);
        if (fd < 0) {
            fd = table.size();
            table.add(d);
        } else {
            table.set(fd, d);
        }
        return fd;
    }

    /** Removes and closes descriptor {@code fd}, or EBADF. */
    void close(long fd) {
        Descriptor d = get(fd);
        table.set((int) fd, null);
        if (d.guestOpened) {
            guestOpen--;
        }
        d.close();
        trim();
    }

    /** Moves descriptor {@code from} to number {@code to}, closing what {@code to} held. */
    void renumber(long from, long to) {
        Descriptor d = get(from);
        Descriptor old = get(to);
        if (from == to) {
            return;
        }
        table.set((int) to, d);
        table.set((int) from, null);
        if (old.guestOpened) {
            guestOpen--;
        }
        old.close();
        trim();
    }

    private void trim() {
        while (!table.isEmpty() && table.get(table.size() - 1) == null) {
            table.remove(table.size() - 1);
        }
    }

    /** The number of descriptors the guest opened that are still open. */
    int guestOpen() {
        return guestOpen;
    }

    /** Closes every descriptor, as a process's exit does. */
    void closeAll() {
        for (int i = 0; i < table.size(); i++) {
            Descriptor d = table.get(i);
            if (d != null) {
                d.close();
            }
        }
        table.clear();
        guestOpen = 0;
    }

    /** The table by descriptor number, null for a free number (a copy). */
    List<Descriptor> descriptors() {
        return new ArrayList<>(table);
    }

    /** Replaces the table by {@code descriptors} (null for a free number), closing what it held. */
    void restore(List<Descriptor> descriptors) {
        closeAll();
        table.addAll(descriptors);
        trim();
        for (Descriptor d : table) {
            if (d != null && d.guestOpened) {
                guestOpen++;
            }
        }
    }
}
