package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.ValType;
import dev.cella.jit.MethodEmitter.Mode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The cold code of one method {@link MethodEmitter} emits, placed after its body: fuel exits,
 * trap handlers, exits to code outside the method, suspension handlers and the way out with the
 * registers saved. The hot path reaches each piece by one conditional jump or an exception-table
 * entry, so none of it costs anything until it runs (see the class comment of {@link
 * MethodEmitter} for the invariants on the fuel window and the registers).
 *
 * <p>The body registers what it needs while it is emitted ({@link #refuelExit}, {@link #guarded},
 * {@link #suspendable}, {@link #exitTo}, {@link #stub}); {@link #emit} lays it all out once the
 * body is done. Each site has its own label, and the sites of one kind share the tail that
 * throws or leaves: one tail per method, not per site, keeps the stub area small.
 */
final class StubArea {
    private final MethodEmitter e;
    private final MethodVisitor mv;
    /** Fuel checks that leave the method when the window is short, with the leader each charged. */
    private final List<Integer> refuelLeaders = new ArrayList<>();
    private final List<Label> refuelStubs = new ArrayList<>();
    /** Trap handlers: the pc each traps at, whether it catches a bounds check, and its fix-ups. */
    private final List<Label> handlers = new ArrayList<>();
    private final List<Integer> handlerPcs = new ArrayList<>();
    private final List<Boolean> handlerBounds = new ArrayList<>();
    /** Whether a handler is entered with a caught exception on the stack (else by a jump, {@link #boundsExit}). */
    private final List<Boolean> handlerCaught = new ArrayList<>();
    /** The unchecked stores each handler fixes up before trapping (null: none). */
    private final List<List<StoreCheckWindow.Pending>> handlerFixes = new ArrayList<>();
    private final List<Label> suspendHandlers = new ArrayList<>();
    private final List<Integer> suspendPcs = new ArrayList<>();
    private final List<Label> exitLabels = new ArrayList<>();
    private final List<Integer> exitCodes = new ArrayList<>();
    /** The exit stub of each instruction outside the method that a branch leaves for, by instruction index. */
    private final Map<Integer, Label> exitTo = new HashMap<>();
    private final List<Runnable> stubs = new ArrayList<>();

    StubArea(MethodEmitter e) {
        this.e = e;
        this.mv = e.mv;
    }

    /** The stub a failed fuel check of {@code leader} jumps to: it leaves with that block charged. */
    Label refuelExit(int leader) {
        Label stub = new Label();
        refuelLeaders.add(leader);
        refuelStubs.add(stub);
        return stub;
    }

    /** The stub that leaves the method for instruction {@code insn} with code {@code code}, one per target. */
    Label exitTo(int insn, int code) {
        return exitTo.computeIfAbsent(insn, k -> {
            Label exit = new Label();
            exitLabels.add(exit);
            exitCodes.add(code);
            return exit;
        });
    }

    /** Adds cold code of the caller's own. */
    void stub(Runnable emit) {
        stubs.add(emit);
    }

    /** See {@link MethodEmitter#trapping} and {@link MethodEmitter#boundsChecked}. */
    void guarded(int pc, Runnable emit, boolean bounds, List<StoreCheckWindow.Pending> fixes) {
        Label start = new Label();
        Label stop = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, stop, handler, bounds ? MethodEmitter.BOUNDS : MethodEmitter.SIGNAL);
        mv.visitLabel(start);
        emit.run();
        mv.visitLabel(stop);
        handlers.add(handler);
        handlerPcs.add(pc);
        handlerBounds.add(bounds);
        handlerCaught.add(true);
        handlerFixes.add(fixes);
    }

    /**
     * The stub a failed bounds check at {@code pc} jumps to, with an empty operand stack: the
     * out-of-bounds trap there, after fixing {@code fixes} up, as a {@link #guarded} bounds
     * handler does.
     */
    Label boundsExit(int pc, List<StoreCheckWindow.Pending> fixes) {
        Label stub = new Label();
        handlers.add(stub);
        handlerPcs.add(pc);
        handlerBounds.add(true);
        handlerCaught.add(false);
        handlerFixes.add(fixes);
        return stub;
    }

    /** See {@link MethodEmitter#suspendable}. */
    void suspendable(int pc, Runnable call) {
        Label start = new Label();
        Label stop = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, stop, handler, MethodEmitter.SUSPEND);
        mv.visitLabel(start);
        call.run();
        mv.visitLabel(stop);
        suspendHandlers.add(handler);
        suspendPcs.add(pc);
    }

    /** Emits the stub area; {@code basePc} is the method's first pc, which trap pcs are pushed relative to. */
    void emit(int basePc) {
        Label signal = new Label();
        Label exit = new Label();
        // Each fuel site has its own stub: an exit with its leader's code, or a refuel call that
        // jumps straight back (one shared stub dispatching back through a switch would enter
        // every loop from outside, and C2 gives up on optimizing such irreducible loops).
        for (int s = 0; s < refuelStubs.size(); s++) {
            int leader = refuelLeaders.get(s);
            mv.visitLabel(refuelStubs.get(s));
            e.push(leader << 1 | 1);
            mv.visitJumpInsn(GOTO, exit);
        }
        for (int s = 0; s < handlers.size(); s++) {
            mv.visitLabel(handlers.get(s));
            if (handlerBounds.get(s)) {
                if (handlerCaught.get(s)) {
                    mv.visitInsn(POP);
                }
                mv.visitFieldInsn(GETSTATIC, MethodEmitter.SIGNAL, "OUT_OF_BOUNDS", "L" + MethodEmitter.SIGNAL + ";");
            }
            if (handlerFixes.get(s) != null) {
                e.fixStores(handlerFixes.get(s));
            }
            e.push(handlerPcs.get(s) - basePc);
            mv.visitJumpInsn(GOTO, signal);
        }
        for (int s = 0; s < exitLabels.size(); s++) {
            mv.visitLabel(exitLabels.get(s));
            e.push(exitCodes.get(s));
            mv.visitJumpInsn(GOTO, exit);
        }
        for (int s = 0; s < stubs.size(); s++) {
            stubs.get(s).run();
        }
        Label leave = new Label();
        Label suspend = new Label();
        Label regionLeave = new Label();
        for (int s = 0; s < suspendHandlers.size(); s++) {
            mv.visitLabel(suspendHandlers.get(s));
            e.pushPc(suspendPcs.get(s));
            mv.visitJumpInsn(GOTO, suspend);
        }
        if (!suspendHandlers.isEmpty()) {
            // Stack: the suspension, the pc.
            mv.visitLabel(suspend);
            mv.visitVarInsn(ISTORE, e.tmp);
            if (e.mode == Mode.DIRECT) {
                mv.visitJumpInsn(GOTO, leave);
            } else if (e.mode == Mode.REGION) {
                mv.visitVarInsn(ASTORE, e.suspension);
                mv.visitJumpInsn(GOTO, regionLeave);
            } else {
                e.storeWritten();
                mv.visitVarInsn(ALOAD, 0);
                e.push(e.code.index);
                mv.visitVarInsn(ALOAD, e.regsArray);
                mv.visitVarInsn(ILOAD, e.tmp);
                e.invokeStatic(MethodEmitter.RUNTIME, "suspendFrame", "(L" + MethodEmitter.SUSPEND + ";L"
                        + MethodEmitter.CTX + ";I[JI)L" + MethodEmitter.SUSPEND + ";");
                mv.visitInsn(ATHROW);
            }
        }
        if (!handlers.isEmpty()) {
            mv.visitLabel(signal);
            if (basePc != 0) {
                e.push(basePc);
                mv.visitInsn(IADD);
            }
            e.storeFuel();
            mv.visitVarInsn(ALOAD, 0);
            e.push(e.code.index);
            e.invokeStatic(MethodEmitter.RUNTIME, "signal", "(L" + MethodEmitter.SIGNAL + ";IL" + MethodEmitter.CTX
                    + ";I)Ldev/cella/vm/Trap;");
            mv.visitInsn(ATHROW);
        }
        boolean exited = !exitLabels.isEmpty() || !refuelStubs.isEmpty();
        if (exited) {
            mv.visitLabel(exit);
            mv.visitVarInsn(ISTORE, e.tmp);
            e.storeFuel();
            if (e.mode == Mode.DIRECT) {
                mv.visitInsn(ACONST_NULL);
                mv.visitJumpInsn(GOTO, leave);
            } else if (e.mode == Mode.REGION) {
                mv.visitJumpInsn(GOTO, regionLeave);
            } else {
                e.storeWritten();
                mv.visitVarInsn(ILOAD, e.tmp);
                mv.visitInsn(IRETURN);
            }
        }
        if (e.mode == Mode.DIRECT && (exited || !suspendHandlers.isEmpty())) {
            mv.visitLabel(leave);
            leaveWithRegisters();
        }
        if (e.mode == Mode.REGION && (exited || !suspendHandlers.isEmpty())) {
            mv.visitLabel(regionLeave);
            RegionEdges.leave(e);
        }
    }

    /**
     * The direct method's way out with its registers saved (stack: a suspension passing through,
     * or null when the window ran out; code or pc in {@code tmp}): saves every register and calls
     * {@link JitRuntime#leave}, which adds the frame and rethrows, or finishes the function in
     * {@link JitRuntime#resume}; then returns the function's results.
     */
    private void leaveWithRegisters() {
        mv.visitVarInsn(ALOAD, 0);
        e.push(e.code.index);
        e.push(e.local.length);
        mv.visitIntInsn(NEWARRAY, T_LONG);
        for (int r = 0; r < e.local.length; r++) {
            mv.visitInsn(DUP);
            e.push(r);
            e.load(r);
            e.toBits(e.code.registerType(r));
            mv.visitInsn(LASTORE);
        }
        mv.visitVarInsn(LLOAD, e.frame);
        mv.visitVarInsn(ILOAD, e.tmp);
        e.invokeStatic(MethodEmitter.RUNTIME, "leave", "(L" + MethodEmitter.SUSPEND + ";L" + MethodEmitter.CTX
                + ";I[JJI)V");
        List<ValType> results = e.code.type.results();
        if (results.size() == 1) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "results", "[J");
            mv.visitInsn(ICONST_0);
            mv.visitInsn(LALOAD);
            e.fromBits(results.get(0));
            mv.visitInsn(Signature.returnOpcode(results.get(0)));
        } else {
            mv.visitInsn(RETURN);
        }
    }
}
