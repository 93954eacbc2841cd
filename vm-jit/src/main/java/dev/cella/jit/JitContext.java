package dev.cella.jit;

import dev.cella.vm.ForeignFunction;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.StateValidator;
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
 * an int local and charges each block with one subtraction and a sign test; only when the window
 * runs out does it go to {@link JitRuntime#refuel}, which moves fuel from the bank, polls the
 * instance's interrupt hook, or traps. The window never exceeds {@link JitRuntime#POLL_INTERVAL},
 * so the hook runs at least once per that many units. A guest call passes the window to the
 * callee as an argument; the callee stores its window into {@link #fuel} when it returns or
 * throws, and the caller reloads it from there. Invariant at every return, trap, host call and
 * slow path: remaining fuel = {@code fuel + bank}.
 *
 * <p>Unmetered runs ({@link #metered} false) use the window only as a countdown to the next
 * interrupt poll: the instance's fuel is never read or written.
 *
 * <p>Suspension: with a {@link SuspendRequest} that has a fuel point, the fuel past that point is
 * {@link #held} back from window and bank (remaining = {@code fuel + bank + held}), so compiled
 * code runs dry exactly at the first block that would pass the point, where {@link
 * JitRuntime#refuel} suspends instead of trapping (the interpreter's {@code Machine} does the
 * same, so both stop at the same block).
 *
 * <h2>Call depth: the frame word</h2>
 * Every compiled guest function receives, after the context, a {@code long} <em>frame word</em>
 * {@code (depthRoom << 32) | stackRoom}: how many more guest frames may start before {@link
 * #depthLimit} ({@code depthLimit - depth}), and how many more stack units the instance's stack
 * has room for ({@link #maxStack} minus the units of all active frames, by the frame model of
 * {@link StateValidator#FRAME_UNITS} that every engine enforces). A call to a callee of {@code c}
 * units computes the callee's word {@code y = word - ((1 << 32) + c)}; the call may proceed
 * directly exactly when {@code (y & FRAME_CHECK) == 0}: bit 63 is set when the depth room went
 * negative, bit 31 when the stack room borrowed (it is at most 2^24, so without a borrow bit 31
 * stays clear). The depth state thus lives in
 * registers: no field is read or written per call. {@link #depthLimit} is the instance's maximum
 * depth, or a lower stack-segment boundary where the call must continue on a fresh thread.
 */
final class JitContext {
    /** The frame-word bits that, once set after subtracting a callee's frame, send a call to the slow path. */
    static final long FRAME_CHECK = 0x8000_0000_8000_0000L;
    /** The interpreter's cap on active frames (its {@code Machine.MAX_FRAMES}), whatever the configured depth. */
    static final int MAX_FRAMES = 1 << 22;

    final JitEngine engine;
    final Instance instance;
    final Memory memory;
    final long[] globals;
    final Table[] tables;
    final int maxDepth;
    /** The instance's stack in units ({@link Instance#maxStackUnits}). */
    final int maxStack;
    /** False for an unmetered run: no fuel is charged, the window only times interrupt polls. */
    final boolean metered;

    /** When to suspend, or null never to. */
    final SuspendRequest request;
    /** Fuel kept from window and bank so that the run stops at the request's fuel point (0 without one). */
    long held;
    /** Fuel compiled code may charge before going to {@link JitRuntime#refuel}. */
    int fuel;
    /** The rest of the remaining fuel. */
    long bank;
    /** A guest call at {@code depth >= depthLimit} takes the slow path (trap or segment hop). */
    int depthLimit;
    /** The frame word for the callee of the call_indirect that {@link JitRuntime#indirect} just resolved. */
    long calleeFrame;
    /** The function of another instance the call_indirect that {@link JitRuntime#indirect} just resolved calls. */
    ForeignFunction foreign;
    /** Raw bits of the results of the last function that returned more than one value. */
    final long[] results;
    /** Argument scratch arrays for host calls, by arity; see {@link #hostArgs}. */
    private final long[][] hostArgs = new long[8][];

    JitContext(JitEngine engine, Instance instance) {
        this(engine, instance, null);
    }

    /** A context for a run that stops where {@code request} fires (null: never). */
    JitContext(JitEngine engine, Instance instance, SuspendRequest request) {
        this.engine = engine;
        this.request = request;
        this.instance = instance;
        this.memory = instance.memory();
        this.globals = instance.globals();
        int tableCount = instance.module().tables().size();
        this.tables = new Table[tableCount];
        for (int i = 0; i < tableCount; i++) {
            tables[i] = instance.table(i);
        }
        this.maxDepth = Math.min(instance.maxCallDepth(), MAX_FRAMES);
        this.maxStack = instance.maxStackUnits();
        this.metered = instance.metered();
        this.results = new long[Math.max(1, engine.maxResults())];
        if (metered) {
            loadFuel();
        } else {
            fuel = (int) JitRuntime.POLL_INTERVAL;
        }
    }

    /** The frame word of an entry function with {@code registers} registers (depth 1). */
    long entryFrame(int registers) {
        return frameAt(1, registers);
    }

    /**
     * The frame word of a frame at {@code depth} whose registers and those of the frames below
     * it number {@code registers}; the units of the frame records are added here.
     */
    long frameAt(int depth, int registers) {
        return frame(depthLimit - depth, maxStack - (registers + StateValidator.FRAME_UNITS * depth));
    }

    static long frame(int depthRoom, int registerRoom) {
        return ((long) depthRoom << 32) | (registerRoom & 0xFFFFFFFFL);
    }

    /** Active guest frames of the function holding frame word {@code frame}. */
    int depth(long frame) {
        return depthLimit - (int) (frame >> 32);
    }

    /** Stack units of all active guest frames, given a frame word. */
    int stackTop(long frame) {
        return maxStack - (int) frame;
    }

    /** The depth limit of the stack segment that starts when a call passes {@link #depthLimit}. */
    int nextSegmentLimit() {
        return (int) Math.min(maxDepth, (long) depthLimit + engine.segmentFrames());
    }

    /** The memory's current array (its bytes past {@link #memorySize} are not the guest's), or null if none. */
    byte[] memoryBytes() {
        return memory == null ? null : memory.array();
    }

    /** The memory's size in bytes, the bound of every access; 0 if the module has no memory. */
    int memorySize() {
        return memory == null ? 0 : memory.size();
    }

    /** Fuel compiled code may spend: window and bank together (the fuel {@link #held} back excluded). */
    long fuelRemaining() {
        return fuel + bank;
    }

    /** Writes the remaining fuel back to the instance (as consumption); nothing if unmetered. */
    void storeFuel() {
        if (metered) {
            instance.consumeFuelTo(fuel + bank + held);
        }
    }

    /** True if the request's flag is up. */
    boolean suspendRequested() {
        return request != null && request.isRequested();
    }

    /**
     * Reads the instance's remaining fuel (which a host function or the interrupt hook may have
     * changed) and splits it into window and bank. Unmetered, keeps the poll countdown running
     * instead (a host call must not restart it, or a loop of host calls would never poll).
     */
    void loadFuel() {
        loadFuel(JitRuntime.POLL_INTERVAL);
    }

    /** Reloads the fuel with a window of at most {@code window} units (what a host call left). */
    void loadFuel(long window) {
        if (!metered) {
            return;
        }
        long total = available(instance.fuelRemaining());
        fuel = (int) Math.min(total, window);
        bank = total - fuel;
    }

    /**
     * Splits the instance's {@code remaining} fuel into what compiled code may spend before the
     * request's fuel point (returned) and what it must not ({@link #held}).
     */
    private long available(long remaining) {
        long a = SuspendRequest.spendable(request, remaining, instance.fuelUsed());
        held = remaining - a;
        return a;
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
