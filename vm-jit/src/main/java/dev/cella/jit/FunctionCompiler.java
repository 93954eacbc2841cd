package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import java.lang.invoke.MethodType;
import java.util.List;
import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;

/**
 * Compiles one guest function, in one variant (metered or unmetered), to the bytes of one class,
 * to be defined as a hidden class.
 *
 * <p>The class has a static method {@code f<index>} with the function's {@link Signature} and a
 * static {@code box(JitContext, long frame, long[]) long[]} that calls it with raw-bits
 * arguments (the engine's entry point). A function whose whole body fits one method of at most
 * {@link #METHOD_LIMIT} bytes is compiled <em>direct</em>: registers are typed locals of {@code
 * f<index>}. A larger one (or one with too many registers for JVM locals) is compiled by
 * <em>regions</em> ({@link RegionPlan}): {@code f<index>} copies its parameters into a {@code
 * long[]} register file and calls {@code run}, a dispatcher that calls region methods {@code
 * r<k>} until one returns -1. The function is emitted direct first, into the class itself; if
 * that method passes the limit, the sizes it measured plan the regions, which are emitted into
 * the class in turn; if one of them passes the limit, every region is measured, each that does is
 * split in two, and the class is emitted again, so no method ever exceeds the limit unless one
 * instruction alone does.
 *
 * <p>A direct method whose fuel window runs out leaves through {@link JitRuntime#resume}, which
 * continues the function in <em>entry</em> methods {@code e(JitContext, long[] registers, long
 * frame) int}, one class per block leader, compiled lazily by {@link #compileEntry}. That needs
 * the largest entry method (the one from pc 0) to fit the limit too ({@link #entriesFit}); a
 * function for which it does not refuels inside its direct method instead.
 */
final class FunctionCompiler {
    /** HotSpot does not compile methods with more bytecode than this (DontCompileHugeMethods). */
    static final int METHOD_LIMIT = 8000;
    /**
     * Estimated size each region aims at. Small regions let HotSpot compile only the hot parts of
     * a huge function (an interpreter loop such as Lua's {@code luaV_execute}, where a run takes a
     * few arms of a large switch): with 6000 bytes a Lua fib run spent more CPU compiling cold
     * region code than running the guest; with 2000 it used about a third less CPU in all
     * (docs/performance.md). Regions smaller still gained nothing more, and each cut costs a
     * register store and load when control crosses it.
     */
    static final int REGION_BUDGET = 2000;
    /**
     * Largest estimate a region may reach, in code for C2, to keep a loop whole
     * ({@link RegionPlan#partitionByLoops}): a region cut inside a hot loop makes every iteration
     * cross regions (docs/performance.md, "Regions cut by loops"). At most {@link
     * #LAZY_ESTIMATE}, so such regions are still emitted lazily.
     */
    static final int REGION_STRETCH = METHOD_LIMIT / 2;
    /** Bytes a stretched region's measured size stays below {@link #METHOD_LIMIT} (emitted in a class of its own it differs a little). */
    static final int STRETCH_MARGIN = 300;
    /** The budget for a function that would need more than {@link #MAX_REGIONS} regions at {@link #REGION_BUDGET}. */
    static final int LARGE_REGION_BUDGET = 6000;
    /** Most JVM local slots a direct method may use (the JVM's limit is 65,535). */
    static final int MAX_DIRECT_SLOTS = 60_000;
    /** Most regions one function may have, keeping the dispatcher under the JVM's 64 KiB. */
    static final int MAX_REGIONS = 4000;
    /**
     * Functions of at most this many instructions are emitted straight into their class, as most
     * fit one method; larger ones are measured in a scratch writer first (a writer that computes
     * stack map frames as it goes is slow, and ASM gives up, on a method of 100,000 instructions).
     */
    static final int LIKELY_DIRECT = 4000;
    /**
     * Bounds on how many more bytes the entry method from the first leader takes than the direct
     * method: per register, loading it from the register file (at most 13 bytes) and storing it
     * at an exit (15) against zeroing it (at least 2) and saving it at the direct method's exit
     * (at least 4); per leader, the check and exit stub of a block the first leader covers.
     */
    static final int ENTRY_BYTES_PER_REGISTER = 24;
    static final int ENTRY_BYTES_PER_LEADER = 16;

