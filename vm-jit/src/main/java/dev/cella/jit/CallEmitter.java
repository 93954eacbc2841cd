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
 */
final class CallEmitter {
    private static final String BSM_DESC = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
            + "Ljava/lang/invoke/MethodType;II)Ljava/lang/invoke/CallSite;";
    static final Handle LINK_CALL = new Handle(H_INVOKESTATIC, "dev/cella/jit/JitLinker", "linkCall", BSM_DESC, false);
    static final Handle LINK_HOP = new Handle(H_INVOKESTATIC, "dev/cella/jit/JitLinker", "linkHop", BSM_DESC, false);

    private CallEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case CALL -> call(e, in);
            case CALL_INDIRECT -> callIndirect(e, in);
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a call");
        }
    }

    private static void call(MethodEmitter e, Instruction in) {
        int target = in.intOperand(0);
        int[] args = in.list(1);
        int[] results = in.list(2);
        Signature sig = e.engine.signature(target);
        if (e.engine.module().isImport(target)) {
            pushArguments(e, sig, args, e.frame);
            invoke(e, sig, target);
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
            e.suspendable(in.pc(), () -> invoke(e, sig, target));
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
                e.suspendable(in.pc(),
                        () -> e.mv.visitInvokeDynamicInsn("hop", sig.descriptor, LINK_HOP, target, variant(e)));
                e.mv.visitJumpInsn(GOTO, after);
            });
        }
        storeResults(e, sig, results);
        e.reloadFuel();
        e.reloadMemory();
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

    private static void callIndirect(MethodEmitter e, Instruction in) {
        int type = in.intOperand(0);
        int table = in.intOperand(1);
        int element = in.intOperand(2);
        int[] args = in.list(3);
        int[] results = in.list(4);
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
        e.suspendable(in.pc(), () -> e.mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/invoke/MethodHandle",
                "invokeExact", sig.descriptor, false));
        storeResults(e, sig, results);
        e.reloadFuel();
        e.reloadMemory();
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
