package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.Instance;
import dev.cella.vm.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The {@code auto} engine: starts in the interpreter and compiles what is hot, so short runs pay
 * no compilation and long ones run at JIT speed. Both tiers give identical results, traps and
 * fuel, so the choice is never observable except in speed.
 *
 * <h2>Design (see docs/engines.md)</h2>
 * The interpreter keeps its frames to itself, so a running interpreted frame cannot move to
 * compiled code (on-stack replacement) and compiled code does not call back into it. Tiering is
 * therefore decided per host invocation, before the run starts, from what the code <em>can</em>
 * do:
 * <ul>
 *   <li>A function is <em>bounded</em> if nothing it can reach loops: it has no backward branch,
 *       no call_indirect, and calls (directly, without recursion) only bounded functions and
 *       host imports. Its run costs at most a fixed number of instructions per call.
 *   <li>An invocation of a bounded function runs in the interpreter, where it costs no compile
 *       time; after {@link #HOT_CALLS} such invocations, or {@link #HOT_FUEL} units of fuel
 *       spent in them, the function is hot and later invocations run compiled.
 *   <li>An invocation of an unbounded function (a loop, recursion or an indirect call somewhere
 *       below it) runs compiled from its first instruction, functions being compiled lazily as
 *       they are first called. This is the design's replacement for on-stack replacement: a
 *       long-running loop in a function called only once (a program's main loop) never starts
 *       in the interpreter, so it never waits there for a transfer.
 * </ul>
 * Functions that fail to compile (see {@link JitException}) are reported, never silently left
 * to the interpreter.
 *
 * <p>Thread-safe: counters are atomic and both tiers are thread-safe.
 */
public final class TieredEngine implements Engine, EngineStats {
    /** Interpreted invocations of a bounded function after which it is compiled. */
    static final int HOT_CALLS = 64;
    /** Fuel spent interpreting a bounded function after which it is compiled. */
    static final long HOT_FUEL = 1_000_000;

    private final Module module;
    private final Interpreter interpreter;
    private final JitEngine jit;
    private final boolean[] bounded;
    private final AtomicLongArray interpretedCalls;
    private final AtomicLongArray interpretedFuel;
    private final boolean[] hot;

    /** An engine for {@code verifiedModule} (which must have passed the verifier). */
    public TieredEngine(Module verifiedModule) {
        this.module = Objects.requireNonNull(verifiedModule, "verifiedModule");
        this.interpreter = new Interpreter(module);
        this.jit = new JitEngine(module);
        int n = module.functionCount();
        this.bounded = boundedFunctions(module);
        this.interpretedCalls = new AtomicLongArray(n);
        this.interpretedFuel = new AtomicLongArray(n);
        this.hot = new boolean[n];
    }

    /**
     * Runs {@code function}. An unmetered instance ({@link Instance#metered}) always runs
     * compiled: the interpreter does not implement unmetered runs yet and would charge fuel.
     */
    @Override
    public long[] invoke(Instance instance, int function, long... args) {
        boolean defined = function >= 0 && function < module.functionCount() && !module.isImport(function);
        if (defined && !instance.metered()) {
            return jit.invoke(instance, function, args);
        }
        if (!defined || (bounded[function] && !hot[function])) {
            return interpret(instance, function, args);
        }
        return jit.invoke(instance, function, args);
    }

    private long[] interpret(Instance instance, int function, long[] args) {
        long before = instance.fuelUsed();
        try {
            return interpreter.invoke(instance, function, args);
        } finally {
            if (function >= 0 && function < module.functionCount() && !module.isImport(function)) {
                long calls = interpretedCalls.incrementAndGet(function);
                long fuel = interpretedFuel.addAndGet(function, instance.fuelUsed() - before);
                if (calls >= HOT_CALLS || fuel >= HOT_FUEL) {
                    hot[function] = true;
                }
            }
        }
    }

    /** True if invocations of {@code function} now run compiled. */
    public boolean runsCompiled(int function) {
        return !module.isImport(function) && (!bounded[function] || hot[function]);
    }

    /** The JIT this engine compiles with (for {@link JitEngine#dumpBytecode}). */
    public JitEngine jit() {
        return jit;
    }

    @Override
    public List<FunctionStat> functionStats() {
        List<FunctionStat> jitStats = jit.functionStats();
        List<FunctionStat> out = new ArrayList<>();
        for (int f = 0; f < module.functionCount(); f++) {
            FunctionStat s = jitStats.get(f);
            long calls = interpretedCalls.get(f);
            FunctionStat.Tier tier = s.tier();
            String detail = "";
            if (tier == FunctionStat.Tier.NOT_RUN && calls > 0) {
                tier = FunctionStat.Tier.INTERPRETED;
            } else if (tier == FunctionStat.Tier.COMPILED) {
                detail = bounded[f] ? (calls > 0 ? "compiled when hot" : "compiled as a callee")
                        : "compiled before running (it can loop)";
            }
            out.add(new FunctionStat(f, s.name(), tier, s.regions(), calls, detail));
        }
        return out;
    }

    /**
     * Which functions are bounded (see the class comment): computed bottom-up over the direct
     * call graph; recursion (a cycle) makes every function on it unbounded.
     */
    static boolean[] boundedFunctions(Module module) {
        int n = module.functionCount();
        boolean[] bounded = new boolean[n];
        int[] state = new int[n]; // 0 unvisited, 1 in progress, 2 done
        for (int f = 0; f < n; f++) {
            visit(module, f, bounded, state);
        }
        return bounded;
    }

    private static boolean visit(Module module, int f, boolean[] bounded, int[] state) {
        if (state[f] == 2) {
            return bounded[f];
        }
        if (state[f] == 1) {
            return false; // a cycle: recursion
        }
        if (module.isImport(f)) {
            state[f] = 2;
            bounded[f] = true;
            return true;
        }
        state[f] = 1;
        boolean ok = true;
        FunctionCode code = FunctionCode.decode(module, f);
        for (var in : code.insns) {
            Opcode op = in.opcode();
            if (op == Opcode.CALL_INDIRECT) {
                ok = false;
            } else if (op == Opcode.CALL) {
                ok &= visit(module, in.intOperand(0), bounded, state);
            } else if (op.isBranch()) {
                for (int target : FunctionCode.targets(in)) {
                    if (target <= in.pc()) {
                        ok = false;
                    }
                }
            }
        }
        state[f] = 2;
        bounded[f] = ok;
        return ok;
    }
}
