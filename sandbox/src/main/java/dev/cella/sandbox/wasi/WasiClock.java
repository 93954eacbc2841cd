package dev.cella.sandbox.wasi;

import dev.cella.vm.Instance;

/**
 * The clocks a guest sees. By default they are virtual and deterministic: time is derived from
 * the fuel the guest has used ({@link #NANOS_PER_FUEL} ns per unit) plus the time it has asked
 * to sleep, so a run reads the same clock values every time. Realtime starts at
 * {@link #VIRTUAL_EPOCH_NANOS}. With the host clock granted, realtime and monotonic time are the
 * host's, and the CPU-time clocks are the running thread's CPU time.
 */
final class WasiClock {
    /** Virtual nanoseconds per unit of fuel. */
    static final long NANOS_PER_FUEL = 1;
    /** The virtual realtime clock's value at fuel 0: 2000-01-01T00:00:00Z. */
    static final long VIRTUAL_EPOCH_NANOS = 946_684_800L * 1_000_000_000L;

    private final boolean host;
    private final long hostStart = System.nanoTime();
    /** Virtual time the guest slept (poll_oneoff), added to every virtual clock but the CPU ones. */
    private long slept;

    WasiClock(boolean host) {
        this.host = host;
    }

    boolean isHost() {
        return host;
    }

    /** True if {@code id} names a clock. */
    static boolean exists(long id) {
        return id >= Abi.CLOCK_REALTIME && id <= Abi.CLOCK_THREAD_CPUTIME;
    }

    /** The resolution of clock {@code id} in nanoseconds. */
    long resolution(int id) {
        return host && id <= Abi.CLOCK_MONOTONIC ? 1_000 : 1;
    }

    /** The current value of clock {@code id} (which {@link #exists}). */
    long now(int id, Instance instance) {
        if (host) {
            return switch (id) {
                case Abi.CLOCK_REALTIME -> {
                    java.time.Instant t = java.time.Instant.now();
                    yield t.getEpochSecond() * 1_000_000_000L + t.getNano();
                }
                case Abi.CLOCK_MONOTONIC -> System.nanoTime() - hostStart;
                default -> threadCpu();
            };
        }
        // Fuel used is below 2^63 and NANOS_PER_FUEL is 1, and slept is capped: no overflow.
        long fuel = instance == null ? 0 : Math.min(instance.fuelUsed(), Long.MAX_VALUE / 4) * NANOS_PER_FUEL;
        return switch (id) {
            case Abi.CLOCK_REALTIME -> VIRTUAL_EPOCH_NANOS + fuel + slept;
            case Abi.CLOCK_MONOTONIC -> fuel + slept;
            default -> fuel;
        };
    }

    private static long threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * Advances the virtual clocks by {@code nanos} (a virtual sleep). The total is capped at
     * {@link #MAX_SLEPT} so that the clocks can never overflow, however long a guest sleeps.
     */
    void advance(long nanos) {
        slept = Math.min(MAX_SLEPT, slept + Math.min(nanos, MAX_SLEPT));
    }

    /** The most virtual sleep the clocks accumulate: about 73 years. */
    static final long MAX_SLEPT = Long.MAX_VALUE / 4;

    /** The virtual time slept so far (for checkpoints). */
    long slept() {
        return slept;
    }

    /** Sets the virtual time slept, capped as {@link #advance} caps it (for restoring a checkpoint). */
    void restoreSlept(long nanos) {
        slept = Math.max(0, Math.min(MAX_SLEPT, nanos));
    }
}
