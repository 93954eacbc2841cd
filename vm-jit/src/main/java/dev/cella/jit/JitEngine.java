package dev.cella.jit;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.EngineDiagnostics;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.Instance;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * <p>Thread-safe: compilation is serialized on the engine; reading compiled code is lock-free.
 */
public final class JitEngine implements SuspendableEngine, EngineDiagnostics {
    private final Module module;
    private final Options options;
    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private final Signature[] typeSignatures;
    private final FunctionCode[] codes;
    private final RegisterFlow[] flows;
    /** The code of metered instances, and of unmetered ones (compiled when an unmetered instance first runs). */
    private final Variant metered;
    private final Variant unmetered;
    private final int maxResults;
    private final long frameBytes;
    private MethodHandles.Lookup importClass;
    /** Checks states for {@link #checkResumable} exactly as the interpreter would; made on first use. */
    private volatile Interpreter checker;

    /** The compiled code of one variant of the module: handles by function, entry methods by leader. */
    private static final class Variant {
        final boolean metered;
        final MethodHandle[] handles;
        final MethodHandle[] boxes;
        final MethodHandle[] hops;
        final MethodHandle[][] entries;
        final int[] regionCounts;
        final int[][] codeSizes;
        /** Whether each compiled function continues in entry methods (see {@link #continuable}). */
        final boolean[] exits;

        Variant(boolean metered, int functions) {
            this.metered = metered;
            this.handles = new MethodHandle[functions];
            this.boxes = new MethodHandle[functions];
            this.hops = new MethodHandle[functions];
            this.entries = new MethodHandle[functions][];
            this.regionCounts = new int[functions];
            this.codeSizes = new int[functions][];
            this.exits = new boolean[functions];
        }
    }

    /** A lazily compiling engine for {@code verifiedModule}. */
    public JitEngine(Module verifiedModule) {
        this(verifiedModule, false);
    }

    /**
     * @param verifiedModule a module that passed {@link dev.cella.isa.verify.Verifier}
     * @param eager compile every function now (so a {@link JitException} surfaces here)
     */
    public JitEngine(Module verifiedModule, boolean eager) {
        this(verifiedModule, eager, Options.DEFAULT);
    }

    /**
     * Compilation choices that only tests change.
     *
     * @param forceRegions compile every function by regions, even those that fit one method
     */
    record Options(boolean forceRegions) {
        static final Options DEFAULT = new Options(false);

        static Options splitEverything() {
            return new Options(true);
        }
    }

