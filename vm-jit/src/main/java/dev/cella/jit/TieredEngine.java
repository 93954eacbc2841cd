package dev.cella.jit;

import dev.cella.isa.module.Module;
import dev.cella.vm.EngineDiagnostics;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.Instance;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.interp.Interpreter;
import dev.cella.vm.interp.TierHook;
import dev.cella.vm.StateValidator;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MutableCallSite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The {@code auto} engine: every invocation starts in the interpreter, and what turns out to be
 * hot moves to compiled code, so short runs pay no compilation and long ones run at JIT speed.
 * Both tiers give identical results, traps, fuel and interrupt polls, so the choice is never
 * observable except in speed.
 *
 * <h2>Design (see docs/engines.md)</h2>
 * The interpreter runs with this engine as its {@link TierHook}:
 * <ul>
 *   <li><b>Hot calls.</b> Before an interpreted guest call (or a host invocation) of a function
 *       that has been entered {@link #HOT_CALLS} times, the function is compiled and the call
 *       runs compiled.
 *   <li><b>Calls from compiled code.</b> A call site in compiled code links to its callee's
 *       {@link #callSite}: while the callee is not hot, an adapter that runs it in this
 *       interpreter, nested in the compiled frames below ({@link #callFromCompiled}), and counts
 *       the entry as the interpreter's calls are counted; once its compiled code is ready, the
 *       compiled method. So compiled code compiles no callee at its first call: only what is
 *       hot is compiled, whichever tier calls it (docs/engines.md, "Auto").
 *   <li><b>On-stack replacement.</b> When a frame uses up a fuel window (the interpreter then
 *       polls the interrupt hook, about every 65,536 units) and its function has done so {@link
 *       #HOT_WINDOWS} times, the frame moves to compiled code at that block leader: its registers
 *       go to the JIT's entry method for the leader, which runs the function from there (a loop
 *       settles into the entry method of its header; see docs/engines.md). So a long loop in a
 *       function called only once (a program's main loop) reaches JIT speed after two windows.
 *   <li><b>Stored classes.</b> With a {@link ClassCache}, a hot function's class comes from it
 *       when an earlier run generated it, so its compilation is quick: the base thresholds stay (a
 *       stored function compiled at its first entry instead gained nothing measurable), the size
 *       threshold goes (docs/performance.md, "Class cache").
 *   <li><b>Size.</b> By calls or by windows, a function compiles only once its interpreted frames also
 *       used up {@link #WINDOWS_PER_KB} fuel windows per KiB of its code: a small function at
 *       once, Lua's 20 KB {@code luaV_execute} after some 940 windows (61 M units); not a
 *       function whose class is in the class cache ({@link #sizeWindows(int)}). Calls from
 *       compiled code pay it with what they cost, their fuel and a hand-over each ({@link
 *       #sizePaid}, {@link #NESTED_CALL}).
 *   <li><b>Cheap calls stay.</b> The interpreter hands a call of a hot function over only while
 *       such calls pay for the hand-over: the first {@link #PROBE_CALLS} are measured, and if
 *       they used under {@link #CHEAP_CALL} fuel units each, its later calls from interpreted
 *       callers stay interpreted (compiled callers call its compiled code directly).
 * </ul>
 * Compilation does not stall the guest: a function that turns hot is compiled on a background
 * thread ({@link #COMPILER}) while the interpreter goes on running it, and the next entry (or
 * fuel window) after the compiled code is ready hands over. Which call hands over thus depends on
 * timing, which no result, trap, fuel figure or poll can show.
 * The hand-over carries the fuel window, so polls fall where the interpreter's would. A suspension
 * inside compiled code hands its frames back ({@link JitSuspend}) on top of the interpreted
 * ones. A frame of a function too large for entry methods ({@link JitEngine#continuable}), compiled
 * by regions, moves into its regions ({@link JitEngine#regionContinuable}). Unmetered instances run compiled from the
 * start (hand-overs carry a metered fuel window; an unmetered run has only a poll countdown).
 *
 * <p>Thread-safe: the counters are atomic and both tiers are thread-safe.
 */
public final class TieredEngine implements SuspendableEngine, EngineDiagnostics {
    /** Entries (calls and host invocations) after which a function runs compiled. */
    static final int HOT_CALLS = 64;
    /** Fuel windows a function's frames use up in the interpreter before the next one moves to compiled code. */
    static final int HOT_WINDOWS = 2;
    /**
     * Fuel windows per KiB of a function's code that its interpreted frames must also have used
     * up before it compiles, by calls or by windows ({@link #sizeWindows}); 0: none. Compiling
     * costs in proportion to the code (the JIT's bytecode generation, then HotSpot compiling the
     * methods), so a large function waits until it has run long enough to pay that back
     * (docs/performance.md, "Tiering policy").
     */
    static final int WINDOWS_PER_KB = 48;
    /**
     * Calls of a function the interpreter hands over that are measured ({@link Hook#call}); if
     * they used less than {@link #CHEAP_CALL} fuel units each on average, later calls of it from
     * the interpreter stay there (compiled callers still call its compiled code).
     */
    static final int PROBE_CALLS = 16;
    /**
     * Fuel of a call below which handing it to compiled code costs more than interpreting it:
     * a hand-over makes a context and an invocation, several times what the interpreter spends
     * on a block (a 64-call threshold alone made a Lua script whose VM loop stayed interpreted
     * 1.6 times slower than the interpreter).
     */
    static final int CHEAP_CALL = 256;

    /**
     * Fuel units a call from compiled code into the interpreter ({@link #callFromCompiled}) counts
     * toward its callee's size threshold besides the fuel it used ({@link #sizePaid}): such a call
     * makes a nested interpreter, a hand-over as costly as the one {@link #CHEAP_CALL} measures, so
     * a function compiled code calls often compiles even when its calls are short.
     */
    static final int NESTED_CALL = CHEAP_CALL;

    /** A function's compilation state in {@link #state}: not asked for, queued, done, failed. */
    private static final int COLD = 0;
    private static final int QUEUED = 1;
    private static final int READY = 2;
    private static final int FAILED = 3;

    /**
     * The thread that compiles hot functions for every tiered engine, one at a time (HotSpot's
     * own compiler threads then compete with the guest for the remaining cores).
     */
    private static final ExecutorService COMPILER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cella-jit-compiler");
        t.setDaemon(true);
        return t;
    });

    private final int hotCalls;
    private final int hotWindows;
    /** Compile on {@link #COMPILER} (else on the guest's thread, so hand-overs fall at exact counts: tests). */
    private final boolean background;

    private final Module module;
    private final Interpreter interpreter;
    private final JitEngine jit;
    private final AtomicIntegerArray calls;
    private final AtomicIntegerArray windows;
    private final AtomicIntegerArray transfers;
    /** Per function: calls the interpreter handed over and measured, and the fuel they used ({@link #PROBE_CALLS}). */
    private final AtomicIntegerArray handedCalls;
    private final java.util.concurrent.atomic.AtomicLongArray handedFuel;
    /** Per function: all calls the interpreter handed over. */
    private final AtomicIntegerArray handOvers;
    /**
     * Per function, for {@code --stats} (docs/performance.md, "Where auto loses"): calls compiled
     * code made of it that ran in the interpreter ({@link #callFromCompiled}), and calls of it
     * from interpreted callers that stayed interpreted once its compiled code was ready (cheap
     * calls, {@link #CHEAP_CALL}). Plain counters on hot paths: threads racing may lose a count,
     * which only statistics show.
     */
    private final int[] nestedCalls;
    private final int[] cheapStays;
    /** Per function: milliseconds from this engine's making to its compiled code being ready, or -1. */
    private final long[] readyMillis;
    private final long born = System.nanoTime();
    /** Per function: {@link #COLD}, {@link #QUEUED}, {@link #READY} or {@link #FAILED}. */
    private final AtomicIntegerArray state;
    /** Per function: the fuel windows its interpreted frames must use up before it compiles ({@link #WINDOWS_PER_KB}). */
    private final int[] sizeWindows;
    /**
     * Per function, while it is not compiled: what its calls from compiled code cost in the
     * interpreter ({@link #callFromCompiled}), the fuel they used, callees included (known
     * exactly there), and {@link #NESTED_CALL} each; it pays the size threshold as windows do
     * ({@link #sizePaid}).
     */
    private final java.util.concurrent.atomic.AtomicLongArray nestedFuel;
    /** Per function: whether the class cache was asked for its class ({@link #sizeWindows(int)}). */
    private final boolean[] storedAsked;
    /** Per defined function, once compiled code first called it before it was ready: its call site ({@link #callSite}). */
    private final MutableCallSite[] sites;

    /**
     * The depth limit of the compiled frames' stack segment below the interpreter this thread
     * runs nested in them ({@link #callFromCompiled}), for the compiled frames it hands over to
     * ({@link CompiledResumption#call}); {@link Integer#MAX_VALUE} when not nested.
     */
    private static final ThreadLocal<int[]> SEGMENT_LIMIT = ThreadLocal.withInitial(() -> new int[] {Integer.MAX_VALUE});

    /** An engine for {@code verifiedModule} (which must have passed the verifier). */
    public TieredEngine(Module verifiedModule) {
        this(verifiedModule, (ClassCache) null);
    }

    /** An engine that compiles on the guest's thread, with other thresholds (tests hand over as early as possible). */
    TieredEngine(Module verifiedModule, int hotCalls, int hotWindows) {
        this(verifiedModule, hotCalls, hotWindows, false);
    }

    /**
     * An engine for {@code verifiedModule} whose JIT defines classes from {@code classes} where
     * they are there, and keeps those it generates (null: no class cache).
     */
    public TieredEngine(Module verifiedModule, ClassCache classes) {
        this(verifiedModule, HOT_CALLS, HOT_WINDOWS, WINDOWS_PER_KB, true, JitEngine.Options.DEFAULT, classes);
    }

    /**
     * An engine with other thresholds, compiling in the background or on the guest's thread; no
     * size threshold ({@link #WINDOWS_PER_KB}), so hand-overs come as early as the two allow.
     */
    TieredEngine(Module verifiedModule, int hotCalls, int hotWindows, boolean background) {
        this(verifiedModule, hotCalls, hotWindows, 0, background, JitEngine.Options.DEFAULT, null);
    }

    /** An engine that compiles on the guest's thread with other thresholds and JIT options (tests). */
    TieredEngine(Module verifiedModule, int hotCalls, int hotWindows, JitEngine.Options options) {
        this(verifiedModule, hotCalls, hotWindows, 0, false, options, null);
    }

    /** An engine that compiles on the guest's thread with other thresholds, the size threshold among them (tests). */
    TieredEngine(Module verifiedModule, int hotCalls, int hotWindows, int windowsPerKb) {
        this(verifiedModule, hotCalls, hotWindows, windowsPerKb, false, JitEngine.Options.DEFAULT, null);
    }

    /** An engine with every choice but the size threshold given (tests give a class cache here). */
    TieredEngine(Module verifiedModule, int hotCalls, int hotWindows, boolean background,
            JitEngine.Options options, ClassCache classes) {
        this(verifiedModule, hotCalls, hotWindows, 0, background, options, classes);
    }

    /** An engine with every choice given (tests). */
    TieredEngine(Module verifiedModule, int hotCalls, int hotWindows, int windowsPerKb, boolean background,
            JitEngine.Options options, ClassCache classes) {
        this.hotCalls = hotCalls;
        this.hotWindows = hotWindows;
        this.background = background;
        this.module = Objects.requireNonNull(verifiedModule, "verifiedModule");
        this.jit = new JitEngine(module, false, options, CodeBudget.JVM, classes);
        this.interpreter = new Interpreter(module, new Hook());
        int n = module.functionCount();
        this.calls = new AtomicIntegerArray(n);
        this.windows = new AtomicIntegerArray(n);
        this.transfers = new AtomicIntegerArray(n);
        this.handedCalls = new AtomicIntegerArray(n);
        this.handedFuel = new java.util.concurrent.atomic.AtomicLongArray(n);
        this.handOvers = new AtomicIntegerArray(n);
        this.nestedCalls = new int[n];
        this.cheapStays = new int[n];
        this.readyMillis = new long[n];
        Arrays.fill(readyMillis, -1);
        this.state = new AtomicIntegerArray(n);
        this.sites = new MutableCallSite[n];
        this.sizeWindows = new int[n];
        this.nestedFuel = new java.util.concurrent.atomic.AtomicLongArray(n);
        this.storedAsked = new boolean[n];
        for (int f = module.imports().size(); f < n; f++) {
            sizeWindows[f] = (int) ((long) module.function(f).code().length * windowsPerKb / 1024);
        }
        jit.tiering(this);
    }

    @Override
    public long[] invoke(Instance instance, int function, long... args) {
        return invoke(instance, function, null, args).results();
    }

    @Override
    public Invocation invoke(Instance instance, int function, SuspendRequest request, long... args) {
        boolean defined = function >= 0 && function < module.functionCount() && !module.isImport(function);
        if (defined && (!instance.metered() || enteredHot(function))) {
            return jit.invoke(instance, function, request, args);
        }
        // On a stack that holds the compiled frames the interpreter may hand over (see StackSegments).
        return StackSegments.onGuestStack(jit, instance.maxCallDepth(),
                () -> interpreter.invoke(instance, function, request, args));
    }

    /** Continues {@code state} in the interpreter, which moves what is hot to compiled code as it goes. */
    @Override
    public Invocation resume(Instance instance, ExecutionState state, SuspendRequest request) {
        if (!instance.metered()) {
            return jit.resume(instance, state, request);
        }
        return StackSegments.onGuestStack(jit, instance.maxCallDepth(),
                () -> interpreter.resume(instance, state, request));
    }

    @Override
    public void checkResumable(Instance instance, ExecutionState state) {
        interpreter.checkResumable(instance, state);
    }

    /** Counts an entry of defined function {@code function}; true if it is hot and its compiled code ready. */
    private boolean enteredHot(int function) {
        int s = state.get(function);
        if (s == READY) {
            return true;
        }
        if (s == FAILED || calls.incrementAndGet(function) < hotCalls || !sizePaid(function)) {
            return false;
        }
        return compiles(function);
    }

    /**
     * True once {@code function}'s interpreted run paid its size threshold ({@link
     * #WINDOWS_PER_KB}): the fuel windows that ended in its interpreted frames (each standing for
     * a window's fuel: a sample of its share) and what its calls from compiled code cost ({@link
     * #nestedFuel}) add up to that many windows' fuel. Windows alone do not see the hand-overs:
     * on Lua binarytrees a 7 KB function made 262,712 calls, most of them from compiled code once
     * the VM loop was compiled, and stayed interpreted to the end with 311 of its 347 windows,
     * each call a nested interpreter (docs/performance.md, "Tiering without stalls"). A window
     * that ends in a nested call counts twice; either way it is an estimate.
     */
    private boolean sizePaid(int function) {
        int w = sizeWindows(function);
        return w == 0 || windows.get(function) * JitRuntime.POLL_INTERVAL + nestedFuel.get(function)
                >= w * JitRuntime.POLL_INTERVAL;
    }

    /**
     * The fuel windows {@code function}'s interpreted frames must use up before it compiles
     * ({@link #WINDOWS_PER_KB}): none once its class is found in the class cache, since then
     * compiling it generates nothing (docs/performance.md, "Class cache"). The cache is asked
     * once per function, when the base thresholds are met; the plain arrays may race, and
     * either answer only moves a hand-over, which no result or fuel figure shows.
     */
    private int sizeWindows(int function) {
        int w = sizeWindows[function];
        if (w > 0 && !storedAsked[function]) {
            storedAsked[function] = true;
            if (jit.classStored(function)) {
                sizeWindows[function] = w = 0;
            }
        }
        return w;
    }

    /**
     * True if {@code function}'s compiled code is ready; else asks for it (in the background, or
     * now) and tells whether it is ready now. A failure is remembered and reported by {@link
     * #functionStats}.
     */
    private boolean compiles(int function) {
        int s = state.get(function);
        if (s != COLD) {
            return s == READY;
        }
        if (!background) {
            compileNow(function);
        } else if (state.compareAndSet(function, COLD, QUEUED)) {
            COMPILER.execute(() -> compileNow(function));
        }
        return state.get(function) == READY;
    }

    private void compileNow(int function) {
        try {
            jit.handle(true, function);
            if (jit.fellBack(function) != null) {
                // The JIT runs it interpreted without nesting (JitRuntime#callInterpreted); this
                // engine's interpreter runs it better.
                state.set(function, FAILED);
                return;
            }
            readyMillis[function] = (System.nanoTime() - born) / 1_000_000;
            state.set(function, READY);
            synchronized (sites) {
                if (sites[function] != null) {
                    sites[function].setTarget(jit.handle(true, function));
                }
            }
        } catch (JitException e) {
            state.set(function, FAILED);
        } catch (RuntimeException | Error e) {
            // Not expected of the JIT; the interpreter goes on running the function either way.
            state.set(function, FAILED);
            if (!background) {
                throw e;
            }
        }
    }

    /**
     * The call site compiled code's direct calls of defined function {@code function} link to
     * ({@link JitEngine#linkCall}): its compiled method if ready; else a site shared by all its
     * callers whose target is the adapter into {@link #callFromCompiled} until the compiled code
     * is ready ({@link #compileNow} then sets the compiled method: HotSpot recompiles the callers
     * that inlined the adapter).
     */
    CallSite callSite(int function) {
        synchronized (sites) {
            if (state.get(function) == READY) {
                return new ConstantCallSite(jit.handle(true, function));
            }
            MutableCallSite s = sites[function];
            if (s == null) {
                s = new MutableCallSite(jit.tieredAdapter(function));
                sites[function] = s;
            }
            return s;
        }
    }

    /**
     * Runs a call compiled code made of defined function {@code function} (not hot when its site
     * was linked) in the interpreter, nested in the compiled frames below it, exactly as the
     * interpreter would run it under them ({@link Interpreter#call}): its depth and the registers
     * below come from the callee's frame word, the fuel window goes in and comes back, a
     * suspension inside goes on down through the compiled frames as a {@link JitSuspend}.
     * Counts the entry toward {@link #hotCalls}; the call that finds the function hot asks for
     * its compilation and still runs interpreted.
     *
     * @param args the arguments' raw bits (overwritten with their register form)
     * @return the single result's raw bits; several are left in {@link JitContext#results}
     */
    long callFromCompiled(JitContext ctx, int function, long frame, long[] args) {
        boolean cold = state.get(function) == COLD;
        nestedCalls[function]++;
        if (cold && calls.incrementAndGet(function) >= hotCalls && sizePaid(function)) {
            compiles(function);
        }
        var params = module.functionType(function).params();
        for (int i = 0; i < args.length; i++) {
            args[i] = JitEngine.normalize(params.get(i), args[i]);
        }
        int depth = ctx.depth(frame);
        int below = ctx.stackTop(frame) - StateValidator.FRAME_UNITS * depth
                - module.function(function).registers().size();
        long[] window = {ctx.fuel};
        ctx.storeFuel();
        long before = ctx.instance.fuelRemaining(); // current on entry and on the way out (Interpreter#call)
        int[] limit = SEGMENT_LIMIT.get();
        int outer = limit[0];
        limit[0] = ctx.depthLimit;
        Invocation inv;
        try {
            inv = interpreter.call(ctx.instance, function, args, depth, below, window, ctx.request);
        } finally {
            limit[0] = outer;
            if (cold) {
                nestedFuel.addAndGet(function, before - ctx.instance.fuelRemaining() + NESTED_CALL);
            }
            ctx.loadFuel(window[0]);
        }
        if (inv.isSuspended()) {
            throw JitSuspend.of(inv.state().frames());
        }
        long[] r = inv.results();
        if (r.length > 1) {
            System.arraycopy(r, 0, ctx.results, 0, r.length);
        }
        return r.length == 1 ? r[0] : 0;
    }

    /** The interpreter's hook: what to hand over, and the hand-overs themselves. */
    private final class Hook implements TierHook {
        @Override
        public boolean compileCall(int function) {
            if (!enteredHot(function)) {
                return false;
            }
            int n = handedCalls.get(function);
            if (n < PROBE_CALLS || handedFuel.get(function) >= (long) n * CHEAP_CALL) {
                return true;
            }
            cheapStays[function]++;
            return false;
        }

        @Override
        public boolean compileFrame(int function) {
            if (state.get(function) == FAILED || windows.incrementAndGet(function) < hotWindows
                    || !sizePaid(function)) {
                return false;
            }
            return compiles(function)
                    && (jit.continuable(true, function) || jit.regionContinuable(true, function));
        }

        @Override
        public Invocation call(Instance instance, int function, long[] args, int depth, int registersBelow,
                long[] window, SuspendRequest request) {
            long before = instance.fuelRemaining(); // current on entry and on the way out (TierHook)
            handOvers.incrementAndGet(function);
            try {
                return CompiledResumption.call(jit, instance, function, args, depth, registersBelow, window, request,
                        SEGMENT_LIMIT.get()[0]);
            } finally {
                if (handedCalls.get(function) < PROBE_CALLS) {
                    handedFuel.addAndGet(function, before - instance.fuelRemaining());
                    handedCalls.incrementAndGet(function);
                }
            }
        }

        @Override
        public Invocation resume(Instance instance, int function, int pc, long[] registers, int depth,
                int registersBelow, long[] window, SuspendRequest request) {
            transfers.incrementAndGet(function);
            return CompiledResumption.continueFrame(jit, instance, function, pc, registers, depth, registersBelow,
                    window, request, SEGMENT_LIMIT.get()[0]);
        }
    }

    /** True once calls of {@code function} run compiled. */
    public boolean runsCompiled(int function) {
        return !module.isImport(function) && state.get(function) == READY;
    }

    /** Times a running interpreted frame of {@code function} moved to compiled code (on-stack replacement). */
    public int stackReplacements(int function) {
        return transfers.get(function);
    }

    /** Calls of {@code function} the interpreter handed over to compiled code. */
    public int callHandOvers(int function) {
        return handOvers.get(function);
    }

    /** The JIT this engine compiles with (for {@link JitEngine#dumpBytecode}). */
    public JitEngine jit() {
        return jit;
    }

    @Override
    public String dumpBytecode(int function) {
        return jit.dumpBytecode(function);
    }

    @Override
    public ClassCacheUse classCacheUse() {
        return jit.classCacheUse();
    }

    @Override
    public CodeCost codeCost() {
        return jit.codeCost();
    }

    @Override
    public List<FunctionStat> functionStats() {
        List<FunctionStat> jitStats = jit.functionStats();
        List<FunctionStat> out = new ArrayList<>();
        for (int f = 0; f < module.functionCount(); f++) {
            FunctionStat s = jitStats.get(f);
            long entries = Math.min(calls.get(f), hotCalls);
            FunctionStat.Tier tier = s.tier();
            String detail = "";
            if (state.get(f) == FAILED) {
                tier = FunctionStat.Tier.FELL_BACK;
                detail = "the JIT could not compile it";
            } else if (tier == FunctionStat.Tier.FELL_BACK) {
                detail = s.detail(); // the JIT runs it interpreted (CodeCache.fallBack)
            } else if (tier == FunctionStat.Tier.NOT_RUN && calls.get(f) > 0) {
                tier = FunctionStat.Tier.INTERPRETED;
                if (nestedCalls[f] > 0) {
                    detail = nestedCalls[f] + " calls from compiled code";
                }
            } else if (tier == FunctionStat.Tier.COMPILED) {
                List<String> how = new ArrayList<>();
                if (state.get(f) == READY && calls.get(f) >= hotCalls) {
                    how.add("compiled when hot");
                }
                if (readyMillis[f] >= 0) {
                    how.add("ready at " + readyMillis[f] + " ms");
                }
                if (transfers.get(f) > 0) {
                    how.add(transfers.get(f) + " on-stack replacements");
                }
                if (handOvers.get(f) > 0) {
                    how.add(handOvers.get(f) + " calls from the interpreter");
                }
                if (cheapStays[f] > 0) {
                    how.add(cheapStays[f] + " cheap calls left interpreted");
                }
                if (nestedCalls[f] > 0) {
                    how.add(nestedCalls[f] + " calls from compiled code interpreted");
                }
                // Otherwise its frames were hot but could not move, or a call past a stack
                // segment's end (which links to compiled code only) needed it.
                detail = how.isEmpty() ? "compiled for compiled code" : String.join(", ", how);
            }
            out.add(new FunctionStat(f, s.name(), tier, s.regions(), entries, detail));
        }
        return out;
    }
}
