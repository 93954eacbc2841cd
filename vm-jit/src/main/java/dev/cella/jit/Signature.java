package dev.cella.jit;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import java.lang.invoke.MethodType;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The JVM calling convention of a guest signature. Every compiled function, and every import
 * adapter, is a static method {@code (JitContext, long frame, int fuel, params...) result}:
 *
 * <ul>
 *   <li>{@code frame} is the callee's frame word (see {@link JitContext#FRAME_CHECK}): the room
 *       left for more guest frames and registers, passed down the call chain instead of being
 *       kept in memory. Host adapters ignore it.
 *   <li>{@code fuel} is the caller's fuel window (see {@link JitContext}), passed in a register;
 *       the callee leaves its own in {@link JitContext#fuel} when it returns or throws, where the
 *       caller reloads it.
 *   <li>Parameters are typed JVM values (i32 int, i64 long, f32 float, f64 double) when they fit
 *       the JVM's limit of 255 parameter slots; otherwise ({@link #packed}) the method takes one
 *       {@code long[]} of raw bits instead.
 *   <li>No result: {@code void}. One result: the typed value. More: {@code void}, and the raw
 *       bits are left in {@link JitContext#results} for the caller to read at once.
 * </ul>
 */
final class Signature {
    /** Parameter slots left for guest parameters: 255 minus the context, frame word and fuel window. */
    static final int MAX_TYPED_PARAM_SLOTS = 250;

    static final String CTX = "Ldev/cella/jit/JitContext;";

    final FuncType type;
    final boolean packed;
    final String descriptor;
    final MethodType methodType;

    Signature(FuncType type) {
        this.type = type;
        int slots = 0;
        for (ValType t : type.params()) {
            slots += slots(t);
        }
        this.packed = slots > MAX_TYPED_PARAM_SLOTS;
        StringBuilder sb = new StringBuilder("(").append(CTX).append("JI");
        if (packed) {
            sb.append("[J");
        } else {
            for (ValType t : type.params()) {
                sb.append(descriptor(t));
            }
        }
        sb.append(')').append(resultDescriptor());
        this.descriptor = sb.toString();
        this.methodType = MethodType.fromMethodDescriptorString(descriptor, Signature.class.getClassLoader());
    }

    List<ValType> params() {
        return type.params();
    }

    List<ValType> results() {
        return type.results();
    }

    /** True if the single result is returned as a typed JVM value. */
    boolean typedResult() {
        return type.results().size() == 1;
    }

    String resultDescriptor() {
        return typedResult() ? descriptor(type.results().get(0)) : "V";
    }

    static int slots(ValType t) {
        return t == ValType.I64 || t == ValType.F64 || t.isReference() ? 2 : 1;
    }

    static String descriptor(ValType t) {
        return switch (t) {
            case I32 -> "I";
            case I64, FUNCREF, EXTERNREF -> "J";
            case F32 -> "F";
            case F64 -> "D";
            case V128 -> throw notRegister();
        };
    }

    static Type asmType(ValType t) {
        return switch (t) {
            case I32 -> Type.INT_TYPE;
            case I64, FUNCREF, EXTERNREF -> Type.LONG_TYPE;
            case F32 -> Type.FLOAT_TYPE;
            case F64 -> Type.DOUBLE_TYPE;
            case V128 -> throw notRegister();
        };
    }

    static Class<?> javaClass(ValType t) {
        return switch (t) {
            case I32 -> int.class;
            case I64, FUNCREF, EXTERNREF -> long.class;
            case F32 -> float.class;
            case F64 -> double.class;
            case V128 -> throw notRegister();
        };
    }

    /**
     * v128 is an operand type only (a pair of i64 registers); the verifier keeps it out of
     * registers and of signatures' value lists (a declared v128 is a marked pair: FuncType#vectors).
     */
    private static IllegalArgumentException notRegister() {
        return new IllegalArgumentException("v128 is an operand type only");
    }

    static int loadOpcode(ValType t) {
        return asmType(t).getOpcode(Opcodes.ILOAD);
    }

    static int storeOpcode(ValType t) {
        return asmType(t).getOpcode(Opcodes.ISTORE);
    }

    static int returnOpcode(ValType t) {
        return asmType(t).getOpcode(Opcodes.IRETURN);
    }
}
