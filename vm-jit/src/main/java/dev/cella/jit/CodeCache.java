package dev.cella.jit;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.EngineDiagnostics;
import dev.cella.vm.GuestCpu;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.LongAdder;

/**
 * The compiled code of one {@link JitEngine}'s module: each function's decoded form ({@link
 * FunctionCode}) and register facts ({@link RegisterFlow}), and per variant (metered, unmetered)
 * the method handles of its compiled functions, their boxed entries, stack-segment hops and entry
 * methods by block leader, each compiled when first asked for.
 *
 * <p>Thread-safe: compiling a function, its entry methods and its lazily emitted regions is
 * serialized on that function's lock ({@link #locks}), so one function's compilation never waits
 * for another's: under {@code auto} the guest's thread, needing a small function's entry
 * method, used to wait out the background compilation of a large function holding a cache-wide
 * lock (590 ms seen on Lua binarytrees; docs/performance.md, "Tiering without stalls"). The import adapters, foreign
 * adapters and tiered adapters are made under the cache's own monitor, briefly. Reading compiled
 * code is lock-free (a handle is published once its class is defined; racing decodes build
 * equal objects).
 */
final class CodeCache {
    private final JitEngine engine;
    private final Module module;
    private final JitEngine.Options options;
    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private final Signature[] typeSignatures;
    private final FunctionCode[] codes;
    /** Per function: the lock its compilation and its entry methods' take, in both variants (see the class comment). */
    private final Object[] locks;
    private final RegisterFlow[] flows;
    /** The code of metered instances, and of unmetered ones (compiled when an unmetered instance first runs). */
    private final Variant metered;
    private final Variant unmetered;
    private final int maxResults;
    private final long frameBytes;
    /** What this module's generated classes took from the code budget ({@link CodeBudget}). */
    private final CodeBudget.Account account;
    private MethodHandles.Lookup importClass;
    /**
     * CPU nanoseconds spent reading the class cache, generating and defining classes, and the
     * classes and bytes defined ({@link #codeCost}); added to by any thread that compiles.
     */
    private final LongAdder cacheNanos = new LongAdder();
    private final LongAdder generateNanos = new LongAdder();
    private final LongAdder defineNanos = new LongAdder();
    private final LongAdder classesDefined = new LongAdder();
    private final LongAdder bytesDefined = new LongAdder();
    /** Marks an entry method the code budget could not pay for (so it is not compiled again). */
    private static final MethodHandle SPENT = MethodHandles.zero(int.class);
    /** By type index: the adapter that calls another instance's function of that type ({@link #foreignHandle}). */
    private final MethodHandle[] foreignHandles;
    /** The classes of earlier processes and those to keep for later ones ({@link ClassCache}), or null. */
    private final ModuleClasses stored;
    private final HotRegions hot;

    /** The compiled code of one variant of the module: handles by function, entry methods by leader. */
    private static final class Variant {
        final boolean metered;
        final MethodHandle[] handles;
        final MethodHandle[] boxes;
        final MethodHandle[] hops;
        final MethodHandle[][] entries;
        /** Per function compiled by regions: its plan, its dispatcher, its on-stack replacement methods by leader. */
        final RegionPlan[] plans;
        final MethodHandle[] runs;
        final MethodHandle[][] regionEntries;
        /** Per function whose regions are emitted lazily: its region methods, by region, as linked. */
        final MethodHandle[][] regions;
        final int[] regionCounts;
        final int[][] codeSizes;
        /** Whether each compiled function continues in entry methods (see {@link #continuable}). */
        final boolean[] exits;
        /** Why each function the JIT could not compile runs interpreted ({@link #fallBack}), else null. */
        final String[] fellBack;

        Variant(boolean metered, int functions) {
            this.metered = metered;
            this.handles = new MethodHandle[functions];
            this.boxes = new MethodHandle[functions];
            this.hops = new MethodHandle[functions];
            this.entries = new MethodHandle[functions][];
            this.plans = new RegionPlan[functions];
            this.runs = new MethodHandle[functions];
            this.regionEntries = new MethodHandle[functions][];
            this.regions = new MethodHandle[functions][];
            this.regionCounts = new int[functions];
            this.codeSizes = new int[functions][];
            this.exits = new boolean[functions];
            this.fellBack = new String[functions];
        }
    }

