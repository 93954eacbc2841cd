package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import dev.cella.vm.StateValidator;
import java.util.List;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;

/**
 * call and call_indirect. A direct call to the function being compiled is an invokestatic of its
 * own method; any other direct call is an invokedynamic whose call site {@link JitLinker} binds,
 * on first execution, to the target's compiled method in the same variant (compiling it then if
 * needed) or to its host adapter; once linked it is a constant call site that C2 inlines through.
 * call_indirect asks {@link JitRuntime#indirect} for the element's method handle, which checks
 * bounds, null, signature and depth, and calls it with {@code invokeExact}: no reflection.
 *
 * <p>The fuel window goes to the callee as an argument and comes back in the context, from which
 * it is reloaded after the call (stored before only where the resolution itself may trap), and
 * the memory array is reloaded after, since the callee may have grown memory. Before a guest call
 * the callee's frame word is computed from the caller's and checked with one mask test (see
 * {@link JitContext}); a failed check goes to a stub that traps at this pc or makes the call
 * through a stack-segment hop. Every guest call is {@linkplain MethodEmitter#suspendable
 * suspendable}: a suspension passing through it adds the caller's frame at the call's pc.
 *
 * <p>call_catch and call_indirect_catch are these calls with an exception-table entry for {@link
 * dev.cella.vm.GuestException} around the invocation (both the fast path and the hop), whose
 * handler, in the stub area, does what the interpreter's landing does ({@code Machine.land}):
 * writes the tag and payload into the exn list (zero past the payload), reloads the fuel window
 * (the thrower stored it in the context, as every way out of a guest call does) and the memory,
 * and jumps to the landing pad, whose block then charges itself as any block does. Unwinding
 * charges nothing and polls nothing in either engine, so fuel and safe points stay the
 * interpreter's; a suspension is a {@link JitSuspend}, which the handler does not catch.
 */
final class CallEmitter {
    private static final String BSM_DESC = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
            + "Ljava/lang/invoke/MethodType;II)Ljava/lang/invoke/CallSite;";
    static final Handle LINK_CALL = new Handle(H_INVOKESTATIC, "dev/cella/jit/JitLinker", "linkCall", BSM_DESC, false);
    static final Handle LINK_HOP = new Handle(H_INVOKESTATIC, "dev/cella/jit/JitLinker", "linkHop", BSM_DESC, false);
    private static final String GUEST_EXCEPTION = "dev/cella/vm/GuestException";

