package dev.cella.cluster;

import java.util.Collection;

/**
 * Where a cell goes: the member that would give it the largest fuel share among those whose free
 * memory holds its quota. A member's fuel share for a new cell of weight w is cores / (W + w),
 * W the weights it already runs: under fair share its cores are split by weight, so this is the
 * CPU the cell can expect there. Ties go to the member with more free memory, then to the first
 * by address, so that placement is deterministic for a given view.
 */
final class Placement {
    private Placement() {}

    /** A member as placement sees it; mutable, updated as cells are placed and finish. */
    static final class Slot {
        final String member;
        int cores;
        long memory;
        long reserved;
        long weights;
        int cells;
        boolean accepting;

        Slot(String member, int cores, long memory) {
            this.member = member;
            this.cores = cores;
            this.memory = memory;
            this.accepting = true;
        }

        long free() {
            return memory - reserved;
        }

        /** The fuel share a new cell of {@code weight} would get here. */
        double share(int weight) {
            return (double) cores / (weights + weight);
        }

        void place(long reserve, int weight) {
            reserved += reserve;
            weights += weight;
            cells++;
        }

        void release(long reserve, int weight) {
            reserved -= reserve;
            weights -= weight;
            cells--;
        }
    }

    /**
     * The slot to run a cell of quota {@code reserve} bytes and {@code weight} on now, or null if
     * none has room now (it waits for a cell to finish, or for a member to join).
     */
    static Slot choose(Collection<Slot> slots, long reserve, int weight) {
        Slot best = null;
        for (Slot s : slots) {
            if (!s.accepting || s.cores <= 0 || s.free() < reserve) {
                continue;
            }
            if (best == null || better(s, best, weight)) {
                best = s;
            }
        }
        return best;
    }

    private static boolean better(Slot a, Slot b, int weight) {
        int c = Double.compare(a.share(weight), b.share(weight));
        if (c != 0) {
            return c > 0;
        }
        if (a.free() != b.free()) {
            return a.free() > b.free();
        }
        return a.member.compareTo(b.member) < 0;
    }

    /** True if some accepting member could ever hold {@code reserve} bytes (its whole memory). */
    static boolean fitsSomewhere(Collection<Slot> slots, long reserve) {
        for (Slot s : slots) {
            if (s.accepting && s.cores > 0 && s.memory >= reserve) {
                return true;
            }
        }
        return false;
    }
}