    /**
     * The cache of {@code engine}, which runs {@code module}, drawing on {@code budget} and
     * keeping its classes in {@code classes} (null: none); compiles nothing yet.
     */
    CodeCache(JitEngine engine, Module module, JitEngine.Options options, CodeBudget budget, ClassCache classes) {
        this.engine = engine;
        this.stored = classes == null ? null : classes.open(module, options);
        this.module = module;
        this.options = options;
        this.typeSignatures = new Signature[module.types().size()];
        int results = 1;
        for (int t = 0; t < typeSignatures.length; t++) {
            typeSignatures[t] = new Signature(module.types().get(t));
            results = Math.max(results, module.types().get(t).results().size());
        }
        this.maxResults = results;
        this.foreignHandles = new MethodHandle[typeSignatures.length];
        int n = module.functionCount();
        this.codes = new FunctionCode[n];
        this.locks = new Object[n];
        for (int f = 0; f < n; f++) {
            locks[f] = new Object();
        }
        this.flows = new RegisterFlow[n];
        this.metered = new Variant(true, n);
        this.unmetered = new Variant(false, n);
        this.frameBytes = estimateFrameBytes(module);
        this.account = budget.open(this);
        this.hot = new HotRegions(engine, this, n, options.replanAfter());
    }

    /** The profiles and re-plans of interpreter loops ({@link HotRegions}). */
    HotRegions hotRegions() {
        return hot;
    }

    /** The lock function {@code function}'s compilation takes (see the class comment). */
    Object lock(int function) {
        return locks[function];
    }

    /** The region plan of a variant of {@code function}, compiled by regions. */
    RegionPlan plan(boolean metered, int function) {
        return variant(metered).plans[function];
    }

    /** Charged bytes of this module's generated code ({@link CodeBudget}). */
    long codeCharged() {
        return account.taken();
    }

    /**
     * A bound on the JVM stack one guest frame takes, whichever HotSpot tier runs it: an
     * interpreted JVM frame holds every local and operand slot (8 bytes each) plus a fixed part,
     * a region-compiled function stacks its entry, dispatcher and region frames, and a call site
     * in interpreted code adds method-handle linkage frames. Doubled for margin, which also
     * covers the entry method and {@link JitRuntime#resume} frames a function whose fuel window
     * ran out continues in (compiled frames are a fraction of the interpreted bound, and a frame
     * continues so at most once per window of fuel).
     */
    private static long estimateFrameBytes(Module module) {
        int maxParams = 0;
        for (FuncType t : module.types()) {
            maxParams = Math.max(maxParams, t.params().size());
        }
        long worst = 0;
        for (var f : module.functions()) {
            long slots = 16;
            for (ValType t : f.registers()) {
                slots += Signature.slots(t);
            }
            long bytes = (slots + 2L * maxParams + 24) * 8 + 1024;
            worst = Math.max(worst, 2 * bytes + 2048);
        }
        return Math.max(worst, 4096);
    }

    JitEngine.Options options() {
        return options;
    }

    /** Regions function {@code function} was compiled in, in whichever variant split it most (0: one method). */
    int regionCount(int function) {
        return Math.max(metered.regionCounts[function], unmetered.regionCounts[function]);
    }

    /** Why function {@code function} runs interpreted because the JIT could not compile it, or null. */
    String fellBack(int function) {
        return metered.fellBack[function] != null ? metered.fellBack[function] : unmetered.fellBack[function];
    }

    /** See {@link JitEngine#codeSizes}. */
    int[] codeSizes(int function) {
        int[] s = metered.codeSizes[function] != null ? metered.codeSizes[function] : unmetered.codeSizes[function];
        return s == null ? null : s.clone();
    }

    /** True if function {@code function} has been compiled (for metered or unmetered instances). */
    boolean isCompiled(int function) {
        return metered.handles[function] != null || unmetered.handles[function] != null;
    }

    int maxResults() {
        return maxResults;
    }

