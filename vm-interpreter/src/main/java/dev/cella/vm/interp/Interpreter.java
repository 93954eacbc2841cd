package dev.cella.vm.interp;

import dev.cella.isa.ValType;
import dev.cella.isa.flow.BlockMap;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.Instance;
import dev.cella.vm.Invocation;
import dev.cella.vm.StateValidator;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import java.util.List;
import java.util.Objects;

/**
 * The interpreter tier: decodes every function of a module once, into a compact form ({@link Op})
 * that all instances of the module share, and runs it with a register-based dispatch loop
 * ({@link Dispatch}). Guest calls push explicit frames and never recurse on the JVM stack, so call
 * depth is a quota, not a JVM crash.
 *
 * <p>Suspendable ({@link SuspendableEngine}): a {@link SuspendRequest} stops an invocation at a
 * block entry, where the whole state is the explicit frames, and {@link #resume} rebuilds them.
 * The request is checked only where the loop asks for more fuel, so the hot path pays nothing.
 *
 * <p>Unmetered instances ({@link Instance#metered} false) run an unmetered variant of the decoded
 * code, made for the whole module when the first unmetered invocation (or resumption) needs it,
 * in a loop of their own ({@link UnmeteredDispatch}): FUEL headers only at check sites, charging
 * a countdown that polls the interrupt hook at least once per 65,536 executed blocks (the rule:
 * {@link BlockMap}). No fuel is charged or reported, and the budget never runs out. A suspend request with a fuel point is rejected there (there is no fuel to
 * reach it by); one without stops the run when its flag is raised as on a metered instance,
 * except that a flag raised during a host call stops it at the next check site (a loop's
 * back-edge or a call) rather than right after the call: only check sites have headers to stop at.
 *
 * <p>Thread-safe: the decoded code is immutable and every invocation has its own state.
 */
public final class Interpreter implements SuspendableEngine {
    private final Module module;
    private final DecodedFunction[] functions;
    /**
     * The block map of each defined function once the unmetered variant or a state check needed
     * it, else null. The decoded code does not keep the maps it was made from: they hold every
     * instruction as an object, several times the decoded code's size.
     */
    private final BlockMap[] blocks;
    /** The tier that may take calls and frames over (see {@link TierHook}), or null. */
    private final TierHook tier;
    /** The unmetered variant of {@link #functions}, once an unmetered instance needed it, else null. */
    private volatile DecodedFunction[] unmetered;

    /**
     * Decodes {@code verifiedModule}. The module must have passed {@link
     * dev.cella.isa.verify.Verifier}: the interpreter relies on its guarantees and checks nothing
     * the verifier checks.
     *
     * @throws IllegalArgumentException if a function body is visibly not verified
     */
    public Interpreter(Module verifiedModule) {
        this(verifiedModule, null);
    }

    /**
     * Decodes {@code verifiedModule} for an interpreter that lets {@code tier} (if not null) take
     * hot calls and frames over (see {@link TierHook}).
     *
     * @throws IllegalArgumentException if a function body is visibly not verified
     */
    public Interpreter(Module verifiedModule, TierHook tier) {
        this.tier = tier;
        this.module = Objects.requireNonNull(verifiedModule, "verifiedModule");
        this.functions = new DecodedFunction[module.functionCount()];
        this.blocks = new BlockMap[functions.length];
        for (int i = 0; i < functions.length; i++) {
            functions[i] = Decoder.decode(module, i, true);
        }
    }

    /**
     * The decoded functions for {@code instance}: the metered variant, or for an unmetered
     * instance the unmetered one, decoded on first use. Two threads may both decode it; either
     * result serves, as the variant depends only on the module.
     */
    private DecodedFunction[] functions(Instance instance) {
        if (instance.metered()) {
            return functions;
        }
        DecodedFunction[] u = unmetered;
        if (u == null) {
            u = new DecodedFunction[functions.length];
            for (int i = 0; i < u.length; i++) {
                u[i] = Decoder.decode(module, i, module.isImport(i) ? null : blocks(i), false);
            }
            unmetered = u;
        }
        return u;
    }

    /** The block map of defined function {@code f}, made on first use (racing threads make equal ones). */
    private BlockMap blocks(int f) {
        BlockMap b = blocks[f];
        if (b == null) {
            b = BlockMap.of(module.function(f).code());
            blocks[f] = b;
        }
        return b;
    }

    /** The module this engine runs. */
    public Module module() {
        return module;
    }

