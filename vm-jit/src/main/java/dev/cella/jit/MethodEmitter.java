package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits the JVM bytecode of a range of a guest function's instructions into one method, in one
 * of three {@link Mode modes}, for the metered or the unmetered variant.
 *
 * <p>Naming: {@code local[r]} is the JVM local slot of guest register {@code r}; {@code fuel} the
 * int slot of the fuel window (see {@link JitContext}); {@code frame} the slot of the frame word
 * and {@code calleeFrame} a scratch slot for a callee's; {@code mem} the cached memory array and
 * {@code memSize} the memory's size, the bound accesses are checked against ({@link MemoryEmitter});
 * {@code tmp} an int scratch slot; the {@link StoreCheckWindow} has a double slot of its own.
 * Every local is assigned in the prologue, so the locals agree at every branch target and the
 * stack map frames stay compact.
 *
 * <p>Fuel: metered code charges every block leader its cost; unmetered code charges only the
 * check sites their poll cost (the rule: {@link dev.cella.isa.flow.BlockMap}). When the window goes negative, code
 * that {@link #exits} leaves the method (storing its registers) and lets {@link
 * JitRuntime#resume} refuel and continue in an entry method; other code calls {@link
 * JitRuntime#refuel} from a cold stub and jumps back.
 *
 * <p>Cold code (fuel stubs, trap handlers, exits, segment hops) goes to a {@link StubArea} after the
 * body, reached from the hot path by one conditional jump or an exception-table entry.
 * Invariant: whenever emitted code can trap or call out, the fuel window is in {@link
 * JitContext#fuel}; the stubs store it before they throw.
 *
 * <p>Suspension ({@link JitSuspend}): every guest call and every in-place refuel is covered by an
 * exception-table entry whose handler saves the registers (all of them in a direct method, the
 * ones it wrote in a region or entry method, whose register file holds the rest) and adds the
 * frame at that call's or leader's pc before rethrowing. The handlers cost nothing until a
 * suspension passes; they never store the fuel window, which the refuel that suspended left in
 * the context.
 */
final class MethodEmitter {
    /** What the method holds and how its registers arrive. */
    enum Mode {
        /** The whole function, {@code f<index>(ctx, frame, params...)}: registers are typed locals. */
        DIRECT,
        /**
         * One region of a function too large for one method, {@code r<k>(ctx, regs, entry, frame)}:
         * registers arrive in and leave through a {@code long[]}, see {@link RegionPlan}.
         */
        REGION,
        /**
         * The function from one block leader to its end, {@code e(ctx, regs, frame)}, entered with
         * that block charged; a branch back before the leader leaves it with that target's code.
         * Entered only at its leader, so its loops have one entry each, as in the direct method.
         */
        ENTRY
    }

    static final String CTX = "dev/cella/jit/JitContext";
    static final String RUNTIME = "dev/cella/jit/JitRuntime";
    static final String NUMERICS = "dev/cella/vm/Numerics";
    static final String SIGNAL = "dev/cella/vm/TrapSignal";
    static final String BOUNDS = "java/lang/IndexOutOfBoundsException";
    static final String SUSPEND = "dev/cella/jit/JitSuspend";

    final JitEngine engine;
    final FunctionCode code;
    /** Emit the shapes that suit C1 alone ({@link JitEngine.Options#clientShapes}). */
    final boolean clientShapes;
    final MethodVisitor mv;
    /** Internal name of the class being generated, for calls within it. */
    final String owner;
    final Mode mode;
    /** True for metered code, false for the unmetered variant. */
    final boolean metered;
    /** True if a fuel check that fails leaves the method instead of refueling in place. */
    final boolean exits;
    /** First instruction index emitted, and one past the last. */
    final int from;
    final int to;
    /** Region plan (region mode), else null. */
    final RegionPlan plan;
    final int regionIndex;
    /** Entry mode: the leader number the method starts at, else -1. */
    final int entryLeader;
    /** Region mode entered for on-stack replacement ({@link #regionOsr}): the instruction it starts at, else -1. */
    final int osrInsn;
    /** A region method in a class of its own ({@link #region}), which does not hold {@code f<index>}. */
    private boolean ownClass;
    private final RegisterFlow flow;

    final int[] local;
    final int fuel;
    final int frame;
    final int calleeFrame;
    final int mem;
    final int memSize;
    final int tmp;
    /** Region mode: the suspension passing through while the registers are stored (else null). */
    final int suspension;
    /** The pending float stores whose NaN checks are merged (see {@link StoreCheckWindow}). */
    private final StoreCheckWindow window;
    /** Region and entry modes: the slot of the {@code long[]} register file. */
    final int regsArray;
    /** Pc of the first instruction emitted: large pcs are pushed relative to it (see {@link #pushPc}). */
    private final int basePc;
    /** Registers the method reads or writes, and those it writes (region and entry modes). */
    final int[] used;
    private final int[] written;

    private final Label[] label;
    /** Region mode: the labels of the dispatch blocks copied into this region, by leader instruction. */
    private final java.util.Map<Integer, Label> copies = new java.util.TreeMap<>();
    private final Label entryResume = new Label();
    /** The first leader {@link #refuelInPlace} charged, which later ones are pushed relative to. */
    private int firstRefuelLeader = -1;
    /** The cold code after the body. */
    private final StubArea stubs;
    /** Bytecode offsets at the start of each instruction, recorded for size measurement. */
    private final Label[] measure;
    private Label end;
    /** Index of the instruction being emitted. */
    private int current;

    private MethodEmitter(JitEngine engine, FunctionCode code, boolean metered, MethodVisitor mv, String owner,
            Mode mode, boolean exits, int from, int to, RegionPlan plan, int regionIndex, int entryLeader,
            int osrInsn, boolean measureSizes) {
        this.engine = engine;
        this.code = code;
        this.metered = metered;
        this.mv = mv;
        this.owner = owner;
        this.mode = mode;
        this.exits = exits;
        this.from = from;
        this.to = to;
        this.plan = plan;
        this.regionIndex = regionIndex;
        this.entryLeader = entryLeader;
        this.osrInsn = osrInsn;
        this.flow = engine.flow(code.index);
        this.clientShapes = engine.clientShapes();
        // Labels only for this method's range: a region of a huge function must not allocate
        // per-instruction tables of the whole function.
        this.label = new Label[to - from];
        this.measure = measureSizes ? new Label[to - from + 1] : null;
        this.local = new int[code.registers().size()];
        java.util.Arrays.fill(local, -1);
        int next;
        switch (mode) {
            case DIRECT -> {
                Signature sig = engine.signature(code.index);
                next = 4; // 0 context, 1-2 frame word, 3 fuel window
                if (sig.packed) {
                    next = 5; // slot 4 holds the packed argument array
                } else {
                    for (int p = 0; p < code.paramCount(); p++) {
                        local[p] = next;
                        next += Signature.slots(code.registerType(p));
                    }
                }
                for (int r = sig.packed ? 0 : code.paramCount(); r < local.length; r++) {
                    local[r] = next;
                    next += Signature.slots(code.registerType(r));
                }
                regsArray = -1;
                frame = 1;
                used = null;
                written = null;
            }
            case REGION -> {
                regsArray = 1;
                frame = 3; // 0 context, 1 register file, 2 entry index, 3-4 frame word
                next = 5;
                used = plan.usedRegisters(regionIndex);
                written = plan.writtenRegisters(regionIndex);
                for (int r : used) {
                    local[r] = next;
                    next += Signature.slots(code.registerType(r));
                }
            }
            default -> {
                regsArray = 1;
                frame = 2; // 0 context, 1 register file, 2-3 frame word
                next = 4;
                BitSet use = new BitSet();
                BitSet def = new BitSet();
                for (int i = from; i < to; i++) {
                    RegionPlan.registers(code.insns[i], use, def);
                }
                use.or(def);
                used = use.stream().toArray();
                written = def.stream().toArray();
                for (int r : used) {
                    local[r] = next;
                    next += Signature.slots(code.registerType(r));
                }
            }
        }
        // Direct: the fuel window arrives as a parameter and stays in its slot.
        this.fuel = mode == Mode.DIRECT ? 3 : next++;
        this.calleeFrame = next;
        next += 2;
        this.mem = code.usesMemory() ? next++ : -1;
        this.memSize = code.usesMemory() ? next++ : -1;
        this.tmp = next++;
        this.suspension = mode == Mode.REGION ? next++ : -1;
        this.window = new StoreCheckWindow(this, next);
        this.basePc = code.insns[from].pc();
        this.stubs = new StubArea(this);
    }

    /** The whole function as {@code f<index>}; {@code exits} as in {@link #exits}. */
    static MethodEmitter direct(JitEngine engine, FunctionCode code, boolean metered, MethodVisitor mv, String owner,
            boolean exits, boolean measureSizes) {
        return new MethodEmitter(engine, code, metered, mv, owner, Mode.DIRECT, exits, 0, code.insns.length, null, 0,
                -1, -1, measureSizes);
    }

    /**
     * Region {@code k} of {@code plan}; refuels in place. {@code ownClass}: the method is in a
     * class of its own ({@link FunctionCompiler#compileRegion}), not the function's.
     */
    static MethodEmitter region(JitEngine engine, FunctionCode code, boolean metered, MethodVisitor mv, String owner,
            RegionPlan plan, int k, boolean measureSizes, boolean ownClass) {
        MethodEmitter e = new MethodEmitter(engine, code, metered, mv, owner, Mode.REGION, false, plan.from(k),
                plan.to(k), plan, k, -1, -1, measureSizes);
        e.ownClass = ownClass;
        return e;
    }

    /**
     * The region of {@code plan} holding block leader instruction {@code insn}, in a class of its
     * own ({@code owner}), entered only there with the block not yet charged: a frame of a
     * function compiled by regions that {@code auto} moves to compiled code at any leader
     * (on-stack replacement) runs this once and goes on in the function's dispatcher with the
     * code it returns. It loads every register the region uses and stores every one it writes.
     */
    static MethodEmitter regionOsr(JitEngine engine, FunctionCode code, boolean metered, MethodVisitor mv,
            String owner, RegionPlan plan, int insn) {
        int k = plan.regionOf(insn);
        return new MethodEmitter(engine, code, metered, mv, owner, Mode.REGION, false, plan.from(k), plan.to(k), plan,
                k, -1, insn, false);
    }

    /** The function from leader number {@code leader} on; always exits. */
    static MethodEmitter entry(JitEngine engine, FunctionCode code, boolean metered, MethodVisitor mv, String owner,
            int leader, boolean measureSizes) {
        return new MethodEmitter(engine, code, metered, mv, owner, Mode.ENTRY, true, code.leaderInsns[leader],
                code.insns.length, null, 0, leader, -1, measureSizes);
    }

    // ---- whole method ----

    /** Emits the method body: prologue, instructions, stub area. The caller frames it with visitCode/visitMaxs. */
    void emitBody() {
        switch (mode) {
            case DIRECT -> directPrologue();
            case REGION -> RegionEdges.prologue(this);
            case ENTRY -> entryPrologue();
        }
        for (int i = from; i < to; i++) {
            if (((i - from) & 4095) == 4095) {
                engine.compiling(); // a huge function takes long to emit: its guest's deadline still counts
            }
            current = i;
            window.before(i, code.leader[i] || label[i - from] != null);
            if (measure != null) {
                measure[i - from] = new Label();
                mv.visitLabel(measure[i - from]);
            }
            Instruction in = code.insns[i];
            if (code.leader[i] || label[i - from] != null) {
                mv.visitLabel(labelOf(i));
            }
            if (code.leader[i]) {
                count(code.leaderIndex[i]);
                chargeFuel(code.leaderIndex[i]);
            }
            InstructionEmitter.emit(this, in);
            window.after(i);
        }
        window.flush();
        if (measure != null) {
            measure[to - from] = new Label();
            mv.visitLabel(measure[to - from]);
        }
        Instruction last = code.insns[to - 1];
        if (!last.opcode().isTerminator()) {
            // Only a region can end on a non-terminator: control continues in the next region.
            mv.visitJumpInsn(GOTO, branchTarget(to));
        }
        emitCopies();
        stubs.emit(basePc);
        end = new Label();
        mv.visitLabel(end);
    }

    /** The label where region mode enters at entry instruction {@code i}: in the home range or a copied block. */
    Label entryLabel(int i) {
        return i >= from && i < to ? labelOf(i) : copyLabel(i);
    }

    /** The label of the copy of the block {@code leader} leads in this region ({@link RegionPlan#copiedBlocks}). */
    private Label copyLabel(int leader) {
        Label l = copies.get(leader);
        if (l == null) {
            l = new Label();
            copies.put(leader, l);
        }
        return l;
    }

    /**
     * Emits the copies of dispatch blocks that branches of this region reached, after the body:
     * each charges its leader and runs the block's instructions as the block would (same pcs, so
     * traps, refuels and suspensions happen at the same points); its closing branch goes on
     * within the region, to another copy, or out to the target's entry.
     */
    private void emitCopies() {
        java.util.BitSet done = new java.util.BitSet();
        boolean more = true;
        while (more) {
            more = false;
            for (int c : List.copyOf(copies.keySet())) {
                if (done.get(c)) {
                    continue;
                }
                done.set(c);
                more = true;
                mv.visitLabel(copies.get(c));
                int end = plan.copyEnd(c);
                for (int i = c; i < end; i++) {
                    current = i;
                    window.before(i, i == c);
                    if (i == c) {
                        count(code.leaderIndex[i]);
                        chargeFuel(code.leaderIndex[i]);
                    }
                    InstructionEmitter.emit(this, code.insns[i]);
                    window.after(i);
                }
                window.flush();
                if (!code.insns[end - 1].opcode().isTerminator()) {
                    // A copied block that falls through (to the next leader) goes on as the block
                    // would: into that block's copy, or out to its entry.
                    mv.visitJumpInsn(GOTO, branchTarget(end));
                }
            }
        }
    }

    /** True if the class being generated holds the function's own method {@code f<index>}, for direct self-calls. */
    boolean ownsFunction() {
        return mode == Mode.DIRECT || (mode == Mode.REGION && osrInsn < 0 && !ownClass);
    }

    /** Bytecode size of the whole method, stubs included, after {@link #emitBody}. */
    int endOffset() {
        return end.getOffset();
    }

    /** Bytecode size of instruction {@code i} (stubs excluded), after a measuring {@link #emitBody}. */
    int measuredSize(int i) {
        return measure[i - from + 1].getOffset() - measure[i - from].getOffset();
    }

    private void directPrologue() {
        Signature sig = engine.signature(code.index);
        if (sig.packed) {
            for (int p = 0; p < code.paramCount(); p++) {
                mv.visitVarInsn(ALOAD, 4);
                push(p);
                mv.visitInsn(LALOAD);
                fromBits(code.registerType(p));
                store(p);
            }
        }
        for (int r = code.paramCount(); r < local.length; r++) {
            pushZero(code.registerType(r));
            store(r);
        }
        commonPrologue();
    }

    /** Loads the registers, materializing those known to hold a constant here, then jumps past the leader's charge. */
    private void entryPrologue() {
        reloadFuel();
        loadRegisters(flow.constantsAt(entryLeader));
        commonPrologue();
        mv.visitJumpInsn(GOTO, entryResume);
    }

    void loadRegisters(List<long[]> constants) {
        long[] known = new long[local.length];
        BitSet isKnown = new BitSet();
        for (long[] c : constants) {
            isKnown.set((int) c[0]);
            known[(int) c[0]] = c[1];
        }
        for (int r : used) {
            if (isKnown.get(r)) {
                pushBits(code.registerType(r), known[r]);
            } else {
                mv.visitVarInsn(ALOAD, regsArray);
                push(r);
                mv.visitInsn(LALOAD);
                fromBits(code.registerType(r));
            }
            store(r);
        }
    }

    void commonPrologue() {
        if (mem >= 0) {
            reloadMemory();
        }
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, tmp);
        mv.visitInsn(LCONST_0);
        mv.visitVarInsn(LSTORE, calleeFrame);
        window.initialize();
    }

    // ---- registers and constants ----

    void load(int reg) {
        mv.visitVarInsn(Signature.loadOpcode(code.registerType(reg)), local[reg]);
    }

    void store(int reg) {
        mv.visitVarInsn(Signature.storeOpcode(code.registerType(reg)), local[reg]);
    }

    ValType type(int reg) {
        return code.registerType(reg);
    }

    /** True if the float arithmetic instruction being emitted must canonicalize its result (see {@link RegisterFlow}). */
    boolean canonical() {
        return flow.canonical(current);
    }

    /**
     * Loads register {@code reg} for the store, return or global write being emitted,
     * canonicalizing a float value there if the analysis moved its canonicalization to this use
     * (see {@link RegisterFlow#canonicalAtUse}).
     */
    void loadWritten(int reg) {
        load(reg);
        if (flow.canonicalAtUse(current) && !window.joins(current)) {
            switch (code.registerType(reg)) {
                case F32 -> invokeStatic(NUMERICS, "canonical", "(F)F");
                case F64 -> invokeStatic(NUMERICS, "canonical", "(D)D");
                default -> { }
            }
        }
    }

    /** True if the store, return or global write {@code i} writes out values it must canonicalize itself. */
    boolean flowCanonicalAtUse(int i) {
        return flow.canonicalAtUse(i);
    }

    void push(int v) {
        FunctionCompiler.pushInt(mv, v);
    }

    void push(long v) {
        if (v == 0 || v == 1) {
            mv.visitInsn(LCONST_0 + (int) v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    /** Pushes the f32 with raw bits {@code bits}, payload exact (NaNs go through their int bits). */
    void pushF32Bits(int bits) {
        float f = Float.intBitsToFloat(bits);
        if (f != f) {
            push(bits);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false);
        } else if (bits == 0) {
            mv.visitInsn(FCONST_0);
        } else {
            mv.visitLdcInsn(f);
        }
    }

    /** Pushes the f64 with raw bits {@code bits}, payload exact. */
    void pushF64Bits(long bits) {
        double d = Double.longBitsToDouble(bits);
        if (d != d) {
            push(bits);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false);
        } else if (bits == 0) {
            mv.visitInsn(DCONST_0);
        } else {
            mv.visitLdcInsn(d);
        }
    }

    /** Pushes the typed value whose register form is {@code bits}. */
    private void pushBits(ValType t, long bits) {
        switch (t) {
            case I32 -> push((int) bits);
            case I64, FUNCREF, EXTERNREF -> push(bits);
            case F32 -> pushF32Bits((int) bits);
            case F64 -> pushF64Bits(bits);
        }
    }

    void pushZero(ValType t) {
        switch (t) {
            case I32 -> mv.visitInsn(ICONST_0);
            case I64, FUNCREF, EXTERNREF -> mv.visitInsn(LCONST_0);
            case F32 -> mv.visitInsn(FCONST_0);
            case F64 -> mv.visitInsn(DCONST_0);
        }
    }

    /** Converts the typed value on the stack to its raw-bits {@code long} (see {@link ValType}). */
    void toBits(ValType t) {
        FunctionCompiler.toBits(mv, t);
    }

    /** Converts raw bits on the stack to the typed value. */
    void fromBits(ValType t) {
        FunctionCompiler.fromBits(mv, t);
    }

    /**
     * Pushes a pc. Pcs past a sipush are pushed as an offset from the method's first pc plus that
     * one constant, so a region of a huge function adds one constant-pool entry, not one per site.
     */
    void pushPc(int pc) {
        pushRelative(pc, basePc);
    }

    /** Pushes {@code value}, as {@code (value - base) + base} if it needs the constant pool. */
    private void pushRelative(int value, int base) {
        if (value <= Short.MAX_VALUE) {
            push(value);
        } else {
            push(value - base);
            push(base);
            mv.visitInsn(IADD);
        }
    }

    void invokeStatic(String owner, String name, String descriptor) {
        mv.visitMethodInsn(INVOKESTATIC, owner, name, descriptor, false);
    }

    /** Reloads the cached memory array and size (after calls and memory.grow, which may change them). */
    void reloadMemory() {
        if (mem >= 0) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKEVIRTUAL, CTX, "memoryBytes", "()[B", false);
            mv.visitVarInsn(ASTORE, mem);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKEVIRTUAL, CTX, "memorySize", "()I", false);
            mv.visitVarInsn(ISTORE, memSize);
        }
    }

    void storeFuel() {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ILOAD, fuel);
        mv.visitFieldInsn(PUTFIELD, CTX, "fuel", "I");
    }

    void reloadFuel() {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, CTX, "fuel", "I");
        mv.visitVarInsn(ISTORE, fuel);
    }

    // ---- control ----

    /** The label of instruction {@code i}, which must lie in this method. */
    Label labelOf(int i) {
        Label l = label[i - from];
        if (l == null) {
            l = new Label();
            label[i - from] = l;
        }
        return l;
    }

    /**
     * Where a jump to instruction {@code i} goes: its label if it is in this method, else a stub
     * that leaves the method with the code of that entry (region mode) or leader (entry mode),
     * one stub per target, so a method never has more stubs than the targets it leaves for.
     */
    Label branchTarget(int i) {
        if (i >= from && i < to) {
            return labelOf(i);
        }
        if (mode == Mode.REGION && plan.copies(regionIndex, i)) {
            return copyLabel(i);
        }
        return stubs.exitTo(i, mode == Mode.REGION ? plan.exitCode(regionIndex, i) : code.leaderIndex[i] << 1);
    }

    /** The branch target with pc {@code pc}. */
    Label branchTargetPc(int pc) {
        return branchTarget(code.indexOfPc(pc));
    }

    /**
     * In the regions of a plan that profiles ({@link RegionPlan#profiled}), counts a run of the
     * block of {@code leader} ({@link JitRuntime#count}), for {@link HotRegions}; else nothing.
     */
    private void count(int leader) {
        if (mode == Mode.REGION && plan.profiled()) {
            mv.visitVarInsn(ALOAD, 0);
            push(code.index);
            push(leader);
            invokeStatic(RUNTIME, "count", "(L" + CTX + ";II)V");
        }
    }

    /**
     * Charges the block of {@code leader}: one int subtraction and a sign test, its failure cold.
     *
     * <p>Metered code that exits (see {@link #exits}) also covers the checks of the blocks this
     * one alone leads to ({@link FunctionCode#coveredBy}): it tests that the window still holds
     * the dearest of them, and they only subtract. If the window is short, it exits with this
     * block charged and a window that is not negative, so {@link JitRuntime#resume} does not
     * refuel (nor poll) and continues in the entry method, where those blocks check themselves:
     * the fuel charged, the trap points and the polls stay exactly the interpreter's.
     */
    private void chargeFuel(int leader) {
        int cost = metered ? code.leaderCosts[leader] : code.pollCosts[leader];
        boolean prechecks = metered && exits;
        if (cost > 0) {
            if (cost <= -Short.MIN_VALUE) {
                mv.visitIincInsn(fuel, -cost);
            } else {
                mv.visitVarInsn(ILOAD, fuel);
                push(cost);
                mv.visitInsn(ISUB);
                mv.visitVarInsn(ISTORE, fuel);
            }
            int by = prechecks ? code.coveredBy[leader] : -1;
            // Covered only where the covering block's check ran: an entry method skips its own.
            boolean covered = by >= 0 && by != entryLeader && code.leaderInsns[by] >= from;
            int extra = prechecks ? code.precheck[leader] : 0;
            // A covered block's own charge cannot go negative, but it still checks for the blocks it covers.
            if (!exits) {
                refuelInPlace(leader);
            } else if (!covered || extra > 0) {
                mv.visitVarInsn(ILOAD, fuel);
                Label stub = stubs.refuelExit(leader);
                if (extra == 0) {
                    mv.visitJumpInsn(IFLT, stub);
                } else {
                    push(extra);
                    mv.visitJumpInsn(IF_ICMPLT, stub);
                }
            }
        }
        if (leader == entryLeader) {
            mv.visitLabel(entryResume); // an entry method starts here, its block charged
        }
    }

    /**
     * The fuel check of code that refuels in place (regions, and direct methods whose entry
     * methods would be too large): {@code fuel = JitRuntime.charged(ctx, fuel, function,
     * leader)}, whose sign test C2 inlines. The test is in that one shared helper, not at each
     * site, on purpose: C2 turns a branch its profile has never seen taken into an uncommon trap,
     * and a fuel window runs out at a different site every time, so per-site tests deoptimized a
     * region once per site (a Lua interpreter region was compiled by C2 five times in one run,
     * docs/performance.md). The helper's one profile sees a refuel within the first window of
     * the run, so C2 keeps every site's refuel as a cold call instead of a trap.
     *
     * <p>Direct methods that exit keep their per-site tests: refueling in place there too (tried
     * for issue 12 against zlib's three such deoptimizations) made the JIT's kernels 1.2-2.5x
     * slower (a call in the loop, and no covered checks), docs/performance.md.
     */
    private void refuelInPlace(int leader) {
        if (firstRefuelLeader < 0) {
            firstRefuelLeader = leader;
        }
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ILOAD, fuel);
        push(code.index);
        pushRelative(leader, firstRefuelLeader);
        suspendable(code.leaderPcs[leader], () -> invokeStatic(RUNTIME, "charged", "(L" + CTX + ";III)I"));
        mv.visitVarInsn(ISTORE, fuel);
    }

    /**
     * Emits {@code call}, an invocation of a helper that may throw a {@link
     * dev.cella.vm.TrapSignal}, so that the signal becomes the trap at {@code pc}.
     */
    void trapping(int pc, Runnable call) {
        guarded(pc, call, false);
    }

    /**
     * Emits {@code access}, a memory access whose array bounds check (the JVM's, or a byte-array
     * view's) throws {@link IndexOutOfBoundsException} exactly when the guest access is out of
     * bounds, so that the exception becomes the out-of-bounds trap at {@code pc}. Nothing is
     * written when the check fails.
     */
    void boundsChecked(int pc, Runnable access) {
        guarded(pc, access, true);
    }

    /** The stub a failed bounds check at {@code pc} jumps to (with an empty operand stack): the trap there. */
    Label boundsExit(int pc) {
        return stubs.boundsExit(pc, window.snapshot());
    }

    private void guarded(int pc, Runnable emit, boolean bounds) {
        stubs.guarded(pc, emit, bounds, window.snapshot());
    }

    /** Adds cold code to the stub area. */
    void stub(Runnable emit) {
        stubs.stub(emit);
    }

    /** Emits the fix-ups of a trap handler's pending unchecked stores (see {@link StoreCheckWindow}). */
    void fixStores(List<StoreCheckWindow.Pending> fixes) {
        window.emitFix(fixes);
    }

    /** Throws the trap of {@code kind} at {@code pc} (inline; used by unreachable). */
    void throwTrap(dev.cella.vm.TrapKind kind, int pc) {
        storeFuel();
        mv.visitVarInsn(ALOAD, 0);
        push(kind.ordinal());
        push(code.index);
        pushPc(pc);
        invokeStatic(RUNTIME, "trap", "(L" + CTX + ";III)Ldev/cella/vm/Trap;");
        mv.visitInsn(ATHROW);
    }

    /**
     * Throws the guest exception whose tag {@code pushTag} pushes (an int: throw's immediate or
     * rethrow's register) and whose payload is i64 registers {@code payload}, raised at {@code
     * pc}, with the fuel stored as before a trap: whoever catches it (a catching call's handler,
     * see {@link CallEmitter}, or the interpreter's) or ends the run with it reads the fuel from
     * there.
     */
    void throwException(Runnable pushTag, int[] payload, int pc) {
        storeFuel();
        push(payload.length);
        mv.visitIntInsn(NEWARRAY, T_LONG);
        for (int i = 0; i < payload.length; i++) {
            mv.visitInsn(DUP);
            push(i);
            load(payload[i]);
            mv.visitInsn(LASTORE);
        }
        mv.visitVarInsn(ALOAD, 0);
        pushTag.run();
        push(code.index);
        pushPc(pc);
        invokeStatic(RUNTIME, "raise", "([JL" + CTX + ";III)Ldev/cella/vm/GuestException;");
        mv.visitInsn(ATHROW);
    }

    /** Returns from the function with the values of registers {@code regs} as its results. */
    void emitReturn(int[] regs) {
        List<ValType> results = code.type.results();
        if (mode != Mode.DIRECT || results.size() > 1) {
            for (int i = 0; i < regs.length; i++) {
                mv.visitVarInsn(ALOAD, 0);
                mv.visitFieldInsn(GETFIELD, CTX, "results", "[J");
                push(i);
                loadWritten(regs[i]);
                toBits(results.get(i));
                mv.visitInsn(LASTORE);
            }
        }
        storeFuel();
        if (mode != Mode.DIRECT) {
            mv.visitInsn(ICONST_M1);
            mv.visitInsn(IRETURN);
        } else if (results.size() == 1) {
            loadWritten(regs[0]);
            mv.visitInsn(Signature.returnOpcode(results.get(0)));
        } else {
            mv.visitInsn(RETURN);
        }
    }

    /** Entry mode and on-stack replacement: stores the registers this method writes into the register file. */
    void storeWritten() {
        for (int r : written) {
            mv.visitVarInsn(ALOAD, regsArray);
            push(r);
            load(r);
            toBits(code.registerType(r));
            mv.visitInsn(LASTORE);
        }
    }

    /**
     * Emits {@code call}, a guest call or an in-place refuel, so that a {@link JitSuspend} passing
     * through it gets this frame, at byte pc {@code pc}, added (see the class comment).
     */
    void suspendable(int pc, Runnable call) {
        stubs.suspendable(pc, call);
    }
}