    long frameBytes() {
        return frameBytes;
    }

    /** Guest frames the first stack segment (the caller's thread) may hold. */
    int firstSegmentFrames() {
        return (int) Math.max(1, StackSegments.FIRST_SEGMENT_BUDGET / frameBytes);
    }

    /** Guest frames each further stack segment may hold. */
    int segmentFrames() {
        return (int) Math.max(1, StackSegments.SEGMENT_BUDGET / frameBytes);
    }

    Signature signature(int function) {
        return typeSignatures[module.functionTypeIndex(function)];
    }

    Signature typeSignature(int type) {
        return typeSignatures[type];
    }

    /** The decoded form of defined function {@code function}. */
    FunctionCode code(int function) {
        FunctionCode c = codes[function];
        if (c == null) {
            c = FunctionCode.decode(module, function);
            codes[function] = c; // a racing decode builds an equal object; either may win
        }
        return c;
    }

    /** The register data-flow facts of defined function {@code function}. */
    RegisterFlow flow(int function) {
        RegisterFlow f = flows[function];
        if (f == null) {
            f = RegisterFlow.analyze(code(function));
            flows[function] = f; // as in code(): either of two racing analyses may win
        }
        return f;
    }

    private Variant variant(boolean metered) {
        return metered ? this.metered : this.unmetered;
    }

    /** The typed metered method of function {@code function} (compiled now if needed), or its host adapter. */
    MethodHandle handle(int function) {
        return handle(true, function);
    }

    /** The typed method of function {@code function} in a variant (compiled now if needed), or its host adapter. */
    MethodHandle handle(boolean metered, int function) {
        MethodHandle h = variant(metered).handles[function];
        return h != null ? h : compile(variant(metered), function);
    }

    /** The boxed entry {@code (JitContext, long frame, long[]) long[]} of defined function {@code function}. */
    MethodHandle box(boolean metered, int function) {
        Variant v = variant(metered);
        MethodHandle b = v.boxes[function];
        if (b == null) {
            compile(v, function);
            b = v.boxes[function];
        }
        return b;
    }

    /** {@link #handle} run in a new stack segment. */
    MethodHandle hopHandle(boolean metered, int function) {
        Variant v = variant(metered);
        MethodHandle h = v.hops[function];
        if (h == null) {
            h = StackSegments.hopping(handle(metered, function));
            v.hops[function] = h;
        }
        return h;
    }

    /**
     * The method {@code (JitContext, long[] registers, long frame) int} that continues defined
     * function {@code function} at leader number {@code leader}, its block already charged
     * (compiled now if needed; see {@link JitRuntime#resume}), or null if the code budget cannot
     * pay for it ({@link CodeBudget}: the interpreter continues the frame then).
     */
    MethodHandle entry(boolean metered, int function, int leader) {
        Variant v = variant(metered);
        MethodHandle[] es = v.entries[function];
        MethodHandle h = es == null ? null : es[leader];
        if (h == null) {
            h = compileEntry(v, function, leader);
        }
        return h == SPENT ? null : h;
    }

    /**
     * True if compiled code can continue defined function {@code function} at any block leader
     * in entry methods that HotSpot compiles (compiling the function now if needed): false for a
     * function too large for them (see {@link FunctionCompiler}), whose suspended frames are
     * continued by the interpreter instead.
     */
    boolean continuable(boolean metered, int function) {
        handle(metered, function);
        return variant(metered).exits[function];
    }

    /**
     * True if defined function {@code function} was compiled by regions (compiling it now if
     * needed): a frame of it continues at a block leader in {@link #regionEntry} and its
     * dispatcher {@link #regionRun} instead of entry methods.
     */
    boolean regionContinuable(boolean metered, int function) {
        handle(metered, function);
        return variant(metered).runs[function] != null;
    }

    /** The dispatcher {@code run(ctx, registers, code, frame)} of a function compiled by regions. */
    MethodHandle regionRun(boolean metered, int function) {
        return variant(metered).runs[function];
    }

