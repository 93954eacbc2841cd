package dev.cella.jit;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.Instance;
import dev.cella.vm.TrapKind;
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
 * memory contents and the same fuel used, unit for unit.
 *
 * <p>Thread-safe: compilation is serialized on the engine; reading compiled code is lock-free.
 */
public final class JitEngine implements Engine, EngineStats {
    static {
        InstructionEmitter.checkComplete();
    }

    private final Module module;
    private final Options options;
    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private final Signature[] typeSignatures;
    private final FunctionCode[] codes;
    private final MethodHandle[] handles;
    private final MethodHandle[] boxes;
    private final MethodHandle[] hops;
    private final int[] regionCounts;
    private final int[][] codeSizes;
    private final int maxResults;
    private final long frameBytes;
    private MethodHandles.Lookup importClass;

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
        this.handles = new MethodHandle[n];
        this.boxes = new MethodHandle[n];
        this.hops = new MethodHandle[n];
        this.regionCounts = new int[n];
        this.codeSizes = new int[n][];
        this.frameBytes = estimateFrameBytes(module);
        if (eager) {
            for (int f = module.imports().size(); f < n; f++) {
                handle(f);
            }
        }
    }

    /**
     * A bound on the JVM stack one guest frame takes, whichever HotSpot tier runs it: an
     * interpreted JVM frame holds every local and operand slot (8 bytes each) plus a fixed part,
     * a region-compiled function stacks its entry, dispatcher and region frames, and a call site
     * in interpreted code adds method-handle linkage frames. Doubled for margin.
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
        Objects.requireNonNull(instance, "instance");
        if (instance.module() != module) {
            throw new IllegalArgumentException("the instance is of another module than this engine's");
        }
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
            return callImport(instance, function, type, args);
        }
        JitContext ctx = new JitContext(this, instance);
        ctx.depthLimit = (int) Math.min(ctx.maxDepth, firstSegmentFrames());
        return run(ctx, function, args);
    }

    /** Runs defined function {@code function} in {@code ctx}, writing the fuel back however it ends. */
    long[] run(JitContext ctx, int function, long[] args) {
        MethodHandle box = box(function);
        try {
            return (long[]) box.invokeExact(ctx, args);
        } catch (StackOverflowError e) {
            // Last resort (the stack segments make this unreachable in practice): the frames that
            // overflowed are gone, so the trap names the entry function at pc 0.
            throw JitRuntime.trap(ctx, TrapKind.CALL_STACK_EXHAUSTED, function, 0);
        } catch (BootstrapMethodError e) {
            // A call site's first execution compiles its callee; a compile failure arrives wrapped.
            if (e.getCause() instanceof JitException j) {
                throw j;
            }
            throw e;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            ctx.storeFuel();
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
    public String dumpBytecode(int function) {
        if (function < 0 || function >= module.functionCount()) {
            throw new IllegalArgumentException("no function " + function);
        }
        byte[] bytes = module.isImport(function) ? ImportAdapters.generate(this)
                : new FunctionCompiler(this, code(function)).compile(options.forceRegions()).bytes();
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
                    : handles[f] != null ? FunctionStat.Tier.COMPILED : FunctionStat.Tier.NOT_RUN;
            out.add(new FunctionStat(f, name, tier, regionCounts[f], 0, ""));
        }
        return out;
    }

    /**
     * Bytecode sizes of the JVM methods holding compiled function {@code function}'s code: one
     * if it was compiled in one method, else one per region; null if it is not compiled.
     */
    public int[] codeSizes(int function) {
        int[] s = codeSizes[function];
        return s == null ? null : s.clone();
    }

    /** True if function {@code function} has been compiled. */
    public boolean isCompiled(int function) {
        return handles[function] != null;
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

    /** The typed method of function {@code function} (compiled now if needed), or its host adapter. */
    MethodHandle handle(int function) {
        MethodHandle h = handles[function];
        return h != null ? h : compile(function);
    }

    /** The boxed entry {@code (JitContext, long[]) long[]} of defined function {@code function}. */
    MethodHandle box(int function) {
        MethodHandle b = boxes[function];
        if (b == null) {
            compile(function);
            b = boxes[function];
        }
        return b;
    }

    /** {@link #handle} run in a new stack segment. */
    MethodHandle hopHandle(int function) {
        MethodHandle h = hops[function];
        if (h == null) {
            h = StackSegments.hopping(handle(function));
            hops[function] = h;
        }
        return h;
    }

    private synchronized MethodHandle compile(int function) {
        if (handles[function] != null) {
            return handles[function];
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
                FunctionCompiler.Output out = new FunctionCompiler(this, code(function)).compile(options.forceRegions());
                MethodHandles.Lookup c = define(out.bytes());
                boxes[function] = c.findStatic(c.lookupClass(), "box",
                        MethodType.methodType(long[].class, JitContext.class, long[].class));
                regionCounts[function] = out.plan() == null ? 0 : out.plan().regionCount();
                codeSizes[function] = out.codeSizes();
                h = c.findStatic(c.lookupClass(), FunctionCompiler.methodName(function), sig.methodType);
            }
            handles[function] = h;
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
