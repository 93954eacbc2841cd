package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.code.Instruction;

/**
 * f32 and f64 arithmetic and comparisons, with the ISA's canonical-NaN rule: an arithmetic result
 * that may be observed bit for bit passes through {@link dev.cella.vm.Numerics#canonical} (or the
 * shared Numerics helper of its operation, which canonicalizes); one that only reaches
 * payload-blind uses ({@link RegisterFlow}) is left as the JVM computed it, since nothing can
 * tell. abs, neg and copysign are bit operations on the raw bits, so NaN payloads pass unchanged.
 */
final class FloatEmitter {
    private static final String F = "java/lang/Float";
    private static final String D = "java/lang/Double";

    private FloatEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case F32_EQ -> compare(e, in, FCMPL, IFEQ);
            case F32_NE -> compare(e, in, FCMPL, IFNE);
            case F32_LT -> compare(e, in, FCMPG, IFLT);
            case F32_GT -> compare(e, in, FCMPL, IFGT);
            case F32_LE -> compare(e, in, FCMPG, IFLE);
            case F32_GE -> compare(e, in, FCMPL, IFGE);
            case F64_EQ -> compare(e, in, DCMPL, IFEQ);
            case F64_NE -> compare(e, in, DCMPL, IFNE);
            case F64_LT -> compare(e, in, DCMPG, IFLT);
            case F64_GT -> compare(e, in, DCMPL, IFGT);
            case F64_LE -> compare(e, in, DCMPG, IFLE);
            case F64_GE -> compare(e, in, DCMPL, IFGE);
            case F32_ABS -> f32Bits(e, in, IAND, 0x7FFFFFFF);
            case F32_NEG -> f32Bits(e, in, IXOR, 0x80000000);
            case F64_ABS -> f64Bits(e, in, LAND, Long.MAX_VALUE);
            case F64_NEG -> f64Bits(e, in, LXOR, Long.MIN_VALUE);
            case F32_COPYSIGN -> f32Copysign(e, in);
            case F64_COPYSIGN -> f64Copysign(e, in);
            case F32_CEIL -> unary(e, in, "f32Ceil", "ceil", true);
            case F32_FLOOR -> unary(e, in, "f32Floor", "floor", true);
            case F32_TRUNC -> unary(e, in, "f32Trunc", null, true);
            case F32_NEAREST -> unary(e, in, "f32Nearest", "rint", true);
            case F32_SQRT -> unary(e, in, "f32Sqrt", "sqrt", true);
            case F64_CEIL -> unary(e, in, "f64Ceil", "ceil", false);
            case F64_FLOOR -> unary(e, in, "f64Floor", "floor", false);
            case F64_TRUNC -> unary(e, in, "f64Trunc", null, false);
            case F64_NEAREST -> unary(e, in, "f64Nearest", "rint", false);
            case F64_SQRT -> unary(e, in, "f64Sqrt", "sqrt", false);
            case F32_MIN -> binaryCall(e, in, "f32Min", "min", "(FF)F");
            case F32_MAX -> binaryCall(e, in, "f32Max", "max", "(FF)F");
            case F64_MIN -> binaryCall(e, in, "f64Min", "min", "(DD)D");
            case F64_MAX -> binaryCall(e, in, "f64Max", "max", "(DD)D");
            case F32_ADD -> arithmetic(e, in, FADD, "(F)F");
            case F32_SUB -> arithmetic(e, in, FSUB, "(F)F");
            case F32_MUL -> arithmetic(e, in, FMUL, "(F)F");
            case F32_DIV -> arithmetic(e, in, FDIV, "(F)F");
            case F64_ADD -> arithmetic(e, in, DADD, "(D)D");
            case F64_SUB -> arithmetic(e, in, DSUB, "(D)D");
            case F64_MUL -> arithmetic(e, in, DMUL, "(D)D");
            case F64_DIV -> arithmetic(e, in, DDIV, "(D)D");
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a float instruction");
        }
    }

    private static void compare(MethodEmitter e, Instruction in, int compare, int op) {
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.mv.visitInsn(compare);
        IntegerEmitter.booleanResult(e, in, op);
    }

    /** An IEEE operation, followed by NaN canonicalization where the result may be observed. */
    private static void arithmetic(MethodEmitter e, Instruction in, int op, String canonicalDesc) {
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.mv.visitInsn(op);
        if (e.canonical()) {
            e.invokeStatic(MethodEmitter.NUMERICS, "canonical", canonicalDesc);
        }
        e.store(in.intOperand(0));
    }

    /**
     * A rounding or square root: the canonicalizing Numerics {@code helper}, or, where the result
     * is not observed bit for bit, {@link Math}'s {@code plain} method (in double precision for
     * f32, exact as the helpers explain). {@code plain} is null where there is no such method.
     */
    private static void unary(MethodEmitter e, Instruction in, String helper, String plain, boolean f32) {
        e.load(in.intOperand(1));
        if (e.canonical() || plain == null) {
            e.invokeStatic(MethodEmitter.NUMERICS, helper, f32 ? "(F)F" : "(D)D");
        } else {
            if (f32) {
                e.mv.visitInsn(F2D);
            }
            e.invokeStatic("java/lang/Math", plain, "(D)D");
            if (f32) {
                e.mv.visitInsn(D2F);
            }
        }
        e.store(in.intOperand(0));
    }

    /** min or max: the canonicalizing Numerics {@code helper}, or {@link Math}'s where the result is not observed. */
    private static void binaryCall(MethodEmitter e, Instruction in, String helper, String plain, String desc) {
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.invokeStatic(e.canonical() ? MethodEmitter.NUMERICS : "java/lang/Math", e.canonical() ? helper : plain, desc);
        e.store(in.intOperand(0));
    }

    private static void f32Bits(MethodEmitter e, Instruction in, int op, int mask) {
        e.load(in.intOperand(1));
        e.invokeStatic(F, "floatToRawIntBits", "(F)I");
        e.push(mask);
        e.mv.visitInsn(op);
        e.invokeStatic(F, "intBitsToFloat", "(I)F");
        e.store(in.intOperand(0));
    }

    private static void f64Bits(MethodEmitter e, Instruction in, int op, long mask) {
        e.load(in.intOperand(1));
        e.invokeStatic(D, "doubleToRawLongBits", "(D)J");
        e.push(mask);
        e.mv.visitInsn(op);
        e.invokeStatic(D, "longBitsToDouble", "(J)D");
        e.store(in.intOperand(0));
    }

    private static void f32Copysign(MethodEmitter e, Instruction in) {
        e.load(in.intOperand(1));
        e.invokeStatic(F, "floatToRawIntBits", "(F)I");
        e.push(0x7FFFFFFF);
        e.mv.visitInsn(IAND);
        e.load(in.intOperand(2));
        e.invokeStatic(F, "floatToRawIntBits", "(F)I");
        e.push(0x80000000);
        e.mv.visitInsn(IAND);
        e.mv.visitInsn(IOR);
        e.invokeStatic(F, "intBitsToFloat", "(I)F");
        e.store(in.intOperand(0));
    }

    private static void f64Copysign(MethodEmitter e, Instruction in) {
        e.load(in.intOperand(1));
        e.invokeStatic(D, "doubleToRawLongBits", "(D)J");
        e.push(Long.MAX_VALUE);
        e.mv.visitInsn(LAND);
        e.load(in.intOperand(2));
        e.invokeStatic(D, "doubleToRawLongBits", "(D)J");
        e.push(Long.MIN_VALUE);
        e.mv.visitInsn(LAND);
        e.mv.visitInsn(LOR);
        e.invokeStatic(D, "longBitsToDouble", "(J)D");
        e.store(in.intOperand(0));
    }
}