    /**
     * The method {@code (JitContext, long[] registers, int unused, long frame) int} that enters
     * the region of function {@code function} holding leader number {@code leader} there, its block
     * not yet charged, and returns the code its dispatcher goes on with (compiled now if needed;
     * see {@link MethodEmitter#regionOsr}). The function must be {@link #regionContinuable}.
     */
    MethodHandle regionEntry(boolean metered, int function, int leader) {
        Variant v = variant(metered);
        return leaderMethod(v, v.regionEntries, ModuleClasses.REGION_ENTRY, function, leader,
                code(function).leaderPcs.length, FunctionCompiler.REGION_TYPE, true, () -> new FunctionCompiler(engine, code(function), v.metered)
                        .compileRegionEntry(v.plans[function], leader));
    }

    /**
     * The method {@code (JitContext, long[] registers, int entry, long frame) int} of region
     * {@code region} of function {@code function}, whose class holds no region methods ({@link
     * FunctionCompiler#compileRegion}), defined from the class cache or compiled now. Its code size
     * replaces the region's estimate in {@link #codeSizes}.
     */
    MethodHandle regionMethod(boolean metered, int function, int region) {
        Variant v = variant(metered);
        RegionPlan plan = v.plans[function];
        FunctionCompiler.Output[] made = new FunctionCompiler.Output[1];
        MethodHandle h = leaderMethod(v, v.regions, ModuleClasses.REGION, function, region, plan.regionCount(),
                FunctionCompiler.REGION_TYPE, true, () -> made[0] = new FunctionCompiler(engine, code(function), v.metered)
                        .compileRegion(plan, region));
        if (made[0] != null) {
            synchronized (locks[function]) {
                v.codeSizes[function][region] = made[0].codeSizes()[0];
            }
        }
        return h;
    }

    /** How many region methods of function {@code function} have been emitted lazily in a variant (for tests). */
    int compiledRegions(boolean metered, int function) {
        synchronized (locks[function]) {
            MethodHandle[] rs = variant(metered).regions[function];
            int n = 0;
            for (int k = 0; rs != null && k < rs.length; k++) {
                n += rs[k] != null ? 1 : 0;
            }
            return n;
        }
    }

    /** How many entry methods of function {@code function} have been compiled in a variant (for tests). */
    int compiledEntries(boolean metered, int function) {
        synchronized (locks[function]) {
            MethodHandle[] es = variant(metered).entries[function];
            int n = 0;
            for (int k = 0; es != null && k < es.length; k++) {
                n += es[k] != null && es[k] != SPENT ? 1 : 0;
            }
            return n;
        }
    }

    private MethodHandle compileEntry(Variant v, int function, int leader) {
        return leaderMethod(v, v.entries, ModuleClasses.ENTRY, function, leader, code(function).leaderPcs.length,
                FunctionCompiler.ENTRY_TYPE, false,
                () -> new FunctionCompiler(engine, code(function), v.metered).compileEntry(leader));
    }

    /**
     * The method of leader {@code leader} of function {@code function} in {@code table} (an
     * entry or region entry method of variant {@code v}, or a lazily emitted region's, whose
     * {@code leader} is the region; class kind {@code kind} in the class cache; {@code count}
     * leaders or regions in the function), defined from the class cache or compiled by {@code
     * compile} if not there yet; {@link #SPENT} if the code budget cannot pay for it and {@code
     * force} is false.
     */
    private MethodHandle leaderMethod(Variant v, MethodHandle[][] table, int kind, int function,
            int leader, int count, MethodType type, boolean force,
            java.util.function.Supplier<FunctionCompiler.Output> compile) {
        synchronized (locks[function]) {
            return leaderMethodLocked(v, table, kind, function, leader, count, type, force, compile);
        }
    }

