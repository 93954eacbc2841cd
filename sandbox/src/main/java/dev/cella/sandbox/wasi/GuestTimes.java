package dev.cella.sandbox.wasi;

import dev.cella.sandbox.fs.FileStat;
import java.util.HashMap;
import java.util.Map;

/**
 * The times a guest without the host clock set on mounted nodes, reported back to it.
 *
 * <p>Without the host clock a mounted node's times read as the virtual clock's epoch
 * ({@link FdCalls#writeFilestat}), since the host's readings would tell the guest the host's
 * time. A time the guest set itself (utime, touch -d, tar and bzip2 copying an input's times)
 * tells it nothing it did not know, and a program that sets a time and reads it back must see
 * it (QuickJS's own test_std.js does), so the times set in this run are remembered per node
 * ({@code dev} and {@code ino}) and reported in place of the epoch: atim and mtim as set, ctim
 * as the virtual clock's reading when they were set. They last for the run (a checkpoint does
 * not carry them) and a later write does not move them: the time of a write to a mounted file is
 * the host's. Nodes whose inode number is unknown (0) are not remembered.
 */
final class GuestTimes {
    private record Key(long dev, long ino) {}

    private final Map<Key, long[]> times = new HashMap<>();

    /**
     * Remembers the times just set on the mounted node {@code st} (whose times are the
     * previous ones): {@code atim} or {@code mtim} null for one left as it was.
     */
    void set(FileStat st, Long atim, Long mtim, long now) {
        if (!st.mounted() || st.ino() == 0) {
            return;
        }
        long[] t = times.computeIfAbsent(new Key(st.dev(), st.ino()), k -> new long[] {
            WasiClock.VIRTUAL_EPOCH_NANOS, WasiClock.VIRTUAL_EPOCH_NANOS, WasiClock.VIRTUAL_EPOCH_NANOS});
        if (atim != null) {
            t[0] = atim;
        }
        if (mtim != null) {
            t[1] = mtim;
        }
        t[2] = now;
    }

    /** The mounted node {@code st} as the guest sees it: the times it set, else the virtual epoch. */
    FileStat seen(FileStat st) {
        long[] t = st.ino() == 0 ? null : times.get(new Key(st.dev(), st.ino()));
        if (t == null) {
            return st.withTimes(WasiClock.VIRTUAL_EPOCH_NANOS);
        }
        return new FileStat(st.dev(), st.ino(), st.type(), st.nlink(), st.size(), t[0], t[1], t[2]);
    }
}
