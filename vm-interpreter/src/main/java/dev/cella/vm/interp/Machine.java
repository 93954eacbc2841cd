package dev.cella.vm.interp;

import dev.cella.isa.ValType;
import dev.cella.vm.BulkWork;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.ForeignFunction;
import dev.cella.vm.GuestException;
import dev.cella.vm.HostFunction;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.Memory;
import dev.cella.vm.StateValidator;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapSignal;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one {@link Interpreter#invoke}: the register stack, the frame stack, the fuel not
 * yet handed to the dispatch loop, and the slow paths the loop calls (calls, host calls, fuel
 * refills, traps). Created per invocation, so a host function may re-enter the engine.
 *
 * <p>Register stack: every active frame owns {@code frameSize} consecutive longs of {@link #regs},
 * starting at its frame pointer; a callee's frame starts right after its caller's. Frame stack:
 * for the frame at depth {@code k} (the entry function is depth 1), {@code frames[3k-3 .. 3k-1]}
 * hold the caller's function index, the decoded position of the call's result list in the
 * caller's code, and the caller's frame pointer.
 *
 * <p>Fuel: the loop charges blocks against a local {@code credit}; this object keeps the rest in
 * {@link #reserve}, so the fuel left is always {@code reserve + credit}. The credit is at most
 * {@link #WINDOW} (or one block's cost), so the loop falls into {@link #refuel}, which polls the
 * interrupt hook, at least once per {@code WINDOW} units charged.
 *
 * <p>Suspension: with a {@link SuspendRequest} that has a fuel point, the fuel past that point is
 * {@link #held} back from the loop, so the fuel left is {@code reserve + credit + held} and the
 * loop runs dry exactly at the first block that would pass the point; {@link #refuel} then throws
 * {@link SuspendSignal} instead of a fuel trap, and the loop hands its position to {@link
 * #suspend}. The request's flag is checked in {@code refuel} and after host calls, never in the
 * loop itself.
 *
 * <p>Tiering: with a {@link TierHook}, {@link #enter} may hand a guest call to the other tier and
 * {@link #refuel} the running frame (on-stack replacement). Either throws {@link SuspendSignal}
 * with {@link #handOver} set, so the dispatch loop leaves as for a suspension, recording where it
 * stood; {@link TierHandOver#run} then runs the call or the frame in the other tier and says where
 * the loop goes on.
 *
 * <p>Unmetered instances ({@link Instance#metered} false) run the unmetered variant of the code
 * (see {@link Decoder}) in {@link UnmeteredDispatch} and account no fuel: the credit is only a
 * countdown of at most {@link #WINDOW} blocks to the next poll of the interrupt hook, and the
 * instance's fuel is never read or written. That loop calls {@link #poll} and {@link
 * #callHostUnmetered} where {@link Dispatch} calls {@link #refuel} and {@link #callHost}, which
 * stay exactly as the metered loop needs them: C2 inlines them into it, and any branch more there
 * changes how it compiles the whole loop (nbody ran 14% slower with an unmetered branch in
 * refuel). A suspend request there has no fuel point (the engine rejects one), so only its flag
 * stops the run, at check sites only (where the headers are; {@link dev.cella.isa.flow.BlockMap}).
 */
final class Machine {
    /** Most fuel the dispatch loop may charge between two polls of the interrupt hook. */
    static final long WINDOW = 65_536;
    /** Most registers the register stack may hold ({@link StateValidator#MAX_REGISTERS}). */
    static final int MAX_REGISTERS = StateValidator.MAX_REGISTERS;
    /** Most frames the frame stack may hold (48 MiB of frame records; {@link StateValidator#MAX_FRAMES}). */
    static final int MAX_FRAMES = StateValidator.MAX_FRAMES;

    final DecodedFunction[] functions;
    final Instance instance;
    final long[] globals;
    final Memory memory;
    /**
     * The memory's size in bytes as of the last {@link #reloadMemory}: the bound the dispatch
     * loop checks accesses against (the array it caches may be longer, see {@link Memory}).
     */
    int memSize;
    /** False for an unmetered instance: the credit is a poll countdown, not fuel. */
    final boolean metered;
    /** The most frames this machine may hold: the instance's maximum depth, less the frames below ({@link #nest}). */
    private int maxDepth;
    /** The instance's stack in units ({@link StateValidator#stackUnits}), less what the frames below hold. */
    private int maxStack;
    /** Frames, registers and stack units below this machine's entry frame, run by another tier ({@link #nest}). */
    int depthBelow;
    int registersBelow;
    private int unitsBelow;
    private long[][] scratch = new long[4][];

    long[] regs;
    int[] frames;
    /** Number of active frames. */
    int depth;
    /** The function index of the active frame. */
    int func;
    /** Fuel not yet given to the loop as credit. */
    long reserve;
    /** The loop's credit when it returned or threw (it writes it back on the way out). */
    long credit;
    /** When to suspend, or null never to. */
    final SuspendRequest request;
    /** Fuel kept from the loop so that it stops at the request's fuel point (0 without one). */
    private long held;
    /** The frames the invocation stopped with, once {@link #suspend} ran; else null. */
    List<ExecutionState.Frame> suspended;

    /** The other tier, or null to interpret everything; set with {@link #tier(TierHook)}. */
    TierHook tier;
    /** True if refuel must look at the request or the tier ({@link #attendTo}). */
    private boolean attend;
    /** What the loop left for: {@link #NO_HAND_OVER}, {@link #HAND_OVER_FRAME} or {@link #HAND_OVER_CALL}. */
    int handOver;
    static final int NO_HAND_OVER = 0;
    static final int HAND_OVER_FRAME = 1;
    static final int HAND_OVER_CALL = 2;
    /** Not a hand-over: an exception from a host call landed in a frame ({@link #landFromHost}). */
    static final int LANDED = 3;
    /** A handed-over call: its callee and the decoded position of its argument list. */
    DecodedFunction handOverCallee;
    int handOverArgs;
    /** Where the loop stood when it left for a hand-over (a FUEL header, or the call), and the frame. */
    int handOverPc;
    int handOverFp;
    /** Where the loop goes on after a hand-over that did not end the invocation. */
    int[] nextCode;
    int nextPc;
    int nextFp;

    /** A machine about to run {@code entry} as the only frame (its arguments not yet copied in). */
    Machine(DecodedFunction[] functions, Instance instance, DecodedFunction entry, SuspendRequest request) {
        this(functions, instance, Math.max(256, entry.frameSize * 2), 16, request);
        this.depth = 1;
        this.func = entry.index;
    }

    /**
     * A machine with an empty register stack of {@code registers} longs and room for {@code
     * frameRecords} frame records; the caller fills in the frames, {@link #depth} and {@link
     * #func} before running it.
     */
    Machine(DecodedFunction[] functions, Instance instance, int registers, int frameRecords, SuspendRequest request) {
        this.functions = functions;
        this.instance = instance;
        this.globals = instance.globals();
        this.memory = instance.memory();
        this.metered = instance.metered();
        this.maxDepth = Math.min(instance.maxCallDepth(), MAX_FRAMES);
        this.maxStack = instance.maxStackUnits();
        this.request = request;
        this.attend = request != null;
        this.regs = new long[registers];
        this.frames = new int[3 * frameRecords];
        if (!metered) {
            this.credit = WINDOW;
            return;
        }
        long available = available(instance.fuelRemaining());
        this.credit = Math.min(available, WINDOW);
        this.reserve = available - credit;
    }

    /**
     * Makes this machine's entry frame a callee at depth {@code depth} (its own) above frames of
     * another tier holding {@code registersBelow} registers, whose fuel window {@code window} the
     * loop takes as its credit (see {@link Interpreter#call}): the depth and stack limits then
     * fall on the same call as in a run that interpreted every frame.
     */
    void nest(int depth, int registersBelow, long window) {
        this.depthBelow = depth - 1;
        this.registersBelow = registersBelow;
        unitsBelow = registersBelow + StateValidator.FRAME_UNITS * (depth - 1);
        maxDepth -= depth - 1;
        maxStack -= unitsBelow;
        if (metered) {
            long available = reserve + credit;
            credit = Math.min(available, window);
            reserve = available - credit;
        } else {
            credit = window;
        }
    }

    /** Lets {@code other} (null: none) take calls and running frames over (see {@link TierHook}). */
    void tier(TierHook other) {
        this.tier = other;
        this.attend = request != null || other != null;
    }

    /** The most frames this machine lets be active at once. */
    int maxDepth() {
        return maxDepth;
    }

    /** Makes the instance's fuel current after the loop stopped with {@link #credit}; nothing if unmetered. */
    void storeFuel() {
        if (metered) {
            instance.consumeFuelTo(reserve + credit + held);
        }
    }

    /**
     * Reads the instance's fuel back after a host or the other tier ran (and spent or changed it):
     * the loop's {@link #credit} becomes at most {@code window}, the rest goes to {@link #reserve}
     * (and past the request's fuel point to {@link #held}).
     */
    void takeBackFuel(long window) {
        long available = available(instance.fuelRemaining());
        credit = Math.min(available, window);
        reserve = available - credit;
    }

    /**
     * Splits the instance's {@code remaining} fuel (current in the instance) into what the loop
     * may spend before the request's fuel point (returned) and what it must not ({@link #held}).
     */
    private long available(long remaining) {
        long a = SuspendRequest.spendable(request, remaining, instance.fuelUsed());
        held = remaining - a;
        return a;
    }

    /**
     * Reads the memory's size into {@link #memSize} and returns its current array (replaced when
     * memory grows past its capacity), or null if there is no memory. The dispatch loop calls it
     * on entry and after memory.grow and host calls, the only ways either can change.
     */
    byte[] reloadMemory() {
        if (memory == null) {
            return null;
        }
        memSize = memory.size();
        return memory.array();
    }

    /**
     * The slow path of charging a block of {@code cost} when the loop's credit is below it:
     * polls the interrupt hook, then hands the loop a new credit of at least {@code cost}.
     *
     * @param loopCredit the loop's credit, not yet charged for this block
     * @return the new credit, from which the loop then subtracts {@code cost}
     * @throws TrapSignal fuel exhausted if the fuel left is below {@code cost} (nothing is charged)
     * @throws SuspendSignal if the block would pass the request's fuel point or its flag is up
     *     (nothing is charged)
     */
    long refuel(long loopCredit, int cost) {
        long available = reserve + loopCredit;
        if (available < cost) {
            throw dry(available, cost);
        }
        InterruptHook hook = instance.interruptHook();
        if (hook != null) {
            instance.consumeFuelTo(available + held);
            hook.poll(instance);
            available = available(instance.fuelRemaining());
            // The loop stores its credit on the way out; keep reserve + credit + held == the fuel left.
            reserve = available - loopCredit;
            if (available < cost) {
                throw dry(available, cost);
            }
        }
        if (attend) {
            attendTo();
        }
        return takeCredit(available, cost);
    }

    /**
     * refuel's rare part, out of line so that the loop C2 compiles refuel into stays as small as
     * without a request or a tier: suspends if the request's flag is up, or leaves for the other
     * tier if it wants the running frame.
     */
    private void attendTo() {
        if (request != null && request.isRequested()) {
            throw SuspendSignal.INSTANCE;
        }
        if (tier != null && tier.compileFrame(func)) {
            handOver = HAND_OVER_FRAME;
            throw SuspendSignal.INSTANCE;
        }
    }

    /**
     * The unmetered loop's {@link #refuel}: its countdown ran out at a check site of poll cost
     * {@code cost}; polls the interrupt hook, then restarts the countdown. From one poll to the
     * next the loop charges at most {@link #WINDOW} (or one check site's cost, if larger).
     *
     * @param loopCredit the loop's countdown, not yet charged for this site (unused: nothing is owed)
     * @return the new countdown, from which the loop then subtracts {@code cost}
     * @throws SuspendSignal if the request's flag is up (the site is not charged)
     */
    long poll(long loopCredit, int cost) {
        InterruptHook hook = instance.interruptHook();
        if (hook != null) {
            hook.poll(instance);
        }
        if (request != null && request.isRequested()) {
            throw SuspendSignal.INSTANCE;
        }
        return Math.max(WINDOW, cost);
    }

    /**
     * What to throw when the loop cannot pay {@code cost} from the {@code available} fuel: at the
     * request's fuel point a suspension, unless the fuel held back could not pay for the block
     * either, in which case the trap the run would meet without the request.
     */
    private RuntimeException dry(long available, int cost) {
        return held > 0 && available + held >= cost ? SuspendSignal.INSTANCE : TrapSignal.FUEL_EXHAUSTED;
    }

    /**
     * memory.fill at the loop's position: checks, charges and fills by the rule of {@link
     * BulkWork}.
     *
     * @param loopCredit the loop's credit (its block already charged)
     * @return the loop's new credit
     * @throws TrapSignal out of bounds, or fuel exhausted (nothing charged, nothing written)
     */
    long memoryFill(long loopCredit, byte[] mem, int dst, int value, int n) {
        BulkWork.checkFill(memory.size(), dst, n);
        long c = chargeBulk(loopCredit, BulkWork.units(n & 0xFFFFFFFFL));
        BulkWork.fill(mem, dst, value, n, n > BulkWork.CHUNK ? () -> bulkPoll(c) : null);
        return c;
    }

    /** memory.copy, as {@link #memoryFill}. */
    long memoryCopy(long loopCredit, byte[] mem, int dst, int src, int n) {
        BulkWork.checkCopy(memory.size(), dst, src, n);
        long c = chargeBulk(loopCredit, BulkWork.units(n & 0xFFFFFFFFL));
        BulkWork.copy(mem, dst, src, n, n > BulkWork.CHUNK ? () -> bulkPoll(c) : null);
        return c;
    }

    /**
     * memory.grow by {@code deltaPages}, charged by the rule of {@link BulkWork}; the loop's
     * credit goes in and out through {@link #credit}.
     *
     * @return the old size in pages, or -1
     * @throws TrapSignal fuel exhausted if the fuel left cannot pay for an allowed growth (memory unchanged)
     */
    int memoryGrow(int deltaPages) {
        return memory.grow(deltaPages, units -> credit = chargeBulk(credit, units), () -> bulkPoll(credit));
    }

    /**
     * Charges {@code units} of bulk work (see {@link BulkWork}) from the loop's credit, or, when
     * the credit cannot pay them, polls the interrupt hook (as {@link #refuel} does) and takes
     * them from all the fuel left, the fuel held back for a suspension point included.
     * Unmetered, the credit is only the poll countdown.
     *
     * @return the loop's new credit
     * @throws TrapSignal fuel exhausted if the fuel left cannot pay (nothing charged)
     */
    long chargeBulk(long loopCredit, long units) {
        if (units <= loopCredit) {
            return loopCredit - units;
        }
        InterruptHook hook = instance.interruptHook();
        if (!metered) {
            if (hook != null) {
                hook.poll(instance);
            }
            return WINDOW;
        }
        if (reserve + loopCredit + held < units) {
            throw TrapSignal.FUEL_EXHAUSTED;
        }
        long available = reserve + loopCredit;
        if (hook != null) {
            instance.consumeFuelTo(available + held);
            hook.poll(instance);
            available = available(instance.fuelRemaining());
            reserve = available - loopCredit;
            if (available + held < units) {
                throw TrapSignal.FUEL_EXHAUSTED;
            }
        }
        available -= units;
        if (available < 0) {
            held += available; // past the suspension point: the next block suspends
            available = 0;
        }
        long c = Math.min(available, WINDOW);
        reserve = available - c;
        return c;
    }

    /** Polls the interrupt hook between two chunks of bulk work, with the fuel current ({@code loopCredit} left in the loop). */
    private void bulkPoll(long loopCredit) {
        InterruptHook hook = instance.interruptHook();
        if (hook != null) {
            if (metered) {
                instance.consumeFuelTo(reserve + loopCredit + held);
            }
            hook.poll(instance);
        }
    }

    /** Splits {@code remaining} into a new credit (returned) of at least {@code need} and the reserve. */
    private long takeCredit(long remaining, long need) {
        long c = Math.min(remaining, Math.max(WINDOW, need));
        reserve = remaining - c;
        return c;
    }

    /**
     * Enters defined function {@code callee} from the call instruction whose argument list starts
     * at {@code code[at]} (count, then registers) in the frame at {@code fp} of the active function:
     * pushes a frame (the return continues at the call's result list, right after the arguments),
     * copies the arguments, zeroes the callee's other registers and makes the callee active.
     *
     * @return the callee's frame pointer; {@link #regs} may have been replaced by a larger array
     * @throws TrapSignal call stack exhausted past the maximum depth ({@link #MAX_FRAMES} at most),
     *     or if the callee's frame does not fit the instance's stack ({@link StateValidator#FRAME_UNITS})
     */
    int enter(DecodedFunction callee, int[] code, int at, int fp) {
        if (depth >= maxDepth) {
            throw TrapSignal.CALL_STACK_EXHAUSTED;
        }
        int caller = func;
        int calleeFp = fp + functions[caller].frameSize;
        int end = calleeFp + callee.frameSize;
        // Registers are packed; the frame records' units are counted per frame, the callee's too.
        // (No overflow: end is below maxStack plus one frame, depth below MAX_FRAMES.)
        int units = end + StateValidator.FRAME_UNITS * (depth + 1);
        if (units > maxStack) {
            instance.stackRefused(units + (long) unitsBelow);
            throw TrapSignal.CALL_STACK_EXHAUSTED;
        }
        if (tier != null) {
            offerCall(callee, at);
        }
        long[] r = regs;
        if (end > r.length) {
            r = growRegisters(end);
        }
        int n = code[at];
        for (int i = 0; i < n; i++) {
            r[calleeFp + i] = r[fp + code[at + 1 + i]];
        }
        for (int i = calleeFp + n; i < end; i++) {
            r[i] = 0;
        }
        int b = 3 * depth;
        if (b + 3 > frames.length) {
            frames = Arrays.copyOf(frames, frames.length * 2);
        }
        frames[b] = caller;
        frames[b + 1] = at + 1 + n;
        frames[b + 2] = fp;
        depth++;
        func = callee.index;
        return calleeFp;
    }

    /**
     * enter's tiering part, out of line: leaves for the other tier if it wants to run {@code
     * callee} (its arguments at {@code code[at]}), after the depth and stack checks the call has
     * passed.
     */
    private void offerCall(DecodedFunction callee, int at) {
        if (tier.compileCall(callee.index)) {
            handOver = HAND_OVER_CALL;
            handOverCallee = callee;
            handOverArgs = at;
            throw SuspendSignal.INSTANCE;
        }
    }

        private long[] growRegisters(int needed) {
        if (needed > MAX_REGISTERS) {
            throw TrapSignal.CALL_STACK_EXHAUSTED;
        }
        regs = Arrays.copyOf(regs, (int) Math.min(MAX_REGISTERS, Math.max(needed, 2L * regs.length)));
        return regs;
    }

    /** See {@link ColdOps#resolveIndirect}. */
    DecodedFunction resolveIndirect(int typeIndex, int table, int index) {
        return ColdOps.resolveIndirect(this, typeIndex, table, index);
    }

    /** The function of another instance that the last call_indirect resolved to ({@link ColdOps#FOREIGN}). */
    ForeignFunction foreign;

    /** Runs the table instruction at decoded position {@code pc} ({@link ColdOps#table}). */
    void table(int[] code, int pc, long[] r, int fp) {
        ColdOps.table(this, code, pc, r, fp);
    }

    /**
     * Calls host function {@code callee} with the argument list at {@code code[at]} of the frame at
     * {@code fp}, and writes its result (if any) to the result list that follows. The instance's
     * fuel is made current before the call and read back after, since the host may change it.
     * The loop keeps its credit across the call (capped by the fuel left), or gets 0 if the
     * suspend request's flag is up.
     *
     * @return the loop's new credit
     */
    long callHost(DecodedFunction callee, long[] r, int[] code, int at, int fp, long loopCredit) {
        int n = code[at];
        long[] args = scratch(n);
        for (int i = 0; i < n; i++) {
            args[i] = r[fp + code[at + 1 + i]];
        }
        instance.consumeFuelTo(reserve + loopCredit + held);
        if (callee == ColdOps.FOREIGN) {
            ColdOps.callForeign(this, r, code, at + 1 + n, fp, args);
        } else {
            HostFunction host = instance.hostFunction(callee.index);
            long result;
            try {
                result = host.call(instance, args);
            } catch (GuestException e) {
                throw e.enter(instance);
            }
            int results = at + 1 + n;
            if (code[results] == 1) {
                r[fp + code[results + 1]] = normalize(callee.result, result);
            }
        }
        long available = available(instance.fuelRemaining());
        if (request != null && request.isRequested()) {
            // The instruction after a call leads a block: a credit of 0 sends its charge to
            // refuel, which suspends there, so a flag raised during the call is honoured at once.
            reserve = available;
            return 0;
        }
        // Keep the loop's window across the call (capped by what is left): a guest that calls
        // the host more often than once a window must still reach refuel, and so its interrupt
        // hook, every WINDOW units of fuel.
        long c = Math.min(available, loopCredit);
        reserve = available - c;
        return c;
    }

    /**
     * The unmetered loop's {@link #callHost}: calls host function {@code callee} as that does, but
     * leaves the fuel alone. The countdown goes on across the call (host calls do not restart it,
     * so a loop of host calls still polls); a flag raised during the call makes it -1, so that the
     * next check site, whatever its cost, sends the loop to {@link #poll}, which suspends there.
     *
     * @return the loop's new countdown
     */
    long callHostUnmetered(DecodedFunction callee, long[] r, int[] code, int at, int fp, long loopCredit) {
        int n = code[at];
        long[] args = scratch(n);
        for (int i = 0; i < n; i++) {
            args[i] = r[fp + code[at + 1 + i]];
        }
        if (callee == ColdOps.FOREIGN) {
            ColdOps.callForeign(this, r, code, at + 1 + n, fp, args);
            return request != null && request.isRequested() ? -1 : loopCredit;
        }
        long result;
        try {
            result = instance.hostFunction(callee.index).call(instance, args);
        } catch (GuestException e) {
            throw e.enter(instance);
        }
        int results = at + 1 + n;
        if (code[results] == 1) {
            r[fp + code[results + 1]] = normalize(callee.result, result);
        }
        return request != null && request.isRequested() ? -1 : loopCredit;
    }

    /** A scratch argument array of length {@code n}, reused across host calls of this invocation. */
    private long[] scratch(int n) {
        if (n >= scratch.length) {
            scratch = Arrays.copyOf(scratch, n + 1);
        }
        long[] a = scratch[n];
        if (a == null) {
            a = new long[n];
            scratch[n] = a;
        }
        return a;
    }

    /** Raw bits in register form: i32 sign-extended, f32 zero-extended. */
    static long normalize(ValType type, long bits) {
        return switch (type) {
            case I32 -> (int) bits;
            case F32 -> bits & 0xFFFFFFFFL;
            case I64, F64, FUNCREF, EXTERNREF -> bits;
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    /** The results of the entry function's ret at {@code pc}: {@code RET n src...}. */
    static long[] results(long[] r, int[] code, int pc, int fp) {
        int n = code[pc + 1];
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = r[fp + code[pc + 2 + i]];
        }
        return out;
    }

    /**
     * Records where the invocation stopped: the active function at decoded position {@code pc}
     * (a FUEL header whose block was not charged) with its frame at {@code fp}, and every frame
     * below it at its call, all in byte pcs (see {@link ExecutionState}).
     */
    void suspend(int pc, int fp) {
        if (handOver != NO_HAND_OVER) {
            handOverPc = pc;
            handOverFp = fp;
            return;
        }
        ExecutionState.Frame[] out = new ExecutionState.Frame[depth];
        out[depth - 1] = frame(func, pc, fp);
        for (int k = depth; k >= 2; k--) {
            int b = 3 * k - 3;
            out[k - 2] = frame(frames[b], frames[b + 1], frames[b + 2]);
        }
        suspended = List.of(out);
    }

    /** The state of the frame of {@code function} at decoded position {@code position}, its registers at {@code fp}. */
    ExecutionState.Frame frame(int function, int position, int fp) {
        DecodedFunction f = functions[function];
        return new ExecutionState.Frame(function, f.bytePc(position), Arrays.copyOfRange(regs, fp, fp + f.frameSize));
    }

    /**
     * Runs THROW or RETHROW at decoded position {@code pc} of the active function (frame at {@code fp}):
     * makes the exception and unwinds to the innermost frame that catches it ({@link #catchBelow}).
     *
     * @throws GuestException if no frame of this machine catches it
     */
    void raise(long[] r, int[] code, int pc, int fp) {
        int n = code[pc + 2];
        long[] payload = new long[n];
        for (int i = 0; i < n; i++) {
            payload[i] = r[fp + code[pc + 3 + i]];
        }
        int tag = code[pc] == Op.RETHROW ? (int) r[fp + code[pc + 1]] : code[pc + 1];
        catchBelow(new GuestException(tag, payload, instance.tagNamespace(), func,
                instance.functionName(func), functions[func].bytePc(pc)), depth);
    }

    /**
     * Unwinds exception {@code e} thrown by the frame at depth {@code d} (and by whatever ran above
     * it): the innermost frame below {@code d} that waits in a catching call receives it ({@link
     * #land}); the frames above it are dropped. No fuel is charged and nothing is polled, so no
     * safe point sees the exception in flight.
     *
     * @throws GuestException {@code e}, if no frame below {@code d} catches it
     */
    void catchBelow(GuestException e, int d) {
        for (int k = d; k > 1; k--) {
            int b = 3 * k - 3;
            DecodedFunction caller = functions[frames[b]];
            int call = caller.instructionStart(frames[b + 1]);
            if (caller.code[call] == Op.CALL_CATCH || caller.code[call] == Op.CALL_INDIRECT_CATCH) {
                depth = k - 1;
                func = caller.index;
                land(e, caller, call, frames[b + 2]);
                return;
            }
        }
        throw e;
    }

    /**
     * Lands exception {@code e}, which a host function called by the instruction at decoded
     * position {@code pc} (frame at {@code fp}) threw (or rethrows it if that is a throw that no
     * frame caught), in that call if it catches, else in the
     * innermost catching frame below; the loop then leaves with {@link #handOver} {@link #LANDED}
     * and the invocation goes on at {@link #nextPc}. The fuel is made current first, as after any
     * host call ({@link #credit} is the loop's credit before the call).
     *
     * @throws GuestException {@code e}, if no frame catches it
     */
    void landFromHost(GuestException e, int[] code, int pc, int fp) {
        if (code[pc] == Op.THROW || code[pc] == Op.RETHROW) {
            throw e; // raise found no catching frame: the exception leaves the invocation
        }
        if (metered) {
            takeBackFuel(credit);
        }
        if (code[pc] == Op.CALL_CATCH || code[pc] == Op.CALL_INDIRECT_CATCH) {
            land(e, functions[func], pc, fp);
        } else {
            catchBelow(e, depth);
        }
        handOver = LANDED;
    }

    /**
     * Writes {@code e} into the exception list of the catching call at decoded position {@code
     * call} of {@code f} (frame at {@code fp}, the active frame) and goes on at its landing pad.
     */
    void land(GuestException e, DecodedFunction f, int call, int fp) {
        e.writeTo(regs, fp, f.code, call + 3, f.code[call + 2]);
        nextCode = f.code;
        nextPc = f.code[call + 1];
        nextFp = fp;
    }

    /** The trap that {@code signal} stands for, raised at decoded position {@code pc} of function {@code function}. */
    Trap trap(TrapSignal signal, int function, int pc) {
        DecodedFunction f = functions[function];
        return signal.toTrap(function, instance.functionName(function), f.bytePc(pc));
    }
}
