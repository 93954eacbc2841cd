package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.ValType;
import dev.cella.isa.module.Module;
import java.util.List;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/**
 * Generates, for a module's imports, one class of static adapters {@code i<k>} with the
 * import's {@link Signature}, so compiled code calls a host function exactly like a guest
 * function (direct call sites and call_indirect alike). An adapter copies its arguments as raw
 * bits into the context's scratch array and calls {@link JitRuntime#callHost}, the same host
 * ABI the interpreter uses ({@link dev.cella.vm.HostFunction#call}). Host frames do not count
 * toward the call depth, so adapters do no depth bookkeeping.
 *
 * <p>A defined function the JIT cannot compile gets the same kind of adapter, in a class of its
 * own ({@link #generateFallback}), calling {@link JitRuntime#callInterpreted} instead: compiled
 * code calls it like any function, and the interpreter runs it. So does each type that
 * call_indirect finds a function of another instance of ({@link #generateForeign}), calling
 * {@link JitRuntime#callForeign}.
 */
final class ImportAdapters {
    static final String CLASS = "dev/cella/jit/Guest$imports";

    private ImportAdapters() {}

    static String methodName(int importIndex) {
        return "i" + importIndex;
    }

    /** The adapter class's bytes, or null if the module imports nothing. */
    static byte[] generate(JitEngine engine) {
        Module module = engine.module();
        int n = module.imports().size();
        if (n == 0) {
            return null;
        }
        ClassWriter cw = new JitClassWriter();
        cw.visit(V21, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, CLASS, null, "java/lang/Object", null);
        for (int k = 0; k < n; k++) {
            adapter(cw, methodName(k), k, "callHost", engine.signature(k), false);
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    static String fallbackName(int function) {
        return "f" + function;
    }

    /** The class of the adapter {@code f<function>} that runs defined function {@code function} interpreted. */
    static byte[] generateFallback(int function, Signature sig) {
        return single("dev/cella/jit/Guest$interpreted" + function, fallbackName(function), function, "callInterpreted",
                sig);
    }

    static String tieredName(int function) {
        return "t" + function;
    }

    /**
     * The class of the adapter {@code t<function>} that runs defined function {@code function}
     * in the tiered interpreter while it is not hot ({@link JitRuntime#callTiered}, which also
     * takes the callee's frame word).
     */
    static byte[] generateTiered(int function, Signature sig) {
        ClassWriter cw = new JitClassWriter();
        cw.visit(V21, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, "dev/cella/jit/Guest$tiered" + function, null,
                "java/lang/Object", null);
        adapter(cw, tieredName(function), function, "callTiered", sig, true);
        cw.visitEnd();
        return cw.toByteArray();
    }

    static String foreignName(int type) {
        return "x" + type;
    }

    /** The class of the adapter {@code x<type>} that calls another instance's function of type index {@code type}. */
    static byte[] generateForeign(int type, Signature sig) {
        return single("dev/cella/jit/Guest$foreign" + type, foreignName(type), type, "callForeign", sig);
    }

    /** A class of one adapter, {@code name} (see {@link #adapter}). */
    private static byte[] single(String className, String name, int k, String target, Signature sig) {
        ClassWriter cw = new JitClassWriter();
        cw.visit(V21, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, className, null, "java/lang/Object", null);
        adapter(cw, name, k, target, sig, false);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * Emits adapter {@code name}, which passes function {@code k} and its arguments as raw bits
     * to runtime method {@code target} {@code (JitContext, int, long[]) long}, which returns the
     * single result's bits (or leaves several in the context's results); with {@code frame}, of
     * type {@code (JitContext, int, long frame, long[]) long}, given the callee's frame word too.
     */
    private static void adapter(ClassWriter cw, String name, int k, String target, Signature sig, boolean frame) {
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, name, sig.descriptor, null, null);
        mv.visitCode();
        List<ValType> params = sig.params();
        // The host sees the instance's fuel, so the caller's window goes to the context first.
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ILOAD, 3);
        mv.visitFieldInsn(PUTFIELD, MethodEmitter.CTX, "fuel", "I");
        int args;
        if (sig.packed) {
            args = 4; // after the context, the frame word (unused by hosts) and the fuel window
        } else {
            int slot = 4;
            for (ValType t : params) {
                slot += Signature.slots(t);
            }
            args = slot;
            mv.visitVarInsn(ALOAD, 0);
            FunctionCompiler.pushInt(mv, params.size());
            mv.visitMethodInsn(INVOKEVIRTUAL, MethodEmitter.CTX, "hostArgs", "(I)[J", false);
            mv.visitVarInsn(ASTORE, args);
            slot = 4;
            for (int p = 0; p < params.size(); p++) {
                mv.visitVarInsn(ALOAD, args);
                FunctionCompiler.pushInt(mv, p);
                mv.visitVarInsn(Signature.loadOpcode(params.get(p)), slot);
                FunctionCompiler.toBits(mv, params.get(p));
                mv.visitInsn(LASTORE);
                slot += Signature.slots(params.get(p));
            }
        }
        mv.visitVarInsn(ALOAD, 0);
        FunctionCompiler.pushInt(mv, k);
        if (frame) {
            mv.visitVarInsn(LLOAD, 1);
        }
        mv.visitVarInsn(ALOAD, args);
        mv.visitMethodInsn(INVOKESTATIC, MethodEmitter.RUNTIME, target,
                "(L" + MethodEmitter.CTX + ";I" + (frame ? "J" : "") + "[J)J", false);
        if (!sig.typedResult()) {
            mv.visitInsn(POP2);
            mv.visitInsn(RETURN);
        } else {
            ValType r = sig.results().get(0);
            FunctionCompiler.fromBits(mv, r);
            mv.visitInsn(Signature.returnOpcode(r));
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }
}