    private MethodHandle leaderMethodLocked(Variant v, MethodHandle[][] table, int kind, int function,
            int leader, int count, MethodType type, boolean force,
            java.util.function.Supplier<FunctionCompiler.Output> compile) {
        if (table[function] == null) {
            table[function] = new MethodHandle[count];
        }
        MethodHandle h = table[function][leader];
        if (h != null) {
            return h;
        }
        if (!force && !account.hasRoom()) {
            table[function][leader] = SPENT;
            return SPENT;
        }
        h = storedLeaderMethod(v, kind, function, leader, type, force);
        if (h == null) {
            try {
                long start = GuestCpu.now();
                FunctionCompiler.Output out = compile.get();
                generateNanos.add(GuestCpu.now() - start);
                MethodHandles.Lookup c = define(out.bytes(), force);
                h = c == null ? SPENT : c.findStatic(c.lookupClass(), FunctionCompiler.ENTRY_NAME, type);
                if (c != null) {
                    keep(kind, v, function, leader, out);
                }
            } catch (ReflectiveOperationException e) {
                throw new JitException("function " + function + ": generated entry class is unusable: " + e.getMessage(), e);
            } catch (VerifyError | ClassFormatError e) {
                throw new JitException("function " + function + ": the JVM rejected the generated entry class: "
                        + e.getMessage(), e);
            }
        }
        table[function][leader] = h;
        return h;
    }

    /**
     * The leader method of that key defined from the class cache, or null if it is not there or
     * unusable (then it is generated and replaces the stored one) or the budget cannot pay.
     */
    private MethodHandle storedLeaderMethod(Variant v, int kind, int function, int leader, MethodType type,
            boolean force) {
        ModuleClasses.Stored s = storedClass(kind, v.metered, function, leader);
        if (s == null) {
            return null;
        }
        try {
            MethodHandles.Lookup c = define(s.bytes(), force);
            if (c == null) {
                return null;
            }
            MethodHandle h = c.findStatic(c.lookupClass(), FunctionCompiler.ENTRY_NAME, type);
            stored.used(kind);
            return h;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null; // see the class comment of ClassCache: a miss
        }
    }

    private MethodHandle compile(Variant v, int function) {
        synchronized (locks[function]) {
            if (v.handles[function] != null) {
                return v.handles[function];
            }
            Signature sig = signature(function);
            try {
                MethodHandle h;
                if (module.isImport(function)) {
                    h = importAdapter(function, sig);
                } else {
                    h = compileDefined(v, function, sig);
                }
                v.handles[function] = h;
                return h;
            } catch (ReflectiveOperationException e) {
                throw new JitException("function " + function + ": generated class is unusable: " + e.getMessage(), e);
            }
        }
    }

    /** Import {@code function}'s adapter, from the class of all import adapters (made on first use). */
    private synchronized MethodHandle importAdapter(int function, Signature sig) throws ReflectiveOperationException {
        if (importClass == null) {
            importClass = define(ImportAdapters.generate(engine), true);
        }
        return importClass.findStatic(importClass.lookupClass(), ImportAdapters.methodName(function), sig.methodType);
    }

    /**
     * Compiles defined function {@code function}, or, if the JIT cannot (a method or class too
     * large for the JVM, any failure of the generator or the JVM's verifier, a code budget that
     * cannot pay for its class: {@link CodeBudget}), sets it up to run in the interpreter
     * ({@link #fallBack}): a function the verifier accepts always runs.
     */
    private MethodHandle compileDefined(Variant v, int function, Signature sig) throws ReflectiveOperationException {
        engine.compiling();
        if (!account.hasRoom()) {
            return fallBack(v, function, sig, BUDGET_SPENT);
        }
        MethodHandle h = storedFunction(v, function, sig);
        if (h != null) {
            return h;
        }
        FunctionCompiler.Output out;
        MethodHandles.Lookup c;
        try {
            long start = GuestCpu.now();
            try {
                out = new FunctionCompiler(engine, code(function), v.metered).compile(options.forceRegions());
            } finally {
                generateNanos.add(GuestCpu.now() - start);
            }
            c = define(out.bytes(), false);
            if (c == null) {
                return fallBack(v, function, sig, BUDGET_SPENT);
            }
        } catch (JitException | VerifyError | ClassFormatError | IndexOutOfBoundsException | IllegalArgumentException
                | IllegalStateException | NegativeArraySizeException e) {
            // ASM reports a method or class over the JVM's limits as an IndexOutOfBoundsException.
            return fallBack(v, function, sig, e.getMessage());
        }
        h = install(v, function, sig, out, c);
        keep(ModuleClasses.FUNCTION, v, function, 0, out);
        return h;
    }

