package dev.cella.jit;

import dev.cella.vm.Instance;
import dev.cella.vm.Memory;
import dev.cella.vm.Table;

/**
 * The per-run state compiled code works on, passed as the first parameter of every compiled
 * method (never held in a static field, so one compiled module serves any number of instances and
 * threads). One context lives for one {@link JitEngine#invoke} and is confined to the thread
 * running the guest (a stack-segment hop hands it to another thread and waits, see {@link
 * StackSegments}).
 *
 * <h2>Fuel</h2>
 * The instance's remaining fuel is split in two: {@link #fuel}, the <em>window</em> compiled code
 * may spend without asking anyone, and {@link #bank}, the rest. Compiled code keeps the window in
 * a local and charges each block with one subtraction and a sign test; only when the window runs
 * out does it call {@link JitRuntime#refuel}, which moves fuel from the bank, polls the instance's
 * interrupt hook, or traps. The window never exceeds {@link JitRuntime#POLL_INTERVAL}, so the hook
 * runs at least once per that many units. Invariant at every call, return and trap: remaining
 * fuel = {@code fuel + bank}; the local copy is stored back into {@link #fuel} before any call and
 * before any trap, and reloaded after any call.
 *
 * <h2>Call depth</h2>
 * {@link #frames} counts active guest frames (host functions do not count) and their
 * registers. A compiled function adds itself on entry and removes itself on return; a caller
 * checks {@code depth < depthLimit} and the register limit before a guest call. {@link #depthLimit} is the instance's maximum depth, or a
 * lower stack-segment boundary where the call must continue on a fresh thread.
 */
final class JitContext {
    final JitEngine engine;
    final Instance instance;
    final Memory memory;
    final long[] globals;
    final Table[] tables;
    final int maxDepth;

    /** Fuel compiled code may charge before calling {@link JitRuntime#refuel}. */
    long fuel;
    /** The rest of the remaining fuel. */
    long bank;
    /**
     * The active guest frames, two counts in one field so that a call updates both with one
     * read-modify-write: the low 32 bits count the frames (the depth); the high 32 bits count
     * the registers of all of them together. The interpreter keeps its frames in one register
     * stack of at most {@link JitRuntime#MAX_REGISTERS} and traps a call that would pass it;
     * compiled code applies the same rule so both engines trap at the same call.
     */
    long frames;
    /** A guest call at {@code depth >= depthLimit} takes the slow path (trap or segment hop). */
    int depthLimit;
    /** Raw bits of the results of the last function that returned more than one value. */
    final long[] results;
    /** Argument scratch arrays for host calls, by arity; see {@link #hostArgs}. */
    private final long[][] hostArgs = new long[8][];

    JitContext(JitEngine engine, Instance instance) {
        this.engine = engine;
        this.instance = instance;
        this.memory = instance.memory();
        this.globals = instance.globals();
        int tableCount = instance.module().tables().size();
        this.tables = new Table[tableCount];
        for (int i = 0; i < tableCount; i++) {
            tables[i] = instance.table(i);
        }
        this.maxDepth = instance.maxCallDepth();
        this.results = new long[Math.max(1, engine.maxResults())];
        loadFuel();
    }

    /** Active guest frames. */
    int depth() {
        return (int) frames;
    }

    /** Registers of all active guest frames. */
    int regTop() {
        return (int) (frames >>> 32);
    }

    /** The current memory contents, or null if the module has no memory. */
    byte[] memoryBytes() {
        return memory == null ? null : memory.bytes();
    }

    /** Remaining fuel, window and bank together. */
    long fuelRemaining() {
        return fuel + bank;
    }

    /** Writes the remaining fuel back to the instance (as consumption). */
    void storeFuel() {
        instance.consumeFuelTo(fuel + bank);
    }

    /**
     * Reads the instance's remaining fuel (which a host function or the interrupt hook may have
     * changed) and splits it into window and bank.
     */
    void loadFuel() {
        loadFuel(JitRuntime.POLL_INTERVAL);
    }

    /** Reloads the fuel with a window of at most {@code window} units (what a host call left). */
    void loadFuel(long window) {
        long total = instance.fuelRemaining();
        fuel = Math.min(total, window);
        bank = total - fuel;
    }

    /**
     * A scratch array for the arguments of a host call with {@code n} arguments. Host functions
     * may only use it during the call, so one array per arity serves the whole run; a host
     * function that re-enters the engine gets a new context and so new arrays.
     */
    long[] hostArgs(int n) {
        if (n < hostArgs.length) {
            long[] a = hostArgs[n];
            if (a == null) {
                a = new long[n];
                hostArgs[n] = a;
            }
            return a;
        }
        return new long[n];
    }
}