    /**
     * Regions are emitted lazily ({@link #emitLazyRegions}) only if no region's estimate passes
     * this (half the limit HotSpot compiles), so no region can pass the JVM's limit once emitted.
     */
    static final int LAZY_ESTIMATE = METHOD_LIMIT / 2;
    private static final String CTX_DESC = "L" + MethodEmitter.CTX + ";";
    private static final Handle LINK_REGION = new Handle(H_INVOKESTATIC, "dev/cella/jit/JitLinker", "linkRegion",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;III)"
                    + "Ljava/lang/invoke/CallSite;", false);
    private static final Handle LINK_HOT_REGION = new Handle(H_INVOKESTATIC, "dev/cella/jit/JitLinker", "linkHotRegion",
            LINK_REGION.getDesc(), false);
    private static final Handle LINK_PROFILE = new Handle(H_INVOKESTATIC, "dev/cella/jit/JitLinker", "linkProfile",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;II)"
                    + "Ljava/lang/invoke/CallSite;", false);
    static final String REGION_DESC = "(" + CTX_DESC + "[JIJ)I";
    static final String RUN_DESC = "(" + CTX_DESC + "[JIJ)V";
    static final String BOX_DESC = "(" + CTX_DESC + "J[J)[J";
    static final String ENTRY_NAME = "e";
    static final String ENTRY_DESC = "(" + CTX_DESC + "[JJ)I";
    static final MethodType ENTRY_TYPE = MethodType.methodType(int.class, JitContext.class, long[].class, long.class);
    static final MethodType REGION_TYPE =
            MethodType.methodType(int.class, JitContext.class, long[].class, int.class, long.class);
    static final MethodType RUN_TYPE =
            MethodType.methodType(void.class, JitContext.class, long[].class, int.class, long.class);

    /**
     * The result: class bytes, the region plan if the function was split (else null), the
     * the bytecode size of the method holding the function's code (direct) or of each region
     * method, and whether it continues in entry methods when its fuel window runs out (so entry
     * methods of reasonable size exist for every leader).
     */
    record Output(byte[] bytes, RegionPlan plan, int[] codeSizes, boolean exits) {}

    private final JitEngine engine;
    private final FunctionCode code;
    private final boolean metered;
    private final String name;
    private final Signature sig;
    /** Set by {@link #compile} if it left the region methods to {@link #compileRegion}. */
    private boolean lazy;

    FunctionCompiler(JitEngine engine, FunctionCode code, boolean metered) {
        this.engine = engine;
        this.code = code;
        this.metered = metered;
        this.name = className(code.index) + (metered ? "" : "$unmetered");
        this.sig = engine.signature(code.index);
    }

    static String methodName(int function) {
        return "f" + function;
    }

    static String className(int function) {
        return "dev/cella/jit/Guest$f" + function;
    }

    /**
     * Compiles the function.
     *
     * @param forceRegions compile by regions even if it would fit one method (for on-stack
     *     replacement, whose entries are region entries, and for tests)
     * @throws JitException if the JVM cannot hold the result (a single instruction too large)
     */
    Output compile(boolean forceRegions) {
        try {
            boolean direct = !forceRegions && directSlots() <= MAX_DIRECT_SLOTS;
            MethodEmitter probe;
            ClassWriter cw = null;
            if (direct && code.insns.length <= LIKELY_DIRECT) {
                // Emitted into the class itself: most functions fit, and generating the code is
                // a good part of a short run's start (docs/performance.md). The sizes it measured
                // plan the regions of one that does not.
                cw = newClass();
                probe = emitDirect(cw, true, true);
            } else {
                probe = measureDirect(true);
            }
            if (direct && probe.endOffset() <= METHOD_LIMIT) {
                if (entriesFit(probe.endOffset())) {
                    if (cw == null) {
                        cw = newClass();
                        probe = emitDirect(cw, true, false);
                    }
                    return finishDirect(cw, probe, true);
                }
                ClassWriter inPlace = newClass();
                MethodEmitter e = emitDirect(inPlace, false, true);
                if (e.endOffset() <= METHOD_LIMIT) {
                    return finishDirect(inPlace, e, false);
                }
                probe = e;
            }
            // Regions are emitted straight into the class; only if one passes the limit (rare at
            // the budget's estimates) is every region measured and the large ones split first.
            int[] starts = partition(probe);
            RegionPlan plan = new RegionPlan(code, starts, !engine.clientShapes());
            int[] sizes = new int[plan.regionCount()];
            // Lazily for jit only: auto compiles in the background, and there a class without its
            // regions is ready sooner, so frames move sooner into region code that then runs in
            // HotSpot's interpreter and is generated on the guest's thread (QuickJS nbody used
            // about 10% more CPU; docs/performance.md, "Regions emitted when first entered").
            int[] estimates = plan.regionCount() <= MAX_REGIONS && engine.tiering() == null
                    ? lazyEstimates(probe, plan) : null;
            if (estimates != null) {
                lazy = true;
                if (profiles(code, engine)) {
                    plan = new RegionPlan(code, starts, true, true, -1, new int[0]);
                }
                return new Output(emitLazyRegions(plan, false), plan, estimates, false);
            }
            byte[] bytes = plan.regionCount() <= MAX_REGIONS ? emitRegions(plan, sizes) : null;
            if (bytes == null) {
                plan = measuredPlan(starts);
                sizes = new int[plan.regionCount()];
                bytes = emitRegions(plan, sizes);
                if (bytes == null) {
                    throw new JitException("function " + code.index + ": a measured region passed the limit");
                }
            }
            return new Output(bytes, plan, sizes, false);
        } catch (MethodTooLargeException | ClassTooLargeException e) {
            throw new JitException("function " + code.index + " cannot be compiled: " + e.getMessage(), e);
        }
    }

    /**
     * True if a function compiled by lazily emitted regions is profiled for a re-plan ({@link
     * HotRegions}): code for C2 (whose regions copy dispatch blocks) on {@code jit}, re-planning not turned off
     * ({@link JitEngine.Options#replanAfter}), and an interpreter loop's dispatch block in it.
     */
    static boolean profiles(FunctionCode code, JitEngine engine) {
        return !engine.clientShapes() && engine.replanAfter() > 0 && engine.tiering() == null
                && !RegionPlan.dispatchBlocks(code).isEmpty();
    }

    /**
     * The class of the re-planned function ({@link HotRegions}): the regions of {@code old} (same
     * starts, not profiled) plus a hot region holding the busiest dispatch block and copies of the
     * blocks that ran most by {@code counts} (by leader number), as many as fit {@link
     * HotRegions#HOT_LIMIT} once emitted; its dispatcher links its regions by {@link
     * JitLinker#linkHotRegion}. The class holds no region methods ({@link #emitLazyRegions}).
     */
    Output compileHot(RegionPlan old, int[] counts) {
        int home = HotRegions.hotHome(code, counts);
        RegionPlan plan = new RegionPlan(code, old.starts, true, false, -1, new int[0]);
        if (home >= 0) {
            MethodEmitter probe = measureDirect(true);
            int[] sizes = new int[code.insns.length];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = probe.measuredSize(i) + stubEstimate(code.insns[i], code.leader[i]);
            }
            int[] leaders = HotRegions.hotLeaders(code, counts, sizes, home);
            int n = leaders.length;
            while (true) {
                RegionPlan p = new RegionPlan(code, old.starts, true, false, home, HotRegions.first(leaders, n));
                int bytes = measureRegion(p, p.hotRegion());
                if (bytes <= HotRegions.HOT_LIMIT || n == 0) {
                    plan = HotRegions.covers(p, counts) ? p : plan;
                    break;
                }
                // The register loads and stores of the entries make the emitted region larger
                // than the blocks' estimate, by a factor of three in QuickJS's interpreter loop:
                // shrink in proportion, and by a fifth at least.
                n = (int) Math.min(n * 4L / 5, (long) n * HotRegions.HOT_LIMIT / bytes);
            }
        }
        return new Output(emitLazyRegions(plan, true), plan, null, false);
    }

    /**
     * True if the entry method from the function's first leader, the largest of its entry
     * methods, fits {@link #METHOD_LIMIT}, for a function whose direct method (exiting) takes
     * {@code directSize} bytes. The entry method differs from it by its prologue and exit code
     * per register ({@link #ENTRY_BYTES_PER_REGISTER} bounds the difference) and by the checks of
     * blocks the first leader covers ({@link #ENTRY_BYTES_PER_LEADER}); only a function for which
     * that bound passes the limit is measured, by emitting the entry method.
     */
    private boolean entriesFit(int directSize) {
        long bound = directSize + 64L + (long) ENTRY_BYTES_PER_REGISTER * code.registers().size()
                + (long) ENTRY_BYTES_PER_LEADER * code.leaderPcs.length;
        return bound <= METHOD_LIMIT || measureEntry(0) <= METHOD_LIMIT;
    }

    private int directSlots() {
        int slots = 8;
        for (ValType t : code.registers()) {
            slots += Signature.slots(t);
        }
        return slots;
    }

    /** Emits the direct method's body into {@code cw}; {@link #finishDirect} completes the class if it fits. */
    private MethodEmitter emitDirect(ClassWriter cw, boolean exits, boolean measureSizes) {
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, methodName(code.index), sig.descriptor, null, null);
        mv.visitCode();
        MethodEmitter e = MethodEmitter.direct(engine, code, metered, mv, name, exits, measureSizes);
        e.emitBody();
        return e;
    }

    private Output finishDirect(ClassWriter cw, MethodEmitter e, boolean exits) {
        e.mv.visitMaxs(0, 0);
        e.mv.visitEnd();
        emitBox(cw);
        cw.visitEnd();
        return new Output(cw.toByteArray(), null, new int[] {e.endOffset()}, exits);
    }

    private MethodEmitter measureDirect(boolean exits) {
        ClassWriter scratch = new ClassWriter(0);
        MethodVisitor mv = scratch.visitMethod(ACC_STATIC, methodName(code.index), sig.descriptor, null, null);
        mv.visitCode();
        MethodEmitter e = MethodEmitter.direct(engine, code, metered, mv, name, exits, true);
        e.emitBody();
        return e;
    }

    /** Bytecode size of the entry method at leader {@code leader}. */
    private int measureEntry(int leader) {
        ClassWriter scratch = new ClassWriter(0);
        MethodVisitor mv = scratch.visitMethod(ACC_STATIC, ENTRY_NAME, ENTRY_DESC, null, null);
        mv.visitCode();
        MethodEmitter e = MethodEmitter.entry(engine, code, metered, mv, name, leader, false);
        e.emitBody();
        return e.endOffset();
    }

    /**
     * Compiles the class holding the entry method that continues the function at leader number
     * {@code leader}: {@code static int e(JitContext, long[] registers, long frame)}.
     *
     * @throws JitException if the JVM cannot hold it
     */
    Output compileEntry(int leader) {
        return leaderClass("$e" + leader, ENTRY_DESC, leader, true,
                (mv, owner) -> MethodEmitter.entry(engine, code, metered, mv, owner, leader, false));
    }

    /**
     * Compiles the class holding {@code e(JitContext, long[] registers, int unused, long frame)
     * int}: the region of {@code plan} that holds leader number {@code leader}, entered there
     * (for on-stack replacement of a function compiled by regions; see {@link
     * MethodEmitter#regionOsr}).
     *
     * @throws JitException if the JVM cannot hold it
     */
    Output compileRegionEntry(RegionPlan plan, int leader) {
        return leaderClass("$o" + leader, REGION_DESC, leader, false,
                (mv, owner) -> MethodEmitter.regionOsr(engine, code, metered, mv, owner, plan,
                        code.leaderInsns[leader]));
    }

    /** A class of its own, named by {@code suffix}, holding one static method {@code e} that starts at a leader. */
    private Output leaderClass(String suffix, String desc, int leader, boolean exits,
            java.util.function.BiFunction<MethodVisitor, String, MethodEmitter> emitter) {
        try {
            String owner = name + suffix;
            ClassWriter cw = new JitClassWriter();
            cw.visit(V21, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, owner, null, "java/lang/Object", null);
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, ENTRY_NAME, desc, null, null);
            mv.visitCode();
            MethodEmitter e = emitter.apply(mv, owner);
            e.emitBody();
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            cw.visitEnd();
            return new Output(cw.toByteArray(), null, new int[] {e.endOffset()}, exits);
        } catch (MethodTooLargeException | ClassTooLargeException e) {
            throw new JitException("function " + code.index + " cannot be continued at " + suffix + ": "
                    + e.getMessage(), e);
        }
    }

    /** The region starts by the sizes {@code probe} measured and the budget. */
    private int[] partition(MethodEmitter probe) {
        int n = code.insns.length;
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            sizes[i] = probe.measuredSize(i) + stubEstimate(code.insns[i], code.leader[i]);
        }
        java.util.BitSet whole = engine.clientShapes() ? new java.util.BitSet() : RegionPlan.dispatchBlocks(code);
        int[] starts = !engine.clientShapes() && whole.isEmpty()
                ? checkedStretch(RegionPlan.partitionByLoops(code, sizes, REGION_BUDGET, REGION_STRETCH), sizes)
                : RegionPlan.partition(code, sizes, REGION_BUDGET, whole);
        if (starts.length - 1 > MAX_REGIONS) {
            starts = RegionPlan.partition(code, sizes, LARGE_REGION_BUDGET, whole);
        }
        return starts;
    }

    /**
     * {@code starts} (cut by loops) with each region that may pass {@link #METHOD_LIMIT} by its
     * {@link RegionPlan#edgeBound} measured, and cut again by the budget alone if it does, so
     * the regions emitted lazily later all fit (only a region's measured size is exact).
     */
    private int[] checkedStretch(int[] starts, int[] sizes) {
        RegionPlan plan = new RegionPlan(code, starts, true);
        for (int k = 0; k < plan.regionCount(); k++) {
            long body = 0;
            for (int i = plan.from(k); i < plan.to(k); i++) {
                body += sizes[i];
            }
            if (body + plan.edgeBound(k) > METHOD_LIMIT - STRETCH_MARGIN
                    && measureRegion(plan, k) > METHOD_LIMIT - STRETCH_MARGIN) {
                int[] part = RegionPlan.partition(code, sizes, REGION_BUDGET, new java.util.BitSet(), plan.from(k), plan.to(k));
                int[] out = new int[starts.length - 2 + part.length];
                System.arraycopy(starts, 0, out, 0, k);
                System.arraycopy(part, 0, out, k, part.length);
                System.arraycopy(starts, k + 2, out, k + part.length, starts.length - k - 2);
                starts = out;
                plan = new RegionPlan(code, starts, true);
                k += part.length - 2;
            }
        }
        return starts;
    }

    /** The plan from {@code starts} with every region that passes the limit split until none does. */
    private RegionPlan measuredPlan(int[] starts) {
        // Regions before the first one found too large keep their bounds when it is split, so
        // the scan resumes there instead of measuring every region again.
        int checked = 0;
        while (true) {
            RegionPlan plan = new RegionPlan(code, starts, !engine.clientShapes());
            int over = -1;
            for (int k = checked; k < plan.regionCount() && over < 0; k++) {
                if (plan.to(k) - plan.from(k) > 1 && measureRegion(plan, k) > METHOD_LIMIT) {
                    over = k;
                }
            }
            if (over < 0) {
                if (plan.regionCount() > MAX_REGIONS) {
                    throw new JitException("function " + code.index + " needs " + plan.regionCount()
                            + " regions, more than the " + MAX_REGIONS + " one dispatcher can reach");
                }
                return plan;
            }
            starts = RegionPlan.split(starts, over);
            checked = over;
        }
    }

    /** Bytes of stub-area code an instruction adds (refuel site, trap and suspension handlers, hop stub, exits). */
    private int stubEstimate(Instruction in, boolean leader) {
        Opcode op = in.opcode();
        int s = leader ? 24 : 0;
        if (op.mayTrap()) {
            s += 6;
        }
        if (op.isCall()) {
            s += 6; // the suspension handler
        }
        if (op == Opcode.CALL || op == Opcode.CALL_CATCH) {
            s += 24 + 3 * in.list(op == Opcode.CALL ? 1 : 3).length;
        }
        if (op == Opcode.CALL_CATCH || op == Opcode.CALL_INDIRECT_CATCH) {
            s += 16 + 12 * in.list(1).length; // the landing handler
        }
        if (op.isBranch()) {
            s += 6 * FunctionCode.targets(in).length;
        }
        return s;
    }

    private int measureRegion(RegionPlan plan, int k) {
        engine.compiling();
        ClassWriter scratch = new ClassWriter(0);
        MethodVisitor mv = scratch.visitMethod(ACC_STATIC, "r" + k, REGION_DESC, null, null);
        mv.visitCode();
        MethodEmitter e = MethodEmitter.region(engine, code, metered, mv, name, plan, k, true, false);
        e.emitBody();
        return e.endOffset();
    }

    private ClassWriter newClass() {
        ClassWriter cw = new JitClassWriter();
        cw.visit(V21, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, name, null, "java/lang/Object", null);
        return cw;
    }

    /** True if {@link #compile} made a class whose regions are emitted lazily ({@link #emitLazyRegions}). */
    boolean regionsLazy() {
        return lazy;
    }

    /**
     * The estimated size of each region of {@code plan} (its instructions and the dispatch blocks
     * it copies, as {@code probe} measured them, plus their stubs' estimates) if its regions may
     * be emitted lazily ({@link #emitLazyRegions}): if none passes {@link #LAZY_ESTIMATE}, so none
     * can pass the JVM's 64 KiB once emitted (a region's estimate passes its budget only if one
     * instruction does; such a function is emitted whole, measured and split as before). Else null.
     */
    private int[] lazyEstimates(MethodEmitter probe, RegionPlan plan) {
        int[] estimates = new int[plan.regionCount()];
        for (int k = 0; k < estimates.length; k++) {
            long estimate = estimate(probe, plan.from(k), plan.to(k));
            for (int leader : plan.copiedBlocks(k)) {
                estimate += estimate(probe, leader, plan.copyEnd(leader));
            }
            if (estimate > LAZY_ESTIMATE) {
                return null;
            }
            estimates[k] = (int) estimate;
        }
        return estimates;
    }

    /** The measured size and stub estimate of instructions {@code from} to {@code to} (exclusive). */
    private long estimate(MethodEmitter probe, int from, int to) {
        long bytes = 0;
        for (int i = from; i < to; i++) {
            bytes += probe.measuredSize(i) + stubEstimate(code.insns[i], code.leader[i]);
        }
        return bytes;
    }

    /**
     * The class of a function compiled by regions whose region methods are generated only when
     * first entered: {@code f<index>}, {@code box} and a dispatcher whose call of region {@code k}
     * is an invokedynamic that {@link JitLinker#linkRegion} links, on its first execution, to
     * {@link #compileRegion}'s method (a class of its own). A run enters a part of a large
     * function's regions (of the region bytecode of a Lua fib run 43%, of a QuickJS fib run 49%;
     * docs/performance.md), so the rest is never generated, defined, verified or counted by
     * HotSpot.
     */
    private byte[] emitLazyRegions(RegionPlan plan, boolean hot) {
        ClassWriter cw = newClass();
        emitRegionMain(cw);
        emitDispatcher(cw, plan, true, hot);
        emitBox(cw);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * Compiles the class of region {@code k} of {@code plan} for a function whose class was made
     * by {@link #emitLazyRegions}: {@code static int e(JitContext, long[] registers, int entry,
     * long frame)}, the method {@code r<k>} would be in the function's own class.
     *
     * @throws JitException if the JVM cannot hold it
     */
    Output compileRegion(RegionPlan plan, int k) {
        return leaderClass("$r" + k, REGION_DESC, k, false,
                (mv, owner) -> MethodEmitter.region(engine, code, metered, mv, owner, plan, k, false, true));
    }

    /** The class of a function compiled by regions, or null if a region of more than one instruction passed the limit. */
    private byte[] emitRegions(RegionPlan plan, int[] sizes) {
        ClassWriter cw = newClass();
        emitRegionMain(cw);
        emitDispatcher(cw, plan, false, false);
        for (int k = 0; k < plan.regionCount(); k++) {
            engine.compiling(); // a large function takes long: the guest's deadline still counts
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "r" + k, REGION_DESC, null, null);
            mv.visitCode();
            MethodEmitter e = MethodEmitter.region(engine, code, metered, mv, name, plan, k, false, false);
            e.emitBody();
            sizes[k] = e.endOffset();
            if (sizes[k] > METHOD_LIMIT && plan.to(k) - plan.from(k) > 1) {
                return null;
            }
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        emitBox(cw);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@code f<index>}: a frame in a fresh register file, then the dispatcher from entry 0 of region 0. */
    private void emitRegionMain(ClassWriter cw) {
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, methodName(code.index), sig.descriptor, null, null);
        mv.visitCode();
        int nregs = code.registers().size();
        int paramSlots = 4; // context, frame word, fuel window
        if (sig.packed) {
            paramSlots = 5;
        } else {
            for (ValType t : sig.params()) {
                paramSlots += Signature.slots(t);
            }
        }
        int regs = paramSlots;
        pushInt(mv, nregs);
        mv.visitIntInsn(NEWARRAY, T_LONG);
        mv.visitVarInsn(ASTORE, regs);
        if (sig.packed) {
            mv.visitVarInsn(ALOAD, 4);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ALOAD, regs);
            mv.visitInsn(ICONST_0);
            pushInt(mv, sig.params().size());
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V",
                    false);
        } else {
            int slot = 4;
            List<ValType> params = sig.params();
            for (int p = 0; p < params.size(); p++) {
                mv.visitVarInsn(ALOAD, regs);
                pushInt(mv, p);
                mv.visitVarInsn(Signature.loadOpcode(params.get(p)), slot);
                toBits(mv, params.get(p));
                mv.visitInsn(LASTORE);
                slot += Signature.slots(params.get(p));
            }
        }
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ILOAD, 3);
        mv.visitFieldInsn(PUTFIELD, MethodEmitter.CTX, "fuel", "I");
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ALOAD, regs);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(LLOAD, 1);
        mv.visitMethodInsn(INVOKESTATIC, name, "run", RUN_DESC, false);
        if (sig.typedResult()) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "results", "[J");
            mv.visitInsn(ICONST_0);
            mv.visitInsn(LALOAD);
            fromBits(mv, sig.results().get(0));
            mv.visitInsn(Signature.returnOpcode(sig.results().get(0)));
        } else {
            mv.visitInsn(RETURN);
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * {@code run(ctx, regs, code, frame)}: calls the region named by each code until one returns
     * -1; {@code lazy}: through invokedynamic sites that link each region's own class when first
     * entered ({@link #emitLazyRegions}), those of a hot plan if {@code hot}. A profiled plan's
     * dispatcher first passes each code through the tick of {@link HotRegions}, which returns it,
     * or, once the function is re-planned, runs the frame to its end in the hot plan and returns -1.
     */
    private void emitDispatcher(ClassWriter cw, RegionPlan plan, boolean lazy, boolean hot) {
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, "run", RUN_DESC, null, null);
        mv.visitCode();
        Label loop = new Label();
        Label done = new Label();
        mv.visitLabel(loop);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitJumpInsn(IFLT, done);
        if (plan.profiled()) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(ALOAD, 1);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitVarInsn(LLOAD, 3);
            mv.visitInvokeDynamicInsn("tick", REGION_DESC, LINK_PROFILE, code.index, metered ? 1 : 0);
            mv.visitVarInsn(ISTORE, 2);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitJumpInsn(IFLT, done);
        }
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ALOAD, 1);
        mv.visitVarInsn(ILOAD, 2);
        pushInt(mv, 0xFFFF);
        mv.visitInsn(IAND);
        mv.visitVarInsn(LLOAD, 3);
        mv.visitVarInsn(ILOAD, 2);
        pushInt(mv, 16);
        mv.visitInsn(IUSHR);
        int n = plan.regionCount();
        Label[] cases = new Label[n];
        for (int k = 0; k < n; k++) {
            cases[k] = new Label();
        }
        mv.visitTableSwitchInsn(0, n - 1, cases[0], cases);
        for (int k = 0; k < n; k++) {
            mv.visitLabel(cases[k]);
            if (lazy) {
                mv.visitInvokeDynamicInsn("r" + k, REGION_DESC, hot ? LINK_HOT_REGION : LINK_REGION, code.index,
                        metered ? 1 : 0, k);
            } else {
                mv.visitMethodInsn(INVOKESTATIC, name, "r" + k, REGION_DESC, false);
            }
            mv.visitVarInsn(ISTORE, 2);
            mv.visitJumpInsn(GOTO, loop);
        }
        mv.visitLabel(done);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** {@code box(ctx, frame, args)}: the function called with raw-bits arguments, results as raw bits. */
    private void emitBox(ClassWriter cw) {
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, "box", BOX_DESC, null, null);
        mv.visitCode();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(LLOAD, 1);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "fuel", "I");
        if (sig.packed) {
            mv.visitVarInsn(ALOAD, 3);
        } else {
            List<ValType> params = sig.params();
            for (int p = 0; p < params.size(); p++) {
                mv.visitVarInsn(ALOAD, 3);
                pushInt(mv, p);
                mv.visitInsn(LALOAD);
                fromBits(mv, params.get(p));
            }
        }
        mv.visitMethodInsn(INVOKESTATIC, name, methodName(code.index), sig.descriptor, false);
        List<ValType> results = sig.results();
        if (results.isEmpty()) {
            mv.visitInsn(ICONST_0);
            mv.visitIntInsn(NEWARRAY, T_LONG);
        } else if (sig.typedResult()) {
            toBits(mv, results.get(0));
            mv.visitVarInsn(LSTORE, 4);
            mv.visitInsn(ICONST_1);
            mv.visitIntInsn(NEWARRAY, T_LONG);
            mv.visitInsn(DUP);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(LLOAD, 4);
            mv.visitInsn(LASTORE);
        } else {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "results", "[J");
            pushInt(mv, results.size());
            mv.visitMethodInsn(INVOKESTATIC, "java/util/Arrays", "copyOf", "([JI)[J", false);
        }
        mv.visitInsn(ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    static void pushInt(MethodVisitor mv, int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE ? BIPUSH : SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    static void toBits(MethodVisitor mv, ValType t) {
        switch (t) {
            case I32 -> mv.visitInsn(I2L);
            case I64, FUNCREF, EXTERNREF -> { }
            case F32 -> {
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "toUnsignedLong", "(I)J", false);
            }
            case F64 -> mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
        }
    }

    static void fromBits(MethodVisitor mv, ValType t) {
        switch (t) {
            case I32 -> mv.visitInsn(L2I);
            case I64, FUNCREF, EXTERNREF -> { }
            case F32 -> {
                mv.visitInsn(L2I);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false);
            }
            case F64 -> mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false);
        }
    }
}
