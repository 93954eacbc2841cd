package dev.cella.jit;

import dev.cella.isa.CellaException;
import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.EngineDiagnostics;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.Instance;
import dev.cella.vm.Invocation;
import dev.cella.vm.StateValidator;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * The JIT tier: compiles a module's functions to JVM bytecode, one hidden class per function
 * ({@link FunctionCompiler}), defined with this engine as class data so the classes are unloaded
 * with the engine and need no class loader of their own.
 *
 * <p>Functions are compiled lazily, when first called (or all at once with {@code eager}); the
 * compiled code belongs to the module and is shared by all instances and threads, while all
 * per-instance state reaches it through a {@link JitContext} parameter. Compiled runs are exact
 * replicas of the interpreter's: same results, same traps at the same function and pc, same
 * memory contents and the same fuel used, unit for unit. Unmetered instances ({@link
 * Instance#metered}) run a second variant of the code, compiled lazily when one first calls a
 * function, which charges no fuel and only counts down to interrupt-hook polls.
 *
 * <p>Suspendable: with a {@link SuspendRequest}, compiled code stops at the same safe point as
 * the interpreter (the same block, with the same fuel used) and hands its frames over as an
 * engine-neutral {@link ExecutionState} ({@link JitSuspend}); {@link #resume} continues any such
 * state in compiled code, one frame at a time ({@link CompiledResumption}).
 *
 * <p>This class is the façade: the engine interface, debugging and statistics. The compiled code
 * and everything it is made from live in its {@link CodeCache}; states to resume are checked by
 * {@link StateValidator}, as every engine checks them.
 *
 * <p>Thread-safe: compilation is serialized on the cache; reading compiled code is lock-free.
 */
public final class JitEngine implements SuspendableEngine, EngineDiagnostics {
    private final Module module;
    private final CodeCache cache;
    /** Continues the frames of functions too large for entry methods (see {@link #continuable}); made on first use. */
    private volatile Interpreter fallback;
    private final AtomicLong hops = new AtomicLong();
    private final AtomicLong entryHops = new AtomicLong();
    /** Runs asked {@link #needsDeepStack}, counted up to past {@link StackSegments#YOUNG_RUNS}. */
    private final AtomicInteger runs = new AtomicInteger();
    /** Set once a call of this engine's guest has hopped to another stack segment. */
    private volatile boolean deep;
    /**
     * The {@code auto} engine this JIT compiles for, which links compiled code's calls of
     * functions that are not hot yet to the interpreter ({@link #linkCall}); null for {@code jit}.
     */
    private volatile TieredEngine tiering;

    /**
     * The instance whose guest code this thread runs, for {@link #compiling} (set by the entry
     * points of this engine and of {@link TieredEngine} for the length of a run; a stack-segment
     * hop's thread has none, so compilation there is not checked).
     */
    private static final ThreadLocal<Instance> RUNNING = new ThreadLocal<>();

    /** Marks {@code instance} as the one this thread runs; returns the previous one for {@link #leave}. */
    static Instance enter(Instance instance) {
        Instance previous = RUNNING.get();
        RUNNING.set(instance);
        return previous;
    }

    static void leave(Instance previous) {
        if (previous == null) {
            RUNNING.remove();
        } else {
            RUNNING.set(previous);
        }
    }

    /**
     * Lets the host of the guest this thread runs stop it while code is compiled for it ({@link
     * dev.cella.vm.InterruptHook#compiling}), so compilation counts against its deadline.
     */
    void compiling() {
        Instance running = RUNNING.get();
        if (running != null && running.module() == module && running.interruptHook() != null) {
            running.interruptHook().compiling(running);
        }
    }

    /** A lazily compiling engine for {@code verifiedModule}. */
    public JitEngine(Module verifiedModule) {
        this(verifiedModule, false);
    }

    /**
     * A lazily compiling engine for {@code verifiedModule} that defines the classes of its
     * functions from {@code classes} where they are there, and keeps those it generates for
     * {@link ClassCache#flush} (null: no class cache).
     */
    public JitEngine(Module verifiedModule, ClassCache classes) {
        this(verifiedModule, false, Options.DEFAULT, CodeBudget.JVM, classes);
    }

    /**
     * @param verifiedModule a module that passed {@link dev.cella.isa.verify.Verifier}
     * @param eager compile every function now (so a {@link JitException} surfaces here)
     */
    public JitEngine(Module verifiedModule, boolean eager) {
        this(verifiedModule, eager, Options.DEFAULT);
    }

    /**
     * Compilation choices: which code shapes to emit. Tests change them; {@link #DEFAULT} follows
     * the JVM this runs on.
     *
     * @param forceRegions compile every function by regions, even those that fit one method
     * @param clientShapes emit the shapes that suit HotSpot's C1 alone ({@link #CLIENT_ONLY})
     *     instead of those that suit C2: memory accesses and unsigned compares without library
     *     calls that C1 would inline whole (docs/engines.md, "Code shape for C1")
     */
    record Options(boolean forceRegions, boolean clientShapes, int replanAfter) {
        static final Options DEFAULT = new Options(false, CLIENT_ONLY);

        /** Options that re-plan interpreter loops after {@link HotRegions#REPLAN_AFTER} crossings. */
        Options(boolean forceRegions, boolean clientShapes) {
            this(forceRegions, clientShapes, HotRegions.REPLAN_AFTER);
        }

        static Options splitEverything() {
            return new Options(true, CLIENT_ONLY);
        }

        /** These options with {@code clientShapes} set to {@code client}. */
        Options withClientShapes(boolean client) {
            return new Options(forceRegions, client, replanAfter);
        }

        /** These options re-planning after {@code crossings} region crossings (0: never; {@link HotRegions}). */
        Options withReplanAfter(int crossings) {
            return new Options(forceRegions, clientShapes, crossings);
        }
    }

    /**
     * True when the JVM compiles with C1 only ({@code -XX:TieredStopAtLevel=1}, bin/cella's
     * default, which HotSpot reports as "emulated-client" in {@code java.vm.info}); the system
     * property {@code cella.jit.shapes} ({@code client} or {@code server}) overrides it.
     */
    static final boolean CLIENT_ONLY = switch (System.getProperty("cella.jit.shapes", "")) {
        case "client" -> true;
        case "server" -> false;
        default -> System.getProperty("java.vm.info", "").contains("emulated-client");
    };

    JitEngine(Module verifiedModule, boolean eager, Options options) {
        this(verifiedModule, eager, options, CodeBudget.JVM);
    }

    /** An engine whose generated code draws on {@code budget} instead of the JVM's (for tests). */
    JitEngine(Module verifiedModule, boolean eager, Options options, CodeBudget budget) {
        this(verifiedModule, eager, options, budget, null);
    }

    /** An engine with every choice given; {@code classes} may be null (no class cache). */
    JitEngine(Module verifiedModule, boolean eager, Options options, CodeBudget budget, ClassCache classes) {
        this.module = Objects.requireNonNull(verifiedModule, "verifiedModule");
        this.cache = new CodeCache(this, module, options, budget, classes);
        if (eager) {
            for (int f = module.imports().size(); f < module.functionCount(); f++) {
                handle(true, f);
            }
        }
    }

    public Module module() {
        return module;
    }

    @Override
    public long[] invoke(Instance instance, int function, long... args) {
        return invoke(instance, function, null, args).results();
    }

    @Override
    public Invocation invoke(Instance instance, int function, SuspendRequest request, long... args) {
        FuncType type = Engine.checkCall(module, instance, function, args);
        SuspendRequest.checkUsable(request, instance);
        if (module.isImport(function)) {
            return Invocation.finished(callImport(instance, function, type, args));
        }
        return StackSegments.onGuestStack(this, instance.maxCallDepth(), () -> {
            JitContext ctx = new JitContext(this, instance, request);
            ctx.depthLimit = StackSegments.enter(this, ctx.maxDepth, 1);
            Instance previous = enter(instance); // on the thread that runs the guest
            try {
                return Invocation.finished(run(ctx, function, args));
            } catch (JitSuspend s) {
                return Invocation.suspended(new ExecutionState(s.frames(), instance.fuelUsed(), instance.fuelRemaining()));
            } finally {
                leave(previous);
                StackSegments.leave();
            }
        });
    }

    @Override
    public Invocation resume(Instance instance, ExecutionState state, SuspendRequest request) {
        checkResumable(instance, state);
        SuspendRequest.checkUsable(request, instance);
        return StackSegments.onGuestStack(this, instance.maxCallDepth(), () -> {
            Instance previous = enter(instance); // on the thread that runs the guest
            try {
                return CompiledResumption.resume(this, instance, state, request, this::fallback);
            } finally {
                leave(previous);
            }
        });
    }

    @Override
    public void checkResumable(Instance instance, ExecutionState state) {
        checkInstance(instance);
        StateValidator.check(instance, Objects.requireNonNull(state, "state"), f -> code(f).blocks);
    }

    /** The interpreter that continues frames compiled code cannot (made on first use). */
    private SuspendableEngine fallback() {
        return fallbackInterpreter();
    }

    /**
     * The interpreter that continues frames compiled code cannot and runs the functions the JIT
     * could not compile ({@link CodeCache}); made on first use.
     */
    Interpreter fallbackInterpreter() {
        Interpreter f = fallback;
        if (f == null) {
            f = new Interpreter(module);
            fallback = f;
        }
        return f;
    }

    private void checkInstance(Instance instance) {
        Objects.requireNonNull(instance, "instance");
        if (instance.module() != module) {
            throw new IllegalArgumentException("the instance is of another module than this engine's");
        }
    }

    /** Runs defined function {@code function} in {@code ctx}, writing the fuel back however it ends. */
    long[] run(JitContext ctx, int function, long[] args) {
        MethodHandle box = box(ctx.metered, function);
        long frame = ctx.entryFrame(module.function(function).registers().size());
        try {
            return (long[]) box.invokeExact(ctx, frame, args);
        } catch (Throwable t) {
            throw failure(t, ctx, function);
        } finally {
            ctx.storeFuel();
        }
    }

    /**
     * What a compiled run that threw {@code t} throws to the host: the throwable itself, a
     * {@link StackOverflowError} as the trap it stands for, a compile failure unwrapped.
     */
    static RuntimeException failure(Throwable t, JitContext ctx, int function) {
        try {
            throw t;
        } catch (StackOverflowError e) {
            // Last resort (the stack segments make this unreachable in practice): the frames that
            // overflowed are gone, so the trap names the entry function at pc 0.
            return JitRuntime.trap(ctx, TrapKind.CALL_STACK_EXHAUSTED, function, 0);
        } catch (BootstrapMethodError e) {
            // A call site's first execution compiles its callee; a compile failure, or a deadline
            // or kill seen while compiling (compiling()), arrives wrapped.
            if (e.getCause() instanceof CellaException c) {
                return c;
            }
            throw e;
        } catch (RuntimeException e) {
            return e;
        } catch (Error e) {
            throw e;
        } catch (Throwable other) {
            return new IllegalStateException(other);
        }
    }

    /** Calls an imported host function directly, as the interpreter does: no frame, no fuel. */
    private static long[] callImport(Instance instance, int function, FuncType type, long[] args) {
        long[] copy = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            copy[i] = normalize(type.params().get(i), args[i]);
        }
        long r = instance.hostFunction(function).call(instance, copy);
        return type.results().isEmpty() ? new long[0] : new long[] {normalize(type.results().get(0), r)};
    }

    static long normalize(ValType type, long bits) {
        return switch (type) {
            case I32 -> (int) bits;
            case F32 -> bits & 0xFFFFFFFFL;
            case I64, F64, FUNCREF, EXTERNREF -> bits;
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    /**
     * The bytecode generated for function {@code function}, as ASM's {@link Textifier} prints it
     * (for an import: the adapter class of all imports; for a function whose regions are emitted
     * lazily, its class followed by every region's). For debugging; compiles afresh.
     */
    @Override
    public String dumpBytecode(int function) {
        return dumpBytecode(function, true);
    }

    /** As {@link #dumpBytecode(int)}, for the metered or the unmetered variant. */
    public String dumpBytecode(int function, boolean metered) {
        if (function < 0 || function >= module.functionCount()) {
            throw new IllegalArgumentException("no function " + function);
        }
        if (module.isImport(function)) {
            return textify(ImportAdapters.generate(this));
        }
        FunctionCompiler compiler = new FunctionCompiler(this, code(function), metered);
        FunctionCompiler.Output out = compiler.compile(cache.options().forceRegions());
        StringBuilder text = new StringBuilder(textify(out.bytes()));
        for (int k = 0; compiler.regionsLazy() && k < out.plan().regionCount(); k++) {
            text.append(textify(compiler.compileRegion(out.plan(), k).bytes()));
        }
        return text.toString();
    }

    /**
     * The bytecode of the method that continues function {@code function} from block leader
     * number {@code leader} (see {@link MethodEmitter.Mode#ENTRY}), for debugging.
     */
    public String dumpEntryBytecode(int function, int leader, boolean metered) {
        if (function < module.imports().size() || function >= module.functionCount()
                || leader < 0 || leader >= code(function).leaderPcs.length) {
            throw new IllegalArgumentException("no leader " + leader + " in defined function " + function);
        }
        return textify(new FunctionCompiler(this, code(function), metered).compileEntry(leader).bytes());
    }

    private static String textify(byte[] bytes) {
        StringWriter out = new StringWriter();
        new ClassReader(bytes).accept(new TraceClassVisitor(null, new Textifier(), new PrintWriter(out)), 0);
        return out.toString();
    }

    /** True if the class cache holds defined function {@code function}'s metered class: compiling it generates nothing. */
    boolean classStored(int function) {
        return cache.classStored(function);
    }

    /** Where each function ran so far (compiled or not yet run), in function index order. */
    @Override
    public List<FunctionStat> functionStats() {
        List<FunctionStat> out = new ArrayList<>();
        for (int f = 0; f < module.functionCount(); f++) {
            String name = module.names().function(f);
            String fellBack = cache.fellBack(f);
            FunctionStat.Tier tier = module.isImport(f) ? FunctionStat.Tier.HOST
                    : fellBack != null ? FunctionStat.Tier.FELL_BACK
                    : isCompiled(f) ? FunctionStat.Tier.COMPILED : FunctionStat.Tier.NOT_RUN;
            int regions = cache.regionCount(f);
            out.add(new FunctionStat(f, name, tier, regions, 0,
                    fellBack == null ? "" : "interpreted: the JIT could not compile it (" + fellBack + ")"));
        }
        return out;
    }

    @Override
    public ClassCacheUse classCacheUse() {
        int[] c = cache.classCacheCounts();
        return c == null ? null : new ClassCacheUse(c[0], c[1]);
    }

    @Override
    public CodeCost codeCost() {
        return cache.codeCost();
    }

    /**
     * Bytecode sizes of the JVM methods holding compiled function {@code function}'s code: one
     * if it was compiled in one method, else one per region; null if it is not compiled.
     */
    public int[] codeSizes(int function) {
        return cache.codeSizes(function);
    }

    /** True if function {@code function} has been compiled (for metered or unmetered instances). */
    public boolean isCompiled(int function) {
        return cache.isCompiled(function);
    }

    // ---- for compiled code and the runtime: the cache's ----

    int maxResults() {
        return cache.maxResults();
    }

    long frameBytes() {
        return cache.frameBytes();
    }

    /** Guest frames the first stack segment (the caller's thread) may hold. */
    int firstSegmentFrames() {
        return cache.firstSegmentFrames();
    }

    /** Calls that continued on another thread past a stack segment's end (see {@link StackSegments}). */
    long segmentHops() {
        return hops.get();
    }

    /** Runs that moved to a segment thread when they started (see {@link StackSegments#onGuestStack}). */
    long entryHops() {
        return entryHops.get();
    }

    void countHop() {
        hops.incrementAndGet();
        deep = true;
    }

    /**
     * True if a run from a thread of unknown stack should start on a segment thread: one of the
     * engine's first {@link StackSegments#YOUNG_RUNS} runs, or its guest has hopped.
     */
    boolean needsDeepStack() {
        return deep || runs.get() < StackSegments.YOUNG_RUNS && runs.getAndIncrement() < StackSegments.YOUNG_RUNS;
    }

    void countEntryHop() {
        entryHops.incrementAndGet();
    }

    /** Guest frames each further stack segment may hold. */
    int segmentFrames() {
        return cache.segmentFrames();
    }

    /** Whether generated code takes the shapes that suit C1 alone ({@link Options#clientShapes}). */
    /** Region crossings before an interpreter loop is re-planned, 0 for never ({@link HotRegions}). */
    int replanAfter() {
        return cache.options().replanAfter();
    }

    /** The profiles and re-plans of this engine's interpreter loops. */
    HotRegions hotRegions() {
        return cache.hotRegions();
    }

    boolean clientShapes() {
        return cache.options().clientShapes();
    }

    Signature signature(int function) {
        return cache.signature(function);
    }

    Signature typeSignature(int type) {
        return cache.typeSignature(type);
    }

    /** See {@link CodeCache#code}. */
    FunctionCode code(int function) {
        return cache.code(function);
    }

    /** See {@link CodeCache#flow}. */
    RegisterFlow flow(int function) {
        return cache.flow(function);
    }

    /** The typed metered method of function {@code function} (compiled now if needed), or its host adapter. */
    MethodHandle handle(int function) {
        return cache.handle(true, function);
    }

    /** See {@link CodeCache#handle(boolean, int)}. */
    MethodHandle handle(boolean metered, int function) {
        return cache.handle(metered, function);
    }

    /** See {@link CodeCache#box}. */
    MethodHandle box(boolean metered, int function) {
        return cache.box(metered, function);
    }

    /** See {@link CodeCache#foreignHandle}. */
    MethodHandle foreignHandle(int type) {
        return cache.foreignHandle(type);
    }

    /** Makes {@code tier} decide what compiled code's calls link to (see {@link #linkCall}). */
    void tiering(TieredEngine tier) {
        this.tiering = tier;
    }

    /** The {@code auto} engine this JIT compiles for, or null. */
    TieredEngine tiering() {
        return tiering;
    }

    /**
     * The call site of a direct call of type {@code type} to function {@code function} in
     * compiled code of a variant: the callee's compiled method (compiled now if needed) or host
     * adapter; under {@code auto}, for a metered defined callee, its function's call site ({@link
     * TieredEngine#callSite}), which runs it in the interpreter until it is hot.
     */
    java.lang.invoke.CallSite linkCall(boolean metered, int function, java.lang.invoke.MethodType type) {
        TieredEngine tier = tiering;
        if (tier != null && metered && !module.isImport(function)) {
            return tier.callSite(function);
        }
        return new java.lang.invoke.ConstantCallSite(handle(metered, function).asType(type));
    }

    /** What a call_indirect to function {@code function} calls: as {@link #linkCall}, the site's current target. */
    MethodHandle callee(boolean metered, int function) {
        TieredEngine tier = tiering;
        if (tier != null && metered && !module.isImport(function)) {
            return tier.callSite(function).getTarget();
        }
        return handle(metered, function);
    }

    /** The adapter that runs defined function {@code function} in the tiered interpreter ({@link CodeCache#tieredAdapter}). */
    MethodHandle tieredAdapter(int function) {
        return cache.tieredAdapter(function);
    }

    /** Why function {@code function} runs interpreted because the JIT could not compile it, or null. */
    String fellBack(int function) {
        return cache.fellBack(function);
    }

    /** See {@link CodeCache#regionMethod}. */
    MethodHandle regionMethod(boolean metered, int function, int region) {
        return cache.regionMethod(metered, function, region);
    }

    /** See {@link CodeCache#hopHandle}. */
    MethodHandle hopHandle(boolean metered, int function) {
        return cache.hopHandle(metered, function);
    }

    /** See {@link CodeCache#entry}. */
    MethodHandle entry(boolean metered, int function, int leader) {
        return cache.entry(metered, function, leader);
    }

    /** See {@link CodeCache#regionContinuable}. */
    boolean regionContinuable(boolean metered, int function) {
        return cache.regionContinuable(metered, function);
    }

    /** See {@link CodeCache#regionEntry}. */
    MethodHandle regionEntry(boolean metered, int function, int leader) {
        return cache.regionEntry(metered, function, leader);
    }

    /** See {@link CodeCache#regionRun}. */
    MethodHandle regionRun(boolean metered, int function) {
        return cache.regionRun(metered, function);
    }

    /** See {@link CodeCache#continuable}. */
    boolean continuable(boolean metered, int function) {
        return cache.continuable(metered, function);
    }

    /** Charged bytes of this engine's generated code ({@link CodeBudget}). */
    long codeCharged() {
        return cache.codeCharged();
    }

    /** See {@link CodeCache#compiledRegions}. */
    int compiledRegions(boolean metered, int function) {
        return cache.compiledRegions(metered, function);
    }

    /** See {@link CodeCache#compiledEntries}. */
    int compiledEntries(boolean metered, int function) {
        return cache.compiledEntries(metered, function);
    }
}