    @Override
    public long[] invoke(Instance instance, int function, long... args) {
        return invoke(instance, function, null, args).results();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException also if {@code request} has a fuel point and the instance
     *     is unmetered
     */
    @Override
    public Invocation invoke(Instance instance, int function, SuspendRequest request, long... args) {
        FuncType type = Engine.checkCall(module, instance, function, args);
        SuspendRequest.checkUsable(request, instance);
        DecodedFunction[] variant = functions(instance);
        DecodedFunction f = variant[function];
        if (f.isImport()) {
            return Invocation.finished(callImport(instance, f, args));
        }
        Machine m = new Machine(variant, instance, f, request);
        m.tier(m.metered ? tier : null);
        long[] r = m.regs;
        List<ValType> params = type.params();
        for (int i = 0; i < args.length; i++) {
            r[i] = Machine.normalize(params.get(i), args[i]);
        }
        return run(instance, m, f.code, 0, 0);
    }

    /**
     * Runs defined function {@code function} as the callee of a frame another tier runs: the
     * mirror of {@link TierHook#call}, with the same contract. The callee is at depth {@code
     * depth} (its own) above frames holding {@code registersBelow} registers, so depth and stack
     * limits trap at the same call as if every frame were interpreted; {@code window} holds on
     * entry the caller's fuel window (its credit before the next interrupt poll) and on return
     * or throw what is left of it. The instance's fuel is current on entry and afterwards. Calls
     * and frames in it may go back to the other tier ({@link TierHook}).
     *
     * @param args the arguments' raw bits in register form
     * @return the results (register form), or the state it stopped at (frames from the callee on)
     */
    public Invocation call(Instance instance, int function, long[] args, int depth, int registersBelow,
            long[] window, SuspendRequest request) {
        DecodedFunction[] variant = functions(instance);
        DecodedFunction f = variant[function];
        Machine m = new Machine(variant, instance, f, request);
        m.nest(depth, registersBelow, window[0]);
        m.tier(m.metered ? tier : null);
        System.arraycopy(args, 0, m.regs, 0, args.length);
        try {
            return run(instance, m, f.code, 0, 0);
        } finally {
            window[0] = m.credit;
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException also if {@code request} has a fuel point and the instance
     *     is unmetered
     */
    @Override
    public Invocation resume(Instance instance, ExecutionState state, SuspendRequest request) {
        checkInstance(instance);
        Objects.requireNonNull(state, "state");
        SuspendRequest.checkUsable(request, instance);
        Resumption.Start start = Resumption.prepare(this::blocks, functions(instance), instance, state, request);
        Machine m = start.machine();
        m.tier(m.metered ? tier : null);
        return run(instance, m, m.functions[m.func].code, start.pc(), start.fp());
    }

    @Override
    public void checkResumable(Instance instance, ExecutionState state) {
        checkInstance(instance);
        StateValidator.check(instance, Objects.requireNonNull(state, "state"), this::blocks);
    }

    private void checkInstance(Instance instance) {
        Objects.requireNonNull(instance, "instance");
        if (instance.module() != module) {
            throw new IllegalArgumentException("the instance is of another module than this interpreter's");
        }
    }

    /**
     * Runs {@code m} from block leader {@code pc} of {@code code} (on its FUEL header, if it has
     * one) in the loop for the instance's variant, handing calls and frames to the other tier
     * when it asks; the instance's fuel is current afterwards.
     */
    private static Invocation run(Instance instance, Machine m, int[] code, int pc, int fp) {
        try {
            while (true) {
                long[] results = m.metered ? Dispatch.run(m.regs, code, pc, fp, m)
                        : UnmeteredDispatch.run(m.regs, code, pc, fp, m);
                if (results != null) {
                    return Invocation.finished(results);
                }
                if (m.handOver == Machine.NO_HAND_OVER) {
                    m.storeFuel();
                    return Invocation.suspended(new ExecutionState(m.suspended, instance.fuelUsed(),
                            instance.fuelRemaining()));
                }
                Invocation ended = TierHandOver.run(m);
                if (ended != null) {
                    return ended;
                }
                code = m.nextCode;
                pc = m.nextPc;
                fp = m.nextFp;
            }
        } finally {
            m.storeFuel();
        }
    }

    /** Calls an imported host function directly: no frame, no fuel. */
    private static long[] callImport(Instance instance, DecodedFunction f, long[] args) {
        List<ValType> params = f.type.params();
        long[] copy = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            copy[i] = Machine.normalize(params.get(i), args[i]);
        }
        long result = instance.hostFunction(f.index).call(instance, copy);
        return f.result == null ? new long[0] : new long[] {Machine.normalize(f.result, result)};
    }
}
