package dev.cella.vm;

import dev.cella.isa.module.Module;
import java.util.Objects;

/**
 * Limits and hooks for one instance.
 *
 * @param fuel the fuel budget in units (one per instruction, charged per basic block); {@link
 *     Long#MAX_VALUE} means unlimited
 * @param maxCallDepth the most guest frames that may be active at once (the entry function is
 *     depth 1); a call past it traps with call stack exhausted
 * @param growPolicy asked before memory grows (the sandbox's memory quota plugs in here)
 * @param maxMemoryPages the most 64 KiB pages the memory may ever have, whatever the module says
 * @param metered true (the default) to account fuel; false for <em>unmetered</em> runs, which
 *     charge no fuel at all ({@link Instance#fuelUsed} stays 0 and the fuel budget is never
 *     exhausted) but still poll the instance's interrupt hook at loop back-edges and calls, at
 *     least about once per 65,536 executed basic blocks, so deadlines and kills keep working.
 *     Engines that cannot run unmetered may ignore it and charge fuel as usual.
 * @param maxStackBytes the most host bytes the guest's active frames may take together, by the
 *     engine-independent frame model of {@link StateValidator#stackUnits}: a call whose frame
 *     would pass it traps with call stack exhausted (the sandbox sets it from the memory quota);
 *     at most {@link StateValidator#MAX_STACK_BYTES}, the default
 */
public record InstanceOptions(long fuel, int maxCallDepth, Memory.GrowPolicy growPolicy, long maxMemoryPages,
        boolean metered, long maxStackBytes) {

    /** The default maximum call depth. */
    public static final int DEFAULT_MAX_CALL_DEPTH = 10_000;

    /**
     * @throws IllegalArgumentException if fuel is negative, maxCallDepth is below 1,
     *     maxMemoryPages is negative or maxStackBytes is not from 0 to {@link StateValidator#MAX_STACK_BYTES}
     * @throws NullPointerException if growPolicy is null
     */
    public InstanceOptions {
        if (fuel < 0) {
            throw new IllegalArgumentException("negative fuel " + fuel);
        }
        if (maxCallDepth < 1) {
            throw new IllegalArgumentException("max call depth must be at least 1, not " + maxCallDepth);
        }
        Objects.requireNonNull(growPolicy, "growPolicy");
        if (maxMemoryPages < 0) {
            throw new IllegalArgumentException("negative max memory pages " + maxMemoryPages);
        }
        if (maxStackBytes < 0 || maxStackBytes > StateValidator.MAX_STACK_BYTES) {
            throw new IllegalArgumentException("max stack bytes must be from 0 to " + StateValidator.MAX_STACK_BYTES
                    + ", not " + maxStackBytes);
        }
    }

    /** Metered options, as before unmetered runs existed. */
    public InstanceOptions(long fuel, int maxCallDepth, Memory.GrowPolicy growPolicy, long maxMemoryPages) {
        this(fuel, maxCallDepth, growPolicy, maxMemoryPages, true, StateValidator.MAX_STACK_BYTES);
    }

    /**
     * Unlimited fuel, call depth 10,000, no grow policy, memory up to {@link Module#MAX_MEMORY_PAGES},
     * metered, a stack of up to {@link StateValidator#MAX_STACK_BYTES}.
     */
    public static InstanceOptions defaults() {
        return new InstanceOptions(Long.MAX_VALUE, DEFAULT_MAX_CALL_DEPTH, Memory.GrowPolicy.UNLIMITED,
                Module.MAX_MEMORY_PAGES, true, StateValidator.MAX_STACK_BYTES);
    }

    public InstanceOptions withFuel(long fuel) {
        return new InstanceOptions(fuel, maxCallDepth, growPolicy, maxMemoryPages, metered, maxStackBytes);
    }

    public InstanceOptions withMaxCallDepth(int maxCallDepth) {
        return new InstanceOptions(fuel, maxCallDepth, growPolicy, maxMemoryPages, metered, maxStackBytes);
    }

    public InstanceOptions withGrowPolicy(Memory.GrowPolicy growPolicy) {
        return new InstanceOptions(fuel, maxCallDepth, growPolicy, maxMemoryPages, metered, maxStackBytes);
    }

    public InstanceOptions withMaxMemoryPages(long maxMemoryPages) {
        return new InstanceOptions(fuel, maxCallDepth, growPolicy, maxMemoryPages, metered, maxStackBytes);
    }

    /** These options, metered ({@code true}, the default) or unmetered ({@code false}); see {@link #metered}. */
    public InstanceOptions withMetered(boolean metered) {
        return new InstanceOptions(fuel, maxCallDepth, growPolicy, maxMemoryPages, metered, maxStackBytes);
    }

    /** These options with a stack of at most {@code maxStackBytes} (see {@link #maxStackBytes}). */
    public InstanceOptions withMaxStackBytes(long maxStackBytes) {
        return new InstanceOptions(fuel, maxCallDepth, growPolicy, maxMemoryPages, metered, maxStackBytes);
    }
}