    /**
     * Function {@code function}'s method defined from the class cache, with its box, dispatcher
     * and plan set in {@code v}; or null if the class is not there or unusable (then it is
     * generated and replaces the stored one) or the budget cannot pay for it.
     */
    private MethodHandle storedFunction(Variant v, int function, Signature sig) {
        ModuleClasses.Stored s = storedClass(ModuleClasses.FUNCTION, v.metered, function, 0);
        if (s == null) {
            return null;
        }
        try {
            RegionPlan plan = s.starts() == null ? null : storedPlan(code(function), s.starts(), !options().clientShapes(),
                    FunctionCompiler.profiles(code(function), engine));
            FunctionCompiler.Output out = new FunctionCompiler.Output(s.bytes(), plan, s.codeSizes(), s.exits());
            MethodHandles.Lookup c = define(out.bytes(), false);
            if (c == null) {
                return null;
            }
            MethodHandle h = install(v, function, sig, out, c);
            stored.used(ModuleClasses.FUNCTION);
            return h;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null; // see the class comment of ClassCache: a miss
        }
    }

    /** Sets function {@code function} up in {@code v} to run the class {@code c} defined from {@code out}; its method. */
    private MethodHandle install(Variant v, int function, Signature sig, FunctionCompiler.Output out,
            MethodHandles.Lookup c) throws ReflectiveOperationException {
        // Every method is found before anything is set, so a stored class that lacks one leaves no trace.
        MethodHandle box = c.findStatic(c.lookupClass(), "box",
                MethodType.methodType(long[].class, JitContext.class, long.class, long[].class));
        MethodHandle run = out.plan() == null ? null : c.findStatic(c.lookupClass(), "run", FunctionCompiler.RUN_TYPE);
        MethodHandle h = c.findStatic(c.lookupClass(), FunctionCompiler.methodName(function), sig.methodType);
        v.boxes[function] = box;
        v.regionCounts[function] = out.plan() == null ? 0 : out.plan().regionCount();
        v.runs[function] = run;
        v.plans[function] = out.plan();
        v.codeSizes[function] = out.codeSizes();
        v.exits[function] = out.exits();
        return h;
    }

    /**
     * The region plan of stored starts {@code starts}, which must cut the function's
     * instructions into between one and {@link FunctionCompiler#MAX_REGIONS} non-empty runs (a
     * stored entry is untrusted: one that does not is a miss).
     */
    private static RegionPlan storedPlan(FunctionCode code, int[] starts, boolean copyDispatch, boolean profiled) {
        boolean ok = starts.length >= 2 && starts.length - 1 <= FunctionCompiler.MAX_REGIONS && starts[0] == 0
                && starts[starts.length - 1] == code.insns.length;
        for (int k = 1; ok && k < starts.length; k++) {
            ok = starts[k] > starts[k - 1];
        }
        if (!ok) {
            throw new IllegalArgumentException("stored region starts do not fit function " + code.index);
        }
        return new RegionPlan(code, starts, copyDispatch, profiled, -1, new int[0]);
    }

    /** The class cache's class of that key ({@link ModuleClasses#get}: read and checked), timed; null if none. */
    private ModuleClasses.Stored storedClass(int kind, boolean metered, int function, int leader) {
        if (stored == null) {
            return null;
        }
        long start = GuestCpu.now();
        try {
            return stored.get(kind, metered, function, leader);
        } finally {
            cacheNanos.add(GuestCpu.now() - start);
        }
    }

    /** Keeps a class just generated for the class cache, if there is one. */
    private void keep(int kind, Variant v, int function, int leader, FunctionCompiler.Output out) {
        if (stored != null) {
            stored.generated(kind, v.metered, function, leader, new ModuleClasses.Stored(out.bytes(), out.codeSizes(),
                    out.exits(), out.plan() == null ? null : out.plan().starts));
        }
    }

    /** True if the class cache holds function {@code function}'s class of the metered variant (whole or by regions). */
    boolean classStored(int function) {
        return stored != null && stored.has(ModuleClasses.FUNCTION, true, function, 0);
    }

