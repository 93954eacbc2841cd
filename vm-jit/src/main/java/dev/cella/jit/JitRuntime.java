package dev.cella.jit;

import dev.cella.vm.BulkWork;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.ForeignFunction;
import dev.cella.vm.GuestException;
import dev.cella.vm.HostFunction;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.StateValidator;
import dev.cella.vm.Table;
import dev.cella.vm.TableOps;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.vm.TrapSignal;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The slow paths compiled code calls: fuel refills and interrupt polls, the continuation of a
 * function whose fuel window ran out, traps, host calls, memory growth and call-depth and
 * indirect-call resolution. None of these run per instruction on a hot path; the hot paths (fuel
 * charge, bounds check, arithmetic) are emitted inline or call the small {@link
 * dev.cella.vm.Numerics} helpers, which C2 inlines.
 *
 * <p>Every method that can throw a {@link Trap} expects the caller to have stored its fuel
 * window into {@link JitContext#fuel} first (the emitted code does so before calling), so the
 * instance's fuel is exact when the trap reaches the host.
 */
final class JitRuntime {
    /** Compiled code polls the interrupt hook at least once per this many units of fuel. */
    static final long POLL_INTERVAL = 65_536;

    private static final TrapKind[] KINDS = TrapKind.values();

    private JitRuntime() {}

    /**
     * Called when charging the block of leader {@code leader} of function {@code function} made
     * the fuel window negative. Metered: refills the window from the bank and polls the interrupt
     * hook, then charges the block. Unmetered: polls the hook and restarts the countdown.
     *
     * @param charged the window after subtracting the block's cost (negative)
     * @return the new window, the block's cost already charged
     * @throws Trap FUEL_EXHAUSTED at the leader's pc if the remaining fuel cannot pay for the block
     *     (the remaining fuel is left unconsumed)
     * @throws JitSuspend if the run's suspend request fires here (see {@link JitContext}): at its
     *     fuel point, or with its flag up; the block is not charged and no frame is added yet
     */
    static int refuel(JitContext ctx, int charged, int function, int leader) {
        FunctionCode code = ctx.engine.code(function);
        if (!ctx.metered) {
            poll(ctx);
            if (ctx.suspendRequested()) {
                throw new JitSuspend();
            }
            return (int) Math.max(0, POLL_INTERVAL - code.pollCosts[leader]);
        }
        int cost = code.leaderCosts[leader];
        ctx.fuel = charged + cost;
        if (ctx.fuelRemaining() < cost) {
            throw dry(ctx, cost, function, code.leaderPcs[leader]);
        }
        InterruptHook hook = ctx.instance.interruptHook();
        if (hook != null) {
            ctx.storeFuel();
            try {
                hook.poll(ctx.instance);
            } finally {
                ctx.loadFuel();
            }
            if (ctx.fuelRemaining() < cost) {
                throw dry(ctx, cost, function, code.leaderPcs[leader]);
            }
        }
        if (ctx.suspendRequested()) {
            throw new JitSuspend();
        }
        long after = ctx.fuelRemaining() - cost;
        // Units charged from this poll to the next: cost + window <= POLL_INTERVAL (when cost is).
        long window = Math.min(after, Math.max(0, POLL_INTERVAL - cost));
        ctx.bank = after - window;
        ctx.fuel = (int) window;
        return (int) window;
    }

    /** A run of the block of leader number {@code leader} in a profiled region ({@link HotRegions#count}). */
    static void count(JitContext ctx, int function, int leader) {
        ctx.engine.hotRegions().count(ctx.metered, function, leader);
    }

    /**
     * The fuel check of code that refuels in place: {@code charged} (the window after charging
     * the block of leader {@code leader}) if it is not negative, else {@link #refuel}'s window.
     * Tiny so that C2 inlines it everywhere; its one branch profile is shared by every site on
     * purpose (see {@code MethodEmitter.refuelInPlace}).
     */
    static int charged(JitContext ctx, int charged, int function, int leader) {
        if (charged >= 0) {
            return charged;
        }
        return refuel(ctx, charged, function, leader);
    }

    private static void poll(JitContext ctx) {
        InterruptHook hook = ctx.instance.interruptHook();
        if (hook != null) {
            hook.poll(ctx.instance);
        }
    }

    /**
     * What to throw when the spendable fuel cannot pay {@code cost}: at the request's fuel point
     * a suspension, unless the fuel held back could not pay for the block either, in which case
     * the trap the run would meet without the request.
     */
    private static RuntimeException dry(JitContext ctx, int cost, int function, int pc) {
        if (ctx.held > 0 && ctx.fuelRemaining() + ctx.held >= cost) {
            return new JitSuspend();
        }
        long remaining = ctx.fuelRemaining();
        ctx.fuel = (int) Math.min(remaining, Integer.MAX_VALUE);
        ctx.bank = remaining - ctx.fuel;
        return trap(ctx, TrapKind.FUEL_EXHAUSTED, function, pc);
    }

    /**
     * Runs the rest of function {@code function} after its fuel window ran out (or after a jump
     * back out of a method that entered it in the middle): {@code code} names where to go on, as
     * {@code leader << 1 | charged}, where {@code charged} says the block's cost is already taken
     * from the window. Each round refuels if the window is negative, then runs the function from
     * that leader in its entry method ({@link MethodEmitter.Mode#ENTRY}), which returns the next
     * code, or -1 when the function returned (its results in {@link JitContext#results}).
     *
     * <p>This keeps fuel refills out of compiled loops: a loop's fuel check leaves the method
     * instead of calling back into it, so C2 never sees a call inside the loop (around which it
     * would keep the loop's values in memory).
     *
     * @param registers every register of the function, as raw bits
     * @param frame the function's frame word
     */
    static void resume(JitContext ctx, int function, long[] registers, long frame, int code) {
        JitEngine engine = ctx.engine;
        FunctionCode fc = engine.code(function);
        int[] costs = ctx.metered ? fc.leaderCosts : fc.pollCosts;
        try {
            while (code >= 0) {
                int leader = code >>> 1;
                MethodHandle entry = engine.entry(ctx.metered, function, leader);
                if (entry == null) {
                    // The code budget is spent: the interpreter runs the rest of the frame from
                    // this leader, its block uncharged (the interpreter charges it).
                    if ((code & 1) != 0) {
                        ctx.fuel += costs[leader];
                    }
                    interpretRest(ctx, function, fc.leaderPcs[leader], registers);
                    return;
                }
                if ((code & 1) == 0) {
                    ctx.fuel -= costs[leader];
                }
                if (ctx.fuel < 0) {
                    try {
                        ctx.fuel = refuel(ctx, ctx.fuel, function, leader);
                    } catch (JitSuspend s) {
                        throw s.add(engine, function, fc.leaderPcs[leader], registers);
                    }
                }
                code = (int) entry.invokeExact(ctx, registers, frame);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The trap of kind {@code kind} at {@code pc} of {@code function}. */
    static Trap trap(JitContext ctx, TrapKind kind, int function, int pc) {
        return new Trap(kind, function, ctx.instance.functionName(function), pc);
    }

    /** The exception that throw raises at {@code pc} (see {@link dev.cella.vm.GuestException}); for emitted code. */
    static GuestException raise(long[] payload, JitContext ctx, int tag, int function, int pc) {
        Instance instance = ctx.instance;
        return new GuestException(tag, payload, instance.tagNamespace(), function, instance.functionName(function), pc);
    }

    /** The trap of the kind with ordinal {@code kind}; for emitted code. */
    static Trap trap(JitContext ctx, int kind, int function, int pc) {
        return trap(ctx, KINDS[kind], function, pc);
    }

    /** Turns a helper's {@link TrapSignal} into the trap at {@code pc}; argument order suits emitted code. */
    static Trap signal(TrapSignal signal, int pc, JitContext ctx, int function) {
        return signal.toTrap(function, ctx.instance.functionName(function), pc);
    }

    /**
     * Calls host function {@code importIndex} with {@code args} (scratch, see {@link
     * JitContext#hostArgs}). The instance's fuel is current during the call and re-read after it,
     * since a host function may charge or grant fuel.
     */
    static long callHost(JitContext ctx, int importIndex, long[] args) {
        HostFunction f = ctx.instance.hostFunction(importIndex);
        long window = ctx.fuel;
        ctx.storeFuel();
        try {
            return f.call(ctx.instance, args);
        } catch (GuestException e) {
            throw e.enter(ctx.instance);
        } finally {
            returnedFromOutside(ctx, window);
        }
    }

    /**
     * Back from a call outside the instance (the host, another instance) that began with fuel
     * window {@code window}. The window is kept across the call, as the interpreter does, so a
     * guest calling out all the time still polls the hook every POLL_INTERVAL units; and if a
     * suspension was asked for meanwhile, the window is emptied: the instruction after a call
     * leads a block and checks itself, and an empty window sends that check to refuel, which
     * suspends there, as the interpreter does.
     */
    private static void returnedFromOutside(JitContext ctx, long window) {
        ctx.loadFuel(window);
        if (ctx.suspendRequested()) {
            ctx.bank += ctx.fuel;
            ctx.fuel = 0;
        }
    }

    /**
     * Calls the function of another instance that {@link #indirect} left in {@link
     * JitContext#foreign} (of type index {@code type}) with {@code args}, handing the fuel over as
     * for a host call; the interpreter does the same ({@link ForeignFunction}).
     *
     * @return the single result's raw bits; several are left in {@link JitContext#results}
     */
    static long callForeign(JitContext ctx, int type, long[] args) {
        ForeignFunction target = ctx.foreign;
        ctx.foreign = null;
        long window = ctx.fuel;
        ctx.storeFuel();
        try {
            long[] r = target.call(args);
            if (r.length > 1) {
                System.arraycopy(r, 0, ctx.results, 0, r.length);
            }
            return r.length == 1 ? r[0] : 0;
        } catch (GuestException e) {
            throw e.enter(ctx.instance);
        } finally {
            returnedFromOutside(ctx, window);
        }
    }

    /** ref.func: the reference to function {@code function} of the running instance. */
    static long functionRef(JitContext ctx, int function) {
        return ctx.instance.functionRef(function);
    }

    /**
     * Runs defined function {@code function}, which the JIT could not compile, in the interpreter
     * for compiled code (through its adapter, see {@link ImportAdapters}), handing the fuel over
     * as for a host call. The interpreted call and its callees count their depth afresh from 1,
     * and a suspension request waits until it returns (docs/engines.md, "When the JIT cannot
     * compile a function").
     *
     * @return the single result's raw bits; several are left in {@link JitContext#results}
     */
    static long callInterpreted(JitContext ctx, int function, long[] args) {
        long window = ctx.fuel;
        ctx.storeFuel();
        try {
            long[] r = ctx.engine.fallbackInterpreter().invoke(ctx.instance, function, args.clone());
            if (r.length > 1) {
                System.arraycopy(r, 0, ctx.results, 0, r.length);
            }
            return r.length == 1 ? r[0] : 0;
        } finally {
            returnedFromOutside(ctx, window);
        }
    }

    /**
     * Runs the rest of defined function {@code function}'s frame, from its block leader at byte pc
     * {@code pc} (not yet charged), in the interpreter for compiled code, when the code budget
     * cannot pay for the entry method ({@link CodeBudget}); the fuel is handed over as for
     * {@link #callInterpreted}, whose rules (depth counted afresh, a suspension request waiting
     * until it returns) apply. The results are left in {@link JitContext#results}.
     */
    private static void interpretRest(JitContext ctx, int function, int pc, long[] registers) {
        long window = ctx.fuel;
        ctx.storeFuel();
        try {
            Instance instance = ctx.instance;
            ExecutionState state = new ExecutionState(List.of(new ExecutionState.Frame(function, pc, registers.clone())),
                    instance.fuelUsed(), instance.fuelRemaining());
            long[] r = ctx.engine.fallbackInterpreter().resume(instance, state, null).results();
            System.arraycopy(r, 0, ctx.results, 0, r.length);
        } finally {
            returnedFromOutside(ctx, window);
        }
    }

    /**
     * Runs defined function {@code function}, not yet hot under {@code auto}, in the tiered
     * interpreter for compiled code (through its adapter, see {@link
     * ImportAdapters#generateTiered}); exact, unlike {@link #callInterpreted}: see {@link
     * TieredEngine#callFromCompiled}.
     *
     * @param frame the callee's frame word
     * @return the single result's raw bits; several are left in {@link JitContext#results}
     */
    static long callTiered(JitContext ctx, int function, long frame, long[] args) {
        return ctx.engine.tiering().callFromCompiled(ctx, function, frame, args);
    }

    /** The boxed entry of a function that runs interpreted ({@link #callInterpreted}), for {@link JitEngine#run}. */
    static long[] interpretedBox(JitContext ctx, int function, long frame, long[] args) {
        ctx.storeFuel();
        try {
            return ctx.engine.fallbackInterpreter().invoke(ctx.instance, function, args.clone());
        } finally {
            ctx.loadFuel();
        }
    }

    /**
     * Adds the frame of {@code function} at byte pc {@code pc} (a call it waits on, or the leader
     * whose refuel suspended) to a suspension passing through; for emitted code.
     *
     * @return {@code s}, to be rethrown
     */
    static JitSuspend suspendFrame(JitSuspend s, JitContext ctx, int function, long[] registers, int pc) {
        return s.add(ctx.engine, function, pc, registers);
    }

    /**
     * The way out of a direct method that must leave with its registers saved: with {@code
     * pending} null its fuel window ran out and {@link #resume} continues the function from
     * {@code code}; otherwise a suspension is passing through and the frame, at byte pc {@code
     * code}, is added to it and it is rethrown.
     */
    static void leave(JitSuspend pending, JitContext ctx, int function, long[] registers, long frame, int code) {
        if (pending != null) {
            throw suspendFrame(pending, ctx, function, registers, code);
        }
        resume(ctx, function, registers, frame, code);
    }

    /** memory.grow; compiled code reloads its cached memory array afterwards. */
    static int memoryGrow(JitContext ctx, int deltaPages) {
        return ctx.memory.grow(deltaPages, units -> chargeBulk(ctx, units), () -> bulkPoll(ctx));
    }

    /**
     * memory.fill, checked, charged and done by the rule of {@link BulkWork}; the emitted code
     * stored its fuel window in the context before and reloads it after.
     *
     * @throws TrapSignal out of bounds, or fuel exhausted (nothing charged, nothing written)
     */
    static void memoryFill(JitContext ctx, byte[] mem, int dst, int value, int n) {
        BulkWork.checkFill(ctx.memory.size(), dst, n);
        chargeBulk(ctx, BulkWork.units(n & 0xFFFFFFFFL));
        BulkWork.fill(mem, dst, value, n, n > BulkWork.CHUNK ? () -> bulkPoll(ctx) : null);
    }

    /** memory.copy, as {@link #memoryFill}. */
    static void memoryCopy(JitContext ctx, byte[] mem, int dst, int src, int n) {
        BulkWork.checkCopy(ctx.memory.size(), dst, src, n);
        chargeBulk(ctx, BulkWork.units(n & 0xFFFFFFFFL));
        BulkWork.copy(mem, dst, src, n, n > BulkWork.CHUNK ? () -> bulkPoll(ctx) : null);
    }

    /** global.get of an imported global (see {@link VariableEmitter}). */
    static long globalGet(JitContext ctx, int global) {
        return ctx.instance.globalGet(global);
    }

    /** global.set of an imported global. */
    static void globalSet(JitContext ctx, int global, long bits) {
        ctx.instance.globalSet(global, bits);
    }

    /** table.get (see {@link TableEmitter}). */
    static long tableGet(JitContext ctx, int table, int i) {
        return TableOps.get(ctx.tables[table], i);
    }

    /** table.set. */
    static void tableSet(JitContext ctx, int table, int i, long ref) {
        TableOps.set(ctx.tables[table], i, ref);
    }

    /** table.size. */
    static int tableSize(JitContext ctx, int table) {
        return ctx.tables[table].size();
    }

    /** table.grow, charged by the rule of {@link BulkWork} (the window stored in the context). */
    static int tableGrow(JitContext ctx, int table, long ref, int delta) {
        return ctx.instance.growTable(table, ref, delta, units -> chargeBulk(ctx, units));
    }

    /** table.fill: checked, charged and done by the rule of {@link BulkWork}. */
    static void tableFill(JitContext ctx, int table, int dst, long ref, int n) {
        Table t = ctx.tables[table];
        TableOps.checkFill(t, dst, n);
        chargeBulk(ctx, BulkWork.tableUnits(n & 0xFFFFFFFFL));
        TableOps.fill(t, dst, ref, n);
    }

    /** table.copy, as {@link #tableFill}. */
    static void tableCopy(JitContext ctx, int to, int from, int dst, int src, int n) {
        TableOps.checkCopy(ctx.tables[to], ctx.tables[from], dst, src, n);
        chargeBulk(ctx, BulkWork.tableUnits(n & 0xFFFFFFFFL));
        TableOps.copy(ctx.tables[to], ctx.tables[from], dst, src, n);
    }

    /** table.init, as {@link #tableFill}. */
    static void tableInit(JitContext ctx, int table, int segment, int dst, int src, int n) {
        TableOps.checkInit(ctx.instance, table, segment, dst, src, n);
        chargeBulk(ctx, BulkWork.tableUnits(n & 0xFFFFFFFFL));
        TableOps.init(ctx.instance, table, segment, dst, src, n);
    }

    /** elem.drop. */
    static void elemDrop(JitContext ctx, int segment) {
        ctx.instance.dropSegment(segment);
    }

    /**
     * Charges {@code units} of bulk work from the window, or, when the window cannot pay them,
     * polls the interrupt hook and takes them from all the fuel left, the fuel held back for a
     * suspension point included (the interpreter's {@code Machine.chargeBulk}, step for step).
     * Unmetered, the window is only the poll countdown.
     *
     * @throws TrapSignal fuel exhausted if the fuel left cannot pay (nothing charged;
     *     the window is as the emitted code stored it, which its trap handler stores again)
     */
    private static void chargeBulk(JitContext ctx, long units) {
        if (units <= ctx.fuel) {
            ctx.fuel -= (int) units;
            return;
        }
        if (!ctx.metered) {
            poll(ctx);
            ctx.fuel = (int) POLL_INTERVAL;
            return;
        }
        if (ctx.fuelRemaining() + ctx.held < units) {
            throw TrapSignal.FUEL_EXHAUSTED;
        }
        InterruptHook hook = ctx.instance.interruptHook();
        if (hook != null) {
            int window = ctx.fuel;
            ctx.storeFuel();
            try {
                hook.poll(ctx.instance);
            } finally {
                ctx.loadFuel();
            }
            if (ctx.fuelRemaining() + ctx.held < units) {
                ctx.bank = ctx.fuelRemaining() - window;
                ctx.fuel = window;
                throw TrapSignal.FUEL_EXHAUSTED;
            }
        }
        long available = ctx.fuelRemaining() - units;
        if (available < 0) {
            ctx.held += available; // past the suspension point: the next block suspends
            available = 0;
        }
        ctx.fuel = (int) Math.min(available, POLL_INTERVAL);
        ctx.bank = available - ctx.fuel;
    }

    /** Polls the interrupt hook between two chunks of bulk work, with the fuel current. */
    private static void bulkPoll(JitContext ctx) {
        InterruptHook hook = ctx.instance.interruptHook();
        if (hook != null) {
            ctx.storeFuel();
            hook.poll(ctx.instance);
        }
    }

    /**
     * The slow path of a guest call whose frame check failed (see {@link JitContext}): traps if
     * the call would pass the maximum depth or the callee's frame would not fit the stack (checked
     * in the interpreter's order, by the frame model of {@link StateValidator#FRAME_UNITS});
     * otherwise the caller is at its stack segment's end, and this returns
     * the callee's frame word in the next segment, where the caller makes the call through
     * {@link StackSegments} on a fresh thread.
     *
     * @param frame the caller's frame word
     * @param calleeRegisters registers of the callee's frame
     * @throws Trap CALL_STACK_EXHAUSTED at the call's pc
     */
    static long deepCall(JitContext ctx, long frame, int calleeRegisters, int function, int pc) {
        int depth = ctx.depth(frame);
        int units = StateValidator.stackUnits(calleeRegisters);
        if (depth >= ctx.maxDepth) {
            throw trap(ctx, TrapKind.CALL_STACK_EXHAUSTED, function, pc);
        }
        if ((int) frame < units) {
            ctx.instance.stackRefused(ctx.stackTop(frame) + (long) units);
            throw trap(ctx, TrapKind.CALL_STACK_EXHAUSTED, function, pc);
        }
        return JitContext.frame(ctx.nextSegmentLimit() - depth - 1, (int) frame - units);
    }

    /**
     * Resolves call_indirect at {@code pc} of {@code function}: element {@code element} (read as
     * unsigned) of table {@code table} must be set and of type {@code type}. Checks, in order:
     * table bounds, null element, signature, then (for a guest target) call depth. Leaves the
     * callee's frame word in {@link JitContext#calleeFrame}.
     *
     * @param frame the caller's frame word
     * @return a handle of the signature's {@link Signature#methodType} that calls the target
     * @throws Trap UNDEFINED_ELEMENT, UNINITIALIZED_ELEMENT, INDIRECT_CALL_TYPE_MISMATCH or
     *     CALL_STACK_EXHAUSTED at {@code pc}
     */
    static MethodHandle indirect(JitContext ctx, int table, int element, int type, int function, int pc,
            long frame) {
        Table t = ctx.tables[table];
        if (Integer.compareUnsigned(element, t.size()) >= 0) {
            throw trap(ctx, TrapKind.UNDEFINED_ELEMENT, function, pc);
        }
        long ref = t.get(element);
        if (ref == 0) {
            throw trap(ctx, TrapKind.UNINITIALIZED_ELEMENT, function, pc);
        }
        JitEngine engine = ctx.engine;
        long own = ref - ctx.instance.refBase();
        if (own <= 0 || own > engine.module().functionCount()) {
            // Another instance's function, or a reference from the host that names none (no type).
            ctx.foreign = ctx.instance.foreignFunction(ref, type);
            if (ctx.foreign == null) {
                throw trap(ctx, TrapKind.INDIRECT_CALL_TYPE_MISMATCH, function, pc);
            }
            ctx.calleeFrame = frame;
            return engine.foreignHandle(type);
        }
        if (engine.module().functionTypeIndex((int) own - 1) != type) {
            throw trap(ctx, TrapKind.INDIRECT_CALL_TYPE_MISMATCH, function, pc);
        }
        int target = (int) own - 1;
        if (engine.module().isImport(target)) {
            ctx.calleeFrame = frame;
            return engine.handle(ctx.metered, target);
        }
        int registers = engine.module().function(target).registers().size();
        long callee = frame - ((1L << 32) + StateValidator.stackUnits(registers));
        if ((callee & JitContext.FRAME_CHECK) == 0) {
            ctx.calleeFrame = callee;
            return engine.callee(ctx.metered, target);
        }
        ctx.calleeFrame = deepCall(ctx, frame, registers, function, pc);
        return engine.hopHandle(ctx.metered, target);
    }
}
