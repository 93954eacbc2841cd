package dev.cella.sandbox.sched;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Scheduler}'s idle capacity in real time (static policy, without {@link
 * Scheduler.Builder#virtualIdle}): while cells wait for their share and threads are free, each
 * free thread delivers capacity at the measured speed of the guests, which the scheduler adds to
 * its clock. This class measures that speed, converts free-thread time to fuel, and runs the
 * ticker, the thread that wakes the scheduler when the capacity the next waiting cell needs should
 * have passed, so that the cell is granted its slice even if nothing else happens meanwhile.
 *
 * <p>Guarded by the scheduler's lock: every method is called with it held, and the ticker takes
 * it to run the scheduler's tick.
 */
final class IdleCapacity {
    /** The shortest wait the ticker is asked for, in nanoseconds. */
    private static final long MIN_TICK_NANOS = 10_000L;

    private final ReentrantLock lock;
    private final Condition tick;
    /** The scheduler's tick, run by the ticker with the lock held: accrue, grant, signal. */
    private final Runnable onTick;
    /** Measured guest speed in fuel per nanosecond of a slice (a running average). */
    private double fuelPerNano = 0.1;
    /** Capacity accrued but less than one unit of fuel, carried to the next accrual. */
    private double carry;
    private long lastAccrual = System.nanoTime();
    private Thread ticker;
    /** When the ticker should next run the tick (System.nanoTime()), 0 if not needed. */
    private long tickAt;
    private boolean closed;

    IdleCapacity(ReentrantLock lock, Runnable onTick) {
        this.lock = lock;
        this.tick = lock.newCondition();
        this.onTick = onTick;
    }

    /** Takes a slice that used {@code fuel} in {@code nanos} into the measured guest speed. */
    void measured(long fuel, long nanos) {
        if (fuel > 0 && nanos > 0) {
            fuelPerNano += ((double) fuel / nanos - fuelPerNano) / 8;
        }
    }

    /**
     * The whole units of fuel of idle capacity that {@code free} threads delivered since the last
     * call (0 if none is free: nothing accrues then), at {@link #fuelPerNano} each; the fraction
     * is carried over.
     */
    long accrue(long now, int free) {
        long since = now - lastAccrual;
        lastAccrual = now;
        if (free <= 0 || since <= 0) {
            return 0;
        }
        carry += since * fuelPerNano * free;
        long whole = (long) carry;
        carry -= whole;
        return whole;
    }

    /** Asks the ticker to run the tick once {@code free} threads have delivered {@code gap} fuel. */
    void scheduleTick(long gap, int free) {
        double nanos = gap / (fuelPerNano * free);
        tickAt = System.nanoTime() + Math.max(MIN_TICK_NANOS, (long) Math.min(nanos, 1e12));
        if (ticker == null) {
            ticker = Thread.ofVirtual().name("cella-scheduler-ticker").start(this::tickLoop);
        } else {
            tick.signalAll();
        }
    }

    /** Ends the ticker (at its next wake-up, which this causes). */
    void close() {
        closed = true;
        tick.signalAll();
    }

    private void tickLoop() {
        lock.lock();
        try {
            while (!closed) {
                if (tickAt == 0) {
                    tick.awaitUninterruptibly();
                    continue;
                }
                long wait = tickAt - System.nanoTime();
                if (wait > 0) {
                    tick.awaitNanos(wait);
                    continue;
                }
                tickAt = 0;
                onTick.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