    /** Functions whose classes came from the class cache, and functions whose classes were generated; null if no cache. */
    int[] classCacheCounts() {
        return stored == null ? null : new int[] {stored.functionsUsed(), stored.functionsGenerated()};
    }

    /**
     * Makes defined function {@code function} run in the interpreter when compiled code calls it
     * or an invocation starts in it: its handle is an adapter ({@link ImportAdapters#generateFallback})
     * that hands the call to {@link JitRuntime#callInterpreted}, as a host call is handed over.
     * Its frames never continue in entry methods, and {@link JitEngine#functionStats} reports it.
     */
    private MethodHandle fallBack(Variant v, int function, Signature sig, String reason)
            throws ReflectiveOperationException {
        MethodHandles.Lookup c = define(ImportAdapters.generateFallback(function, sig), true);
        MethodHandle box = MethodHandles.lookup().findStatic(JitRuntime.class, "interpretedBox",
                MethodType.methodType(long[].class, JitContext.class, int.class, long.class, long[].class));
        v.boxes[function] = MethodHandles.insertArguments(box, 1, function);
        v.exits[function] = false;
        v.fellBack[function] = reason == null ? "the JIT could not compile it" : reason;
        return c.findStatic(c.lookupClass(), ImportAdapters.fallbackName(function), sig.methodType);
    }

    /**
     * The adapter of type index {@code type}'s signature that calls the function of another
     * instance which {@link JitRuntime#indirect} left in the context ({@link
     * ImportAdapters#generateForeign}); the same for both variants, as a host call is.
     */
    synchronized MethodHandle foreignHandle(int type) {
        MethodHandle h = foreignHandles[type];
        if (h == null) {
            Signature sig = typeSignatures[type];
            try {
                MethodHandles.Lookup c = define(ImportAdapters.generateForeign(type, sig), true);
                h = c.findStatic(c.lookupClass(), ImportAdapters.foreignName(type), sig.methodType);
            } catch (ReflectiveOperationException e) {
                throw new JitException("type " + type + ": generated class is unusable: " + e.getMessage(), e);
            }
            foreignHandles[type] = h;
        }
        return h;
    }

    /**
     * A new adapter of defined function {@code function}'s signature that runs it in the tiered
     * interpreter ({@link ImportAdapters#generateTiered}); defined whatever the code budget (it
     * is a few hundred bytes, made at most once per function by {@link TieredEngine#callSite}).
     */
    synchronized MethodHandle tieredAdapter(int function) {
        try {
            MethodHandles.Lookup c = define(ImportAdapters.generateTiered(function, signature(function)), true);
            return c.findStatic(c.lookupClass(), ImportAdapters.tieredName(function), signature(function).methodType);
        } catch (ReflectiveOperationException e) {
            throw new JitException("function " + function + ": generated class is unusable: " + e.getMessage(), e);
        }
    }

    /** Why a function runs interpreted when the code budget is spent. */
    static final String BUDGET_SPENT = "the JIT's code budget is spent (CodeBudget)";

    /**
     * Defines a hidden class in this package with this engine as its class data and returns its
     * full-access lookup, once the code budget has paid for it; null (nothing defined) if the
     * budget cannot pay and {@code force} is false.
     */
    MethodHandles.Lookup define(byte[] bytes, boolean force) throws IllegalAccessException {
        if (!account.charge(bytes.length, force)) {
            return null;
        }
        long start = GuestCpu.now();
        try {
            return lookup.defineHiddenClassWithClassData(bytes, engine, true);
        } finally {
            defineNanos.add(GuestCpu.now() - start);
            classesDefined.increment();
            bytesDefined.add(bytes.length);
        }
    }

    /** What generating and defining this module's classes has cost so far (see {@link EngineDiagnostics.CodeCost}). */
    EngineDiagnostics.CodeCost codeCost() {
        return new EngineDiagnostics.CodeCost(classesDefined.intValue(), bytesDefined.sum(), cacheNanos.sum(),
                generateNanos.sum(), defineNanos.sum());
    }
}
