package dev.cella.jit;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Profile-guided re-planning of interpreter loops compiled by regions (code for C2, regions
 * emitted lazily, a function with a dispatch block: {@link RegionPlan#dispatchBlocks}).
 *
 * <p>Why: the plan is made before the first run, so the few arms of its switch that a program
 * uses lie in different regions, and every guest instruction of the interpreted program crossed
 * a region (Lua's {@code luaV_execute}: 6.4 million crossings in one {@code fib.lua 27} run,
 * about 9 ns each; docs/performance.md, "Hot regions").
 *
 * <p>How: the first plan's regions count the blocks they run ({@link RegionPlan#profiled},
 * {@link JitRuntime#count}), and its dispatcher calls a tick through a {@link MutableCallSite}
 * at every crossing. After {@link JitEngine.Options#replanAfter} crossings, the function is
 * re-planned once: the same regions (same starts, so every code of the first plan names the
 * same instruction in the new one) plus a <em>hot region</em> ({@link RegionPlan#hotRegion}):
 * the busiest dispatch block and copies of the blocks run most often, within a size HotSpot
 * compiles, so the interpreted program's hot loop runs inside one method. Every other region
 * leaves for the hot region's copy of a block it copies. The tick's target then becomes a
 * transfer: the running dispatcher (a region entry, the registers all in the register file)
 * hands its code to the new plan's dispatcher, which runs the frame to its end; later calls of
 * the function do the same at their first crossing. Copies charge, trap and suspend at the
 * block's own pcs, so fuel, traps and suspension points are the interpreter's throughout; a
 * suspended frame is a pc and registers, so it resumes whichever plan it was taken in.
 *
 * <p>The re-planned classes are not kept in the class cache (they depend on the run). Thread-safe:
 * re-planning and emitting a hot plan's regions take the function's lock; the counts are
 * racy on purpose (a lost increment only blurs the profile).
 */
final class HotRegions {
    /** Crossings of a profiled function's regions before it is re-planned, by default. */
    static final int REPLAN_AFTER = 1 << 18;
    /** Estimated bytes the hot region's copied blocks may take. */
    static final int HOT_BUDGET = 5000;
    /** Most bytecode bytes of the emitted hot region; over this, its coldest blocks are dropped. */
    static final int HOT_LIMIT = 7500;
    /** A block joins the hot region only if it runs at least once per this many runs of the dispatch block. */
    static final int MIN_SHARE = 500;
    /** Least share of the profile's block runs, in percent, a hot region must hold ({@link #covers}). */
    static final int MIN_COVER = 80;

    private static final MethodHandle TICK;
    private static final MethodHandle TRANSFER;
    private static final MethodHandle PASS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TICK = l.findStatic(HotRegions.class, "tick", MethodType.methodType(int.class, HotRegions.class,
                    State.class, JitContext.class, long[].class, int.class, long.class));
            TRANSFER = l.findStatic(HotRegions.class, "transfer", MethodType.methodType(int.class,
                    MethodHandle.class, JitContext.class, long[].class, int.class, long.class));
            PASS = MethodHandles.dropArguments(MethodHandles.dropArguments(MethodHandles.identity(int.class), 0,
                    JitContext.class, long[].class), 3, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One variant of one function: its profile, and its hot plan once made. */
    static final class State {
        final boolean metered;
        final int function;
        final int[] counts;
        final MutableCallSite site;
        int crossings;
        /** Set once re-planned (under the function's lock). */
        volatile RegionPlan plan;
        MethodHandle run;
        MethodHandle[] regions;
        boolean done;

        State(boolean metered, int function, int leaders, MutableCallSite site) {
            this.metered = metered;
            this.function = function;
            this.counts = new int[leaders];
            this.site = site;
        }
    }

    private final JitEngine engine;
    private final CodeCache cache;
    private final int after;
    private final State[][] states;

    HotRegions(JitEngine engine, CodeCache cache, int functions, int after) {
        this.engine = engine;
        this.cache = cache;
        this.after = after;
        this.states = new State[2][functions];
    }

    private State state(boolean metered, int function) {
        State s = states[metered ? 1 : 0][function];
        if (s != null) {
            return s;
        }
        synchronized (cache.lock(function)) {
            s = states[metered ? 1 : 0][function];
            if (s == null) {
                MutableCallSite site = new MutableCallSite(FunctionCompiler.REGION_TYPE);
                s = new State(metered, function, cache.code(function).leaderPcs.length, site);
                site.setTarget(MethodHandles.insertArguments(TICK, 0, this, s));
                states[metered ? 1 : 0][function] = s;
            }
            return s;
        }
    }

    /** The call site of the tick of a profiled function's dispatcher ({@link JitLinker#linkProfile}). */
    MutableCallSite site(boolean metered, int function) {
        return state(metered, function).site;
    }

    /** Counts a run of the block of leader number {@code leader}. */
    void count(boolean metered, int function, int leader) {
        state(metered, function).counts[leader]++;
    }

    /** The hot plan of a variant of {@code function}, or null if it has not been re-planned (for tests). */
    RegionPlan plan(boolean metered, int function) {
        State s = states[metered ? 1 : 0][function];
        return s == null ? null : s.plan;
    }

    /** The crossings a profiled dispatcher makes before re-planning; below that, the code goes on. */
    private static int tick(HotRegions h, State s, JitContext ctx, long[] regs, int code, long frame) throws Throwable {
        if (++s.crossings < h.after) {
            return code;
        }
        h.replan(s);
        return (int) s.site.getTarget().invokeExact(ctx, regs, code, frame);
    }

    /** Runs the rest of the frame in the hot plan's dispatcher from {@code code}; -1 ends the old one. */
    private static int transfer(MethodHandle run, JitContext ctx, long[] regs, int code, long frame) throws Throwable {
        run.invokeExact(ctx, regs, code, frame);
        return -1;
    }

    private void replan(State s) {
        synchronized (cache.lock(s.function)) {
            if (s.done) {
                return;
            }
            s.done = true;
            MethodHandle target = PASS;
            try {
                engine.compiling();
                RegionPlan old = cache.plan(s.metered, s.function);
                FunctionCompiler.Output out = new FunctionCompiler(engine, cache.code(s.function), s.metered)
                        .compileHot(old, s.counts.clone());
                MethodHandles.Lookup c = cache.define(out.bytes(), false);
                if (c != null) {
                    s.run = c.findStatic(c.lookupClass(), "run", FunctionCompiler.RUN_TYPE);
                    s.regions = new MethodHandle[out.plan().regionCount()];
                    s.plan = out.plan();
                    target = MethodHandles.insertArguments(TRANSFER, 0, s.run);
                }
            } catch (JitException | ReflectiveOperationException | VerifyError | ClassFormatError e) {
                // The first plan goes on, its regions still counting (a cost only in this rare
                // case: the code budget spent, or a region the JVM cannot hold).
            } finally {
                // Also if the guest's deadline stopped the compilation: the tick must never call
                // itself again, so the site leaves it in any case.
                s.site.setTarget(target);
                MutableCallSite.syncAll(new MutableCallSite[] {s.site});
            }
        }
    }

    /** The method of region {@code region} of the hot plan of {@code function} ({@link JitLinker#linkHotRegion}). */
    MethodHandle region(boolean metered, int function, int region) {
        State s = state(metered, function);
        synchronized (cache.lock(function)) {
            MethodHandle h = s.regions[region];
            if (h == null) {
                FunctionCompiler.Output out = new FunctionCompiler(engine, cache.code(function), metered)
                        .compileRegion(s.plan, region);
                try {
                    MethodHandles.Lookup c = cache.define(out.bytes(), true);
                    h = c.findStatic(c.lookupClass(), FunctionCompiler.ENTRY_NAME, FunctionCompiler.REGION_TYPE);
                } catch (ReflectiveOperationException e) {
                    throw new JitException("function " + function + ": generated region class is unusable: "
                            + e.getMessage(), e);
                }
                s.regions[region] = h;
            }
            return h;
        }
    }

    /**
     * The leaders (instruction indices) of the blocks to copy into the hot region of a function
     * whose blocks ran {@code counts} times (by leader number), busiest first: those that ran at
     * least once per {@link #MIN_SHARE} runs of dispatch block {@code home}, outside it, while
     * their estimated sizes ({@code sizes}, by instruction) fit {@link #HOT_BUDGET}.
     */
    static int[] hotLeaders(FunctionCode code, int[] counts, int[] sizes, int home) {
        long homeRuns = counts[code.leaderIndex[home]];
        List<Integer> candidates = new ArrayList<>();
        for (int l = 0; l < code.leaderInsns.length; l++) {
            int insn = code.leaderInsns[l];
            if (counts[l] > 0 && (long) counts[l] * MIN_SHARE >= homeRuns && insn != home) {
                candidates.add(insn);
            }
        }
        candidates.sort(Comparator.comparingInt((Integer i) -> -counts[code.leaderIndex[i]]).thenComparing(i -> i));
        List<Integer> out = new ArrayList<>();
        long bytes = 0;
        for (int insn : candidates) {
            long b = 0;
            for (int i = insn; i < code.insns.length && (i == insn || !code.leader[i]); i++) {
                b += sizes[i];
            }
            if (bytes + b > HOT_BUDGET) {
                continue;
            }
            bytes += b;
            out.add(insn);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * True if the hot region of {@code plan} holds at least {@link #MIN_COVER} percent of the
     * block runs {@code counts} (by leader number) saw. Below that, control leaves and re-enters
     * it often, and each entry loads (each exit stores) most of its registers, since its entries
     * reach the whole loop: Lua's spectralnorm, at 65%, ran 24% slower with a hot region than
     * without; fib (99.9%), mandelbrot (86%), queens (91%) and bzip2's decoder (93%) faster or level.
     */
    static boolean covers(RegionPlan plan, int[] counts) {
        FunctionCode code = plan.code;
        int hot = plan.hotRegion();
        long all = 0;
        for (int c : counts) {
            all += c;
        }
        long in = counts[code.leaderIndex[plan.from(hot)]];
        for (int l : plan.copiedBlocks(hot)) {
            in += counts[code.leaderIndex[l]];
        }
        return in * 100 >= all * MIN_COVER;
    }

    /** The dispatch block that ran most ({@code counts} by leader number), or -1 if none ran. */
    static int hotHome(FunctionCode code, int[] counts) {
        BitSet dispatch = RegionPlan.dispatchBlocks(code);
        int best = -1;
        for (int d = dispatch.nextSetBit(0); d >= 0; d = dispatch.nextSetBit(d + 1)) {
            int c = counts[code.leaderIndex[d]];
            if (c > 0 && (best < 0 || c > counts[code.leaderIndex[best]])) {
                best = d;
            }
        }
        return best;
    }

    /** The first {@code n} of {@code leaders}, ascending. */
    static int[] first(int[] leaders, int n) {
        int[] out = Arrays.copyOf(leaders, n);
        Arrays.sort(out);
        return out;
    }
}