    JitEngine(Module verifiedModule, boolean eager, Options options) {
        this.options = options;
        this.module = Objects.requireNonNull(verifiedModule, "verifiedModule");
        this.typeSignatures = new Signature[module.types().size()];
        int results = 1;
        for (int t = 0; t < typeSignatures.length; t++) {
            typeSignatures[t] = new Signature(module.types().get(t));
            results = Math.max(results, module.types().get(t).results().size());
        }
        this.maxResults = results;
        int n = module.functionCount();
        this.codes = new FunctionCode[n];
        this.flows = new RegisterFlow[n];
        this.metered = new Variant(true, n);
        this.unmetered = new Variant(false, n);
        this.frameBytes = estimateFrameBytes(module);
        if (eager) {
            for (int f = module.imports().size(); f < n; f++) {
                handle(true, f);
            }
        }
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

    public Module module() {
        return module;
    }

    @Override
    public long[] invoke(Instance instance, int function, long... args) {
        return invoke(instance, function, null, args).results();
    }

    @Override
    public Invocation invoke(Instance instance, int function, SuspendRequest request, long... args) {
        checkInstance(instance);
        SuspendRequest.checkUsable(request, instance);
        if (function < 0 || function >= module.functionCount()) {
            throw new IllegalArgumentException("no function " + function + " (the module has "
                    + module.functionCount() + " functions)");
        }
        FuncType type = module.functionType(function);
        if (args.length != type.params().size()) {
            throw new IllegalArgumentException("function " + function + " of type " + type + " takes "
                    + type.params().size() + " arguments, not " + args.length);
        }
        if (module.isImport(function)) {
            return Invocation.finished(callImport(instance, function, type, args));
        }
        JitContext ctx = new JitContext(this, instance, request);
        ctx.depthLimit = (int) Math.min(ctx.maxDepth, firstSegmentFrames());
        try {
            return Invocation.finished(run(ctx, function, args));
        } catch (JitSuspend s) {
            return Invocation.suspended(new ExecutionState(s.frames(), instance.fuelUsed(), instance.fuelRemaining()));
        }
    }

    @Override
    public Invocation resume(Instance instance, ExecutionState state, SuspendRequest request) {
        checkResumable(instance, state);
        SuspendRequest.checkUsable(request, instance);
        return CompiledResumption.resume(this, instance, state, request, checker);
    }

    @Override
    public void checkResumable(Instance instance, ExecutionState state) {
        checkInstance(instance);
        Objects.requireNonNull(state, "state");
        Interpreter c = checker;
        if (c == null) {
            c = new Interpreter(module);
            checker = c;
        }
        c.checkResumable(instance, state);
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
            // A call site's first execution compiles its callee; a compile failure arrives wrapped.
            if (e.getCause() instanceof JitException j) {
                return j;
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
            case I64, F64 -> bits;
        };
    }

    /**
     * The bytecode generated for function {@code function}, as ASM's {@link Textifier} prints it
     * (for an import: the adapter class of all imports). For debugging; compiles afresh.
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
        byte[] bytes = module.isImport(function) ? ImportAdapters.generate(this)
                : new FunctionCompiler(this, code(function), metered).compile(options.forceRegions()).bytes();
        return textify(bytes);
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

    /** Where each function ran so far (compiled or not yet run), in function index order. */
    @Override
    public List<FunctionStat> functionStats() {
        List<FunctionStat> out = new ArrayList<>();
        for (int f = 0; f < module.functionCount(); f++) {
            String name = module.names().function(f);
            FunctionStat.Tier tier = module.isImport(f) ? FunctionStat.Tier.HOST
                    : isCompiled(f) ? FunctionStat.Tier.COMPILED : FunctionStat.Tier.NOT_RUN;
            int regions = Math.max(metered.regionCounts[f], unmetered.regionCounts[f]);
            out.add(new FunctionStat(f, name, tier, regions, 0, ""));
        }
        return out;
    }

    /**
     * Bytecode sizes of the JVM methods holding compiled function {@code function}'s code: one
     * if it was compiled in one method, else one per region; null if it is not compiled.
     */
    public int[] codeSizes(int function) {
        int[] s = metered.codeSizes[function] != null ? metered.codeSizes[function] : unmetered.codeSizes[function];
        return s == null ? null : s.clone();
    }

    /** True if function {@code function} has been compiled (for metered or unmetered instances). */
    public boolean isCompiled(int function) {
        return metered.handles[function] != null || unmetered.handles[function] != null;
    }

    // ---- for compiled code and the runtime ----

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
     * (compiled now if needed; see {@link JitRuntime#resume}).
     */
    MethodHandle entry(boolean metered, int function, int leader) {
        Variant v = variant(metered);
        MethodHandle[] es = v.entries[function];
        MethodHandle h = es == null ? null : es[leader];
        return h != null ? h : compileEntry(v, function, leader);
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

    /** How many entry methods of function {@code function} have been compiled in a variant (for tests). */
    synchronized int compiledEntries(boolean metered, int function) {
        MethodHandle[] es = variant(metered).entries[function];
        int n = 0;
        for (int k = 0; es != null && k < es.length; k++) {
            n += es[k] != null ? 1 : 0;
        }
        return n;
    }

    private synchronized MethodHandle compileEntry(Variant v, int function, int leader) {
        if (v.entries[function] == null) {
            v.entries[function] = new MethodHandle[code(function).leaderPcs.length];
        }
        MethodHandle h = v.entries[function][leader];
        if (h != null) {
            return h;
        }
        try {
            FunctionCompiler.Output out = new FunctionCompiler(this, code(function), v.metered).compileEntry(leader);
            MethodHandles.Lookup c = define(out.bytes());
            h = c.findStatic(c.lookupClass(), FunctionCompiler.ENTRY_NAME, FunctionCompiler.ENTRY_TYPE);
        } catch (ReflectiveOperationException e) {
            throw new JitException("function " + function + ": generated entry class is unusable: " + e.getMessage(), e);
        } catch (VerifyError | ClassFormatError e) {
            throw new JitException("function " + function + ": the JVM rejected the generated entry class: "
                    + e.getMessage(), e);
        }
        v.entries[function][leader] = h;
        return h;
    }

    private synchronized MethodHandle compile(Variant v, int function) {
        if (v.handles[function] != null) {
            return v.handles[function];
        }
        Signature sig = signature(function);
        try {
            MethodHandle h;
            if (module.isImport(function)) {
                if (importClass == null) {
                    importClass = define(ImportAdapters.generate(this));
                }
                h = importClass.findStatic(importClass.lookupClass(), ImportAdapters.methodName(function),
                        sig.methodType);
            } else {
                FunctionCompiler.Output out = new FunctionCompiler(this, code(function), v.metered)
                        .compile(options.forceRegions());
                MethodHandles.Lookup c = define(out.bytes());
                v.boxes[function] = c.findStatic(c.lookupClass(), "box",
                        MethodType.methodType(long[].class, JitContext.class, long.class, long[].class));
                v.regionCounts[function] = out.plan() == null ? 0 : out.plan().regionCount();
                v.codeSizes[function] = out.codeSizes();
                v.exits[function] = out.exits();
                h = c.findStatic(c.lookupClass(), FunctionCompiler.methodName(function), sig.methodType);
            }
            v.handles[function] = h;
            return h;
        } catch (ReflectiveOperationException e) {
            throw new JitException("function " + function + ": generated class is unusable: " + e.getMessage(), e);
        } catch (VerifyError | ClassFormatError e) {
            throw new JitException("function " + function + ": the JVM rejected the generated class: "
                    + e.getMessage(), e);
        }
    }

    /** Defines a hidden class in this package with this engine as its class data; returns its full-access lookup. */
    private MethodHandles.Lookup define(byte[] bytes) throws IllegalAccessException {
        return lookup.defineHiddenClassWithClassData(bytes, this, true);
    }
}
