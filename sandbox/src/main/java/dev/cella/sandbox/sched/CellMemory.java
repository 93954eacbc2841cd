package dev.cella.sandbox.sched;

import dev.cella.vm.Memory;

/**
 * One cell's claim on the scheduler's {@link MemoryPool}, installed as its memory's grow policy.
 *
 * <p>Fair share: the cell holds exactly its memory's footprint (its array, which may be larger
 * than the guest's memory: see {@link Memory}); a grow reserves the difference from the pool (a
 * capacity cut back to what the cap and the pool allow, at least the new size) and is refused
 * (so {@code memory.grow} returns -1 and the guest goes on) if even the new size would pass the
 * cell's cap or overflow the pool. Static: the whole partition was reserved at spawn,
 * and a grow is refused only past it. Either way a refusal touches no other cell.
 *
 * <p>The cell's guest thread grows; {@link #releaseAll} may run on another thread (a kill of a
 * cell that never started), hence the lock on this object.
 */
final class CellMemory implements Memory.GrowPolicy {
    private final MemoryPool pool;
    private final long cap;
    private final boolean partition;
    private long reserved;
    private volatile long refused;
    private boolean released;

    private CellMemory(MemoryPool pool, long cap, boolean partition, long reserved) {
        this.pool = pool;
        this.cap = cap;
        this.partition = partition;
        this.reserved = reserved;
    }

    /**
     * Reserves a cell's memory at spawn: its initial size (fair share) or its whole partition
     * {@code cap} (static).
     *
     * @return the claim, or null if the pool cannot hold it (nothing is reserved then)
     */
    static CellMemory reserve(MemoryPool pool, long cap, long initialBytes, boolean partition) {
        long claim = partition ? cap : initialBytes;
        if (!pool.tryReserve(claim)) {
            return null;
        }
        return new CellMemory(pool, cap, partition, claim);
    }

    @Override
    public boolean allow(long oldBytes, long newBytes) {
        return reserve(oldBytes, newBytes, newBytes) >= 0;
    }

    /**
     * Grants {@code preferredBytes} cut back to the cap, if the pool holds it, else {@code
     * minBytes} if the pool holds that, else refuses (counted once).
     */
    @Override
    public synchronized long reserve(long oldBytes, long minBytes, long preferredBytes) {
        if (released || minBytes > cap) {
            refused++;
            return -1;
        }
        long want = Math.min(preferredBytes, cap);
        if (partition || want <= reserved) {
            return want;
        }
        if (pool.tryReserve(want - reserved)) {
            reserved = want;
            return want;
        }
        if (minBytes <= reserved) {
            return reserved;
        }
        if (!pool.tryReserve(minBytes - reserved)) {
            refused++;
            return -1;
        }
        reserved = minBytes;
        return minBytes;
    }

    /** Gives everything back to the pool; later grows are refused. Idempotent. */
    synchronized void releaseAll() {
        if (!released) {
            released = true;
            pool.release(reserved);
            reserved = 0;
        }
    }

    synchronized long reserved() {
        return reserved;
    }

    long refused() {
        return refused;
    }

    long cap() {
        return cap;
    }
}
