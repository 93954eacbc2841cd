package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import java.util.List;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;

/**
 * call and call_indirect. A direct call to the function being compiled is an invokestatic of its
 * own method; any other direct call is an invokedynamic whose call site {@link JitLinker} binds,
 * on first execution, to the target's compiled method (compiling it then if needed) or to its host
 * adapter; once linked it is a constant call site that C2 inlines through. call_indirect asks
 * {@link JitRuntime#indirect} for the element's method handle, which checks bounds, null,
 * signature and depth, and calls it with {@code invokeExact}: no reflection.
 *
 * <p>Around every call the fuel window is stored before and reloaded after, and the memory array
 * is reloaded after, since the callee may have charged fuel or grown memory. The depth check
 * before a guest call jumps to a stub when {@code depth >= depthLimit}: the stub traps at this pc
 * or, below the instance's maximum, makes the call through a stack-segment hop.
 */
final class CallEmitter {
    private static final String BSM_DESC = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
            + "Ljava/lang/invoke/MethodType;I)Ljava/lang/invoke/CallSite;";
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
        boolean guest = !e.engine.module().isImport(target);
        e.storeFuel();
        Label after = new Label();
        if (guest) {
            Label deep = new Label();
            depth(e);
            e.mv.visitVarInsn(ALOAD, 0);
            e.mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "depthLimit", "I");
            e.mv.visitJumpInsn(IF_ICMPGE, deep);
            // regTop + calleeRegisters > MAX_REGISTERS, with regTop in the high half of frames
            int calleeRegisters = e.engine.module().function(target).registers().size();
            e.mv.visitVarInsn(ALOAD, 0);
            e.mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "frames", "J");
            e.push((long) (JitRuntime.MAX_REGISTERS - calleeRegisters + 1) << 32);
            e.mv.visitInsn(LCMP);
            e.mv.visitJumpInsn(IFGE, deep);
            e.stub(() -> {
                e.mv.visitLabel(deep);
                e.mv.visitVarInsn(ALOAD, 0);
                e.push(e.code.index);
                e.pushPc(in.pc());
                e.push(calleeRegisters);
                e.invokeStatic(MethodEmitter.RUNTIME, "deepCall", "(L" + MethodEmitter.CTX + ";III)V");
                pushArguments(e, sig, args);
                Label hop = new Label();
                depth(e);
                e.mv.visitVarInsn(ALOAD, 0);
                e.mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "depthLimit", "I");
                e.mv.visitJumpInsn(IF_ICMPGE, hop);
                invoke(e, sig, target);
                e.mv.visitJumpInsn(GOTO, after);
                e.mv.visitLabel(hop);
                e.mv.visitInvokeDynamicInsn("hop", sig.descriptor, LINK_HOP, target);
                e.mv.visitJumpInsn(GOTO, after);
            });
        }
        pushArguments(e, sig, args);
        invoke(e, sig, target);
        e.mv.visitLabel(after);
        storeResults(e, sig, results);
        e.reloadFuel();
        e.reloadMemory();
    }

    /** Pushes the depth: the low half of {@code ctx.frames}. */
    private static void depth(MethodEmitter e) {
        e.mv.visitVarInsn(ALOAD, 0);
        e.mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "frames", "J");
        e.mv.visitInsn(L2I);
    }

    /** Invokes {@code target} with its arguments on the stack: directly if it is this class's own function. */
    private static void invoke(MethodEmitter e, Signature sig, int target) {
        if (target == e.code.index) {
            e.mv.visitMethodInsn(INVOKESTATIC, e.owner, FunctionCompiler.methodName(target), sig.descriptor, false);
        } else {
            e.mv.visitInvokeDynamicInsn("call", sig.descriptor, LINK_CALL, target);
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
        e.invokeStatic(MethodEmitter.RUNTIME, "indirect",
                "(L" + MethodEmitter.CTX + ";IIIII)Ljava/lang/invoke/MethodHandle;");
        pushArguments(e, sig, args);
        e.mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/invoke/MethodHandle", "invokeExact", sig.descriptor, false);
        storeResults(e, sig, results);
        e.reloadFuel();
        e.reloadMemory();
    }

    /** Pushes the context and the arguments in the callee's convention (typed or packed). */
    static void pushArguments(MethodEmitter e, Signature sig, int[] args) {
        e.mv.visitVarInsn(ALOAD, 0);
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
