package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits the JVM bytecode of a range of a guest function's instructions into one method: either
 * the whole function ({@linkplain Mode#DIRECT direct}: parameters are the method's parameters) or
 * one region of a function too large for one method ({@linkplain Mode#REGION region}: registers
 * arrive in and leave through a {@code long[]}, see {@link RegionPlan}).
 *
 * <p>Naming: {@code local[r]} is the JVM local slot of guest register {@code r}; {@code fuel} the
 * slot of the fuel window (see {@link JitContext}); {@code mem} the cached memory array; {@code
 * tmp} an int scratch slot. Every local is assigned in the prologue, so the locals agree at
 * every branch target and the stack map frames stay compact.
 *
 * <p>Cold code (fuel refills, trap handlers, region exits, segment hops) goes to a stub area
 * after the body, reached from the hot path by one conditional jump or an exception-table entry.
 * Invariant: whenever emitted code can trap or call out, the fuel window is in {@link
 * JitContext#fuel}; the stubs store it before they throw.
 */
final class MethodEmitter {
    enum Mode { DIRECT, REGION }

    static final String CTX = "dev/cella/jit/JitContext";
    static final String RUNTIME = "dev/cella/jit/JitRuntime";
    static final String NUMERICS = "dev/cella/vm/Numerics";
    static final String MEMORY = "dev/cella/vm/Memory";
    static final String SIGNAL = "dev/cella/vm/TrapSignal";

    final JitEngine engine;
    final FunctionCode code;
    final MethodVisitor mv;
    /** Internal name of the class being generated, for calls within it. */
    final String owner;
    final Mode mode;
    /** First instruction index emitted, and one past the last. */
    final int from;
    final int to;
    /** Region plan (region mode), else null. */
    final RegionPlan plan;
    final int regionIndex;

    final int[] local;
    final int fuel;
    final int mem;
    final int tmp;
    /** Region mode: the slot of the {@code long[]} register file. */
    final int regsArray;
    /** Pc of the first instruction emitted: large pcs are pushed relative to it (see {@link #pushPc}). */
    private final int basePc;

    private final Label[] label;
    /** Resume point after each fuel check, indexed by leader index minus {@link #firstLeader}. */
    private final Label[] resume;
    private final int firstLeader;
    private final List<int[]> refuelSites = new ArrayList<>();
    private final List<Label> refuelStubs = new ArrayList<>();
    private final List<Label> signalHandlers = new ArrayList<>();
    private final List<Integer> signalPcs = new ArrayList<>();
    private final List<Label> exitLabels = new ArrayList<>();
    private final List<Integer> exitCodes = new ArrayList<>();
    private final List<Runnable> stubs = new ArrayList<>();
    /** Bytecode offsets at the start of each instruction, recorded for size measurement. */
    private final Label[] measure;
    private Label end;

    MethodEmitter(JitEngine engine, FunctionCode code, MethodVisitor mv, String owner, Mode mode, int from, int to,
            RegionPlan plan, int regionIndex, boolean measureSizes) {
        this.engine = engine;
        this.code = code;
        this.mv = mv;
        this.owner = owner;
        this.mode = mode;
        this.from = from;
        this.to = to;
        this.plan = plan;
        this.regionIndex = regionIndex;
        // Labels only for this method's range: a region of a huge function must not allocate
        // per-instruction tables of the whole function.
        this.label = new Label[to - from];
        int firstLeader = 0;
        while (firstLeader < code.leaderPcs.length && code.leaderPcs[firstLeader] < code.insns[from].pc()) {
            firstLeader++;
        }
        this.firstLeader = firstLeader;
        this.resume = new Label[Math.max(0, countLeaders(code, from, to))];
        this.measure = measureSizes ? new Label[to - from + 1] : null;
        this.local = new int[code.registers().size()];
        java.util.Arrays.fill(local, -1);
        int next;
        if (mode == Mode.DIRECT) {
            Signature sig = engine.signature(code.index);
            next = 1;
            if (sig.packed) {
                next = 2; // slot 1 holds the packed argument array
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
        } else {
            regsArray = 1;
            next = 3; // 0 context, 1 register file, 2 entry index
            for (int r : plan.usedRegisters(regionIndex)) {
                local[r] = next;
                next += Signature.slots(code.registerType(r));
            }
        }
        this.fuel = next;
        next += 2;
        this.mem = code.usesMemory() ? next++ : -1;
        this.tmp = next;
        this.basePc = code.insns[from].pc();
    }

    // ---- whole method ----

    /** Emits the method body: prologue, instructions, stub area. The caller frames it with visitCode/visitMaxs. */
    void emitBody() {
        if (mode == Mode.DIRECT) {
            directPrologue();
        } else {
            regionPrologue();
        }
        for (int i = from; i < to; i++) {
            if (measure != null) {
                measure[i - from] = new Label();
                mv.visitLabel(measure[i - from]);
            }
            Instruction in = code.insns[i];
            if (code.leader[i] || label[i - from] != null) {
                mv.visitLabel(labelOf(i));
            }
            if (code.leader[i]) {
                chargeFuel(code.leaderIndex[i]);
            }
            InstructionEmitter.emit(this, in);
        }
        if (measure != null) {
            measure[to - from] = new Label();
            mv.visitLabel(measure[to - from]);
        }
        Instruction last = code.insns[to - 1];
        if (!last.opcode().isTerminator()) {
            // Only a region can end on a non-terminator: control continues in the next region.
            mv.visitJumpInsn(GOTO, branchTarget(to));
        }
        emitStubs();
        end = new Label();
        mv.visitLabel(end);
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
        FunctionCompiler.frameEntry(mv, code.registers().size(), +1);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
        mv.visitVarInsn(LSTORE, fuel);
        Signature sig = engine.signature(code.index);
        if (sig.packed) {
            for (int p = 0; p < code.paramCount(); p++) {
                mv.visitVarInsn(ALOAD, 1);
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

    private void regionPrologue() {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
        mv.visitVarInsn(LSTORE, fuel);
        for (int r : plan.usedRegisters(regionIndex)) {
            mv.visitVarInsn(ALOAD, regsArray);
            push(r);
            mv.visitInsn(LALOAD);
            fromBits(code.registerType(r));
            store(r);
        }
        commonPrologue();
        int[] entries = plan.entries(regionIndex);
        Label[] targets = new Label[entries.length];
        for (int e = 0; e < entries.length; e++) {
            targets[e] = labelOf(entries[e]);
        }
        mv.visitVarInsn(ILOAD, 2);
        mv.visitTableSwitchInsn(0, entries.length - 1, targets[0], targets);
    }

    private void commonPrologue() {
        if (mem >= 0) {
            reloadMemory();
        }
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, tmp);
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

    void push(int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
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

    void pushZero(ValType t) {
        switch (t) {
            case I32 -> mv.visitInsn(ICONST_0);
            case I64 -> mv.visitInsn(LCONST_0);
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

    /** Reloads the cached memory array (after calls and memory.grow, which may replace it). */
    void reloadMemory() {
        if (mem >= 0) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKEVIRTUAL, CTX, "memoryBytes", "()[B", false);
            mv.visitVarInsn(ASTORE, mem);
        }
    }

    void storeFuel() {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(LLOAD, fuel);
        mv.visitFieldInsn(PUTFIELD, CTX, "fuel", "J");
    }

    void reloadFuel() {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
        mv.visitVarInsn(LSTORE, fuel);
    }

    // ---- control ----

    /** The label of instruction {@code i}, which must lie in this method. */
    private Label labelOf(int i) {
        Label l = label[i - from];
        if (l == null) {
            l = new Label();
            label[i - from] = l;
        }
        return l;
    }

    private static int countLeaders(FunctionCode code, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (code.leader[i]) {
                n++;
            }
        }
        return n;
    }

    /**
     * Where a jump to instruction {@code i} goes: its label if it is in this method, else (region
     * mode) a stub that leaves the region with the code of that entry.
     */
    Label branchTarget(int i) {
        if (i >= from && i < to) {
            return labelOf(i);
        }
        Label exit = new Label();
        exitLabels.add(exit);
        exitCodes.add(plan.exitCode(i));
        return exit;
    }

    /** The branch target with pc {@code pc}. */
    Label branchTargetPc(int pc) {
        return branchTarget(code.indexOfPc(pc));
    }

    private void chargeFuel(int leader) {
        int cost = code.leaderCosts[leader];
        mv.visitVarInsn(LLOAD, fuel);
        push((long) cost);
        mv.visitInsn(LSUB);
        mv.visitInsn(DUP2);
        mv.visitVarInsn(LSTORE, fuel);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        Label stub = new Label();
        mv.visitJumpInsn(IFLT, stub);
        Label back = new Label();
        mv.visitLabel(back);
        resume[leader - firstLeader] = back;
        refuelSites.add(new int[] {leader});
        refuelStubs.add(stub);
    }

    /**
     * Emits {@code call}, an invocation of a helper that may throw a {@link
     * dev.cella.vm.TrapSignal}, so that the signal becomes the trap at {@code pc}.
     */
    void trapping(int pc, Runnable call) {
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, SIGNAL);
        mv.visitLabel(start);
        call.run();
        mv.visitLabel(end);
        signalHandlers.add(handler);
        signalPcs.add(pc);
    }

    /** Adds cold code to the stub area. */
    void stub(Runnable emit) {
        stubs.add(emit);
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

    /** Returns from the function with the values of registers {@code regs} as its results. */
    void emitReturn(int[] regs) {
        List<ValType> results = code.type.results();
        if (mode == Mode.REGION || results.size() > 1) {
            for (int i = 0; i < regs.length; i++) {
                mv.visitVarInsn(ALOAD, 0);
                mv.visitFieldInsn(GETFIELD, CTX, "results", "[J");
                push(i);
                load(regs[i]);
                toBits(results.get(i));
                mv.visitInsn(LASTORE);
            }
        }
        storeFuel();
        if (mode == Mode.REGION) {
            mv.visitInsn(ICONST_M1);
            mv.visitInsn(IRETURN);
            return;
        }
        FunctionCompiler.frameEntry(mv, code.registers().size(), -1);
        if (results.size() == 1) {
            load(regs[0]);
            mv.visitInsn(Signature.returnOpcode(results.get(0)));
        } else {
            mv.visitInsn(RETURN);
        }
    }

    // ---- stub area ----

    private void emitStubs() {
        Label signal = new Label();
        Label exit = new Label();
        // Each fuel site has its own stub that jumps straight back: one shared stub dispatching
        // back through a switch would enter every loop from outside, and C2 gives up on
        // optimizing such irreducible loops.
        for (int s = 0; s < refuelStubs.size(); s++) {
            int leader = refuelSites.get(s)[0];
            mv.visitLabel(refuelStubs.get(s));
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(LLOAD, fuel);
            push(code.index);
            pushRelative(leader, refuelSites.get(0)[0]);
            invokeStatic(RUNTIME, "refuel", "(L" + CTX + ";JII)J");
            mv.visitVarInsn(LSTORE, fuel);
            mv.visitJumpInsn(GOTO, resume[leader - firstLeader]);
        }
        for (int s = 0; s < signalHandlers.size(); s++) {
            mv.visitLabel(signalHandlers.get(s));
            push(signalPcs.get(s) - basePc);
            mv.visitJumpInsn(GOTO, signal);
        }
        for (int s = 0; s < exitLabels.size(); s++) {
            mv.visitLabel(exitLabels.get(s));
            push(exitCodes.get(s));
            mv.visitJumpInsn(GOTO, exit);
        }
        for (int s = 0; s < stubs.size(); s++) {
            stubs.get(s).run();
        }
        if (!signalHandlers.isEmpty()) {
            mv.visitLabel(signal);
            if (basePc != 0) {
                push(basePc);
                mv.visitInsn(IADD);
            }
            storeFuel();
            mv.visitVarInsn(ALOAD, 0);
            push(code.index);
            invokeStatic(RUNTIME, "signal", "(L" + SIGNAL + ";IL" + CTX + ";I)Ldev/cella/vm/Trap;");
            mv.visitInsn(ATHROW);
        }
        if (!exitLabels.isEmpty()) {
            mv.visitLabel(exit);
            mv.visitVarInsn(ISTORE, tmp);
            for (int r : plan.writtenRegisters(regionIndex)) {
                mv.visitVarInsn(ALOAD, regsArray);
                push(r);
                load(r);
                toBits(code.registerType(r));
                mv.visitInsn(LASTORE);
            }
            storeFuel();
            mv.visitVarInsn(ILOAD, tmp);
            mv.visitInsn(IRETURN);
        }
    }
}