    private CallEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case CALL -> call(e, in, null);
            case CALL_INDIRECT -> callIndirect(e, in, null);
            case CALL_CATCH -> call(e, in, new Landing(e, in));
            case CALL_INDIRECT_CATCH -> callIndirect(e, in, new Landing(e, in));
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a call");
        }
    }

    /**
     * The landing of a catching call (see the class comment): its handler label, the exn list
     * and the pad's label, which is taken while the body is emitted (a pad outside this method
     * is an exit, which the stub area must know of before it is emitted).
     */
    private static final class Landing {
        final Label handler = new Label();
        final int[] exn;
        final Label pad;

        Landing(MethodEmitter e, Instruction in) {
            this.exn = in.list(1);
            this.pad = e.branchTargetPc(in.intOperand(0));
        }

        /** Emits {@code call} covered by this landing's handler (none if {@code landing} is null). */
        static void cover(MethodEmitter e, Landing landing, Runnable call) {
            if (landing == null) {
                call.run();
                return;
            }
            Label start = new Label();
            Label stop = new Label();
            e.mv.visitTryCatchBlock(start, stop, landing.handler, GUEST_EXCEPTION);
            e.mv.visitLabel(start);
            call.run();
            e.mv.visitLabel(stop);
        }

        /** Adds the handler to the stub area, after every stub whose code it covers. */
        void emitHandler(MethodEmitter e) {
            e.stub(() -> {
                e.mv.visitLabel(handler); // stack: the exception
                for (int j = 1; j < exn.length; j++) {
                    e.mv.visitInsn(DUP);
                    e.push(j - 1);
                    e.mv.visitMethodInsn(INVOKEVIRTUAL, GUEST_EXCEPTION, "payload", "(I)J", false);
                    e.store(exn[j]);
                }
                e.mv.visitMethodInsn(INVOKEVIRTUAL, GUEST_EXCEPTION, "tag", "()I", false);
                e.store(exn[0]);
                e.reloadFuel();
                e.reloadMemory();
                e.mv.visitJumpInsn(GOTO, pad);
            });
        }
    }

    private static void call(MethodEmitter e, Instruction in, Landing landing) {
        int base = landing == null ? 0 : 2;
        int target = in.intOperand(base);
        int[] args = in.list(base + 1);
        int[] results = in.list(base + 2);
        Signature sig = e.engine.signature(target);
        if (e.engine.module().isImport(target)) {
            pushArguments(e, sig, args, e.frame);
            Landing.cover(e, landing, () -> invoke(e, sig, target));
        } else {
            int calleeRegisters = e.engine.module().function(target).registers().size();
            Label deep = new Label();
            Label after = new Label();
            // Bits 63 and 31 of the callee's word, folded into the sign of one int (an LCMP
            // result would be kept alive across calls for C2's deoptimization state).
            e.mv.visitVarInsn(LLOAD, e.frame);
            e.push((1L << 32) + StateValidator.stackUnits(calleeRegisters));
            e.mv.visitInsn(LSUB);
            e.mv.visitInsn(DUP2);
            e.mv.visitVarInsn(LSTORE, e.calleeFrame);
            e.push(32);
            e.mv.visitInsn(LUSHR);
            e.mv.visitInsn(L2I);
            e.mv.visitVarInsn(LLOAD, e.calleeFrame);
            e.mv.visitInsn(L2I);
            e.mv.visitInsn(IOR);
            e.mv.visitJumpInsn(IFLT, deep);
            pushArguments(e, sig, args, e.calleeFrame);
            Landing.cover(e, landing, () -> e.suspendable(in.pc(), () -> invoke(e, sig, target)));
            e.mv.visitLabel(after);
            e.stub(() -> {
                e.mv.visitLabel(deep);
                e.storeFuel();
                e.mv.visitVarInsn(ALOAD, 0);
                e.mv.visitVarInsn(ALOAD, 0);
                e.mv.visitVarInsn(LLOAD, e.frame);
                e.push(calleeRegisters);
                e.push(e.code.index);
                e.pushPc(in.pc());
                e.invokeStatic(MethodEmitter.RUNTIME, "deepCall", "(L" + MethodEmitter.CTX + ";JIII)J");
                e.mv.visitVarInsn(ILOAD, e.fuel);
                pushValues(e, sig, args);
                Landing.cover(e, landing, () -> e.suspendable(in.pc(),
                        () -> e.mv.visitInvokeDynamicInsn("hop", sig.descriptor, LINK_HOP, target, variant(e))));
                e.mv.visitJumpInsn(GOTO, after);
            });
        }
        storeResults(e, sig, results);
        e.reloadFuel();
        e.reloadMemory();
        if (landing != null) {
            landing.emitHandler(e);
        }
    }

    private static int variant(MethodEmitter e) {
        return e.metered ? 1 : 0;
    }

    /** Invokes {@code target} with its arguments on the stack: directly if it is this class's own function. */
    private static void invoke(MethodEmitter e, Signature sig, int target) {
        if (target == e.code.index && e.ownsFunction()) {
            e.mv.visitMethodInsn(INVOKESTATIC, e.owner, FunctionCompiler.methodName(target), sig.descriptor, false);
        } else {
            e.mv.visitInvokeDynamicInsn("call", sig.descriptor, LINK_CALL, target, variant(e));
        }
    }

    private static void callIndirect(MethodEmitter e, Instruction in, Landing landing) {
        int base = landing == null ? 0 : 2;
        int type = in.intOperand(base);
        int table = in.intOperand(base + 1);
        int element = in.intOperand(base + 2);
        int[] args = in.list(base + 3);
        int[] results = in.list(base + 4);
        Signature sig = e.engine.typeSignature(type);
        e.storeFuel();
        e.mv.visitVarInsn(ALOAD, 0);
        e.push(table);
        e.load(element);
        e.push(type);
        e.push(e.code.index);
        e.pushPc(in.pc());
        e.mv.visitVarInsn(LLOAD, e.frame);
        e.invokeStatic(MethodEmitter.RUNTIME, "indirect",
                "(L" + MethodEmitter.CTX + ";IIIIIJ)Ljava/lang/invoke/MethodHandle;");
        e.mv.visitVarInsn(ALOAD, 0);
        e.mv.visitVarInsn(ALOAD, 0);
        e.mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "calleeFrame", "J");
        e.mv.visitVarInsn(ILOAD, e.fuel);
        pushValues(e, sig, args);
        Landing.cover(e, landing, () -> e.suspendable(in.pc(), () -> e.mv.visitMethodInsn(INVOKEVIRTUAL,
                "java/lang/invoke/MethodHandle", "invokeExact", sig.descriptor, false)));
        storeResults(e, sig, results);
        e.reloadFuel();
        e.reloadMemory();
        if (landing != null) {
            landing.emitHandler(e);
        }
    }

    /** Pushes the context, the frame word in slot {@code frameSlot}, the fuel window and the arguments. */
    private static void pushArguments(MethodEmitter e, Signature sig, int[] args, int frameSlot) {
        e.mv.visitVarInsn(ALOAD, 0);
        e.mv.visitVarInsn(LLOAD, frameSlot);
        e.mv.visitVarInsn(ILOAD, e.fuel);
        pushValues(e, sig, args);
    }

    /** Pushes the arguments in the callee's convention (typed or packed). */
    static void pushValues(MethodEmitter e, Signature sig, int[] args) {
        if (!sig.packed) {
            for (int r : args) {
                e.load(r);
            }
            return;
        }
        e.push(args.length);
        e.mv.visitIntInsn(NEWARRAY, T_LONG);
        for (int i = 0; i < args.length; i++) {
            e.mv.visitInsn(DUP);
            e.push(i);
            e.load(args[i]);
            e.toBits(e.type(args[i]));
            e.mv.visitInsn(LASTORE);
        }
    }

    /** Stores the callee's results: the typed return value, or the raw bits it left in the context. */
    static void storeResults(MethodEmitter e, Signature sig, int[] results) {
        if (sig.typedResult()) {
            e.store(results[0]);
            return;
        }
        List<ValType> types = sig.results();
        for (int i = 0; i < results.length; i++) {
            e.mv.visitVarInsn(ALOAD, 0);
            e.mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "results", "[J");
            e.push(i);
            e.mv.visitInsn(LALOAD);
            e.fromBits(types.get(i));
            e.store(results[i]);
        }
    }
}
