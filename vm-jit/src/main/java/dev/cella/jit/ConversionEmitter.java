package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.code.Instruction;

/**
 * Conversions between the four types. Exact JVM conversions (i2l, l2i, i2d, the narrowing
 * sign extensions) are emitted directly; Java's i2f, l2f and l2d already round to nearest as the
 * ISA requires. Unsigned conversions, demote/promote (canonical NaN, unless the result is never
 * observed bit for bit, see {@link RegisterFlow}) and float-to-integer truncation (traps,
 * saturation) call the shared {@link dev.cella.vm.Numerics} helpers.
 */
final class ConversionEmitter {
    private static final String N = MethodEmitter.NUMERICS;

    private ConversionEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case I32_WRAP_I64 -> insns(e, in, L2I);
            case I64_EXTEND_I32_S -> insns(e, in, I2L);
            case I64_EXTEND_I32_U -> call(e, in, "java/lang/Integer", "toUnsignedLong", "(I)J");
            case I32_EXTEND8_S -> insns(e, in, I2B);
            case I32_EXTEND16_S -> insns(e, in, I2S);
            case I64_EXTEND8_S -> insns(e, in, L2I, I2B, I2L);
            case I64_EXTEND16_S -> insns(e, in, L2I, I2S, I2L);
            case I64_EXTEND32_S -> insns(e, in, L2I, I2L);
            case F32_CONVERT_I32_S -> insns(e, in, I2F);
            case F32_CONVERT_I64_S -> insns(e, in, L2F);
            case F64_CONVERT_I32_S -> insns(e, in, I2D);
            case F64_CONVERT_I64_S -> insns(e, in, L2D);
            case F32_CONVERT_I32_U -> call(e, in, N, "f32ConvertI32U", "(I)F");
            case F32_CONVERT_I64_U -> call(e, in, N, "f32ConvertI64U", "(J)F");
            case F64_CONVERT_I32_U -> call(e, in, N, "f64ConvertI32U", "(I)D");
            case F64_CONVERT_I64_U -> call(e, in, N, "f64ConvertI64U", "(J)D");
            case F32_DEMOTE_F64 -> {
                if (e.canonical()) {
                    call(e, in, N, "f32DemoteF64", "(D)F");
                } else {
                    insns(e, in, D2F);
                }
            }
            case F64_PROMOTE_F32 -> {
                if (e.canonical()) {
                    call(e, in, N, "f64PromoteF32", "(F)D");
                } else {
                    insns(e, in, F2D);
                }
            }
            case I32_REINTERPRET_F32 -> call(e, in, "java/lang/Float", "floatToRawIntBits", "(F)I");
            case I64_REINTERPRET_F64 -> call(e, in, "java/lang/Double", "doubleToRawLongBits", "(D)J");
            case F32_REINTERPRET_I32 -> call(e, in, "java/lang/Float", "intBitsToFloat", "(I)F");
            case F64_REINTERPRET_I64 -> call(e, in, "java/lang/Double", "longBitsToDouble", "(J)D");
            case I32_TRUNC_F32_S -> trapping(e, in, "i32TruncF32S", "(F)I");
            case I32_TRUNC_F32_U -> trapping(e, in, "i32TruncF32U", "(F)I");
            case I32_TRUNC_F64_S -> trapping(e, in, "i32TruncF64S", "(D)I");
            case I32_TRUNC_F64_U -> trapping(e, in, "i32TruncF64U", "(D)I");
            case I64_TRUNC_F32_S -> trapping(e, in, "i64TruncF32S", "(F)J");
            case I64_TRUNC_F32_U -> trapping(e, in, "i64TruncF32U", "(F)J");
            case I64_TRUNC_F64_S -> trapping(e, in, "i64TruncF64S", "(D)J");
            case I64_TRUNC_F64_U -> trapping(e, in, "i64TruncF64U", "(D)J");
            case I32_TRUNC_SAT_F32_S -> call(e, in, N, "i32TruncSatF32S", "(F)I");
            case I32_TRUNC_SAT_F32_U -> call(e, in, N, "i32TruncSatF32U", "(F)I");
            case I32_TRUNC_SAT_F64_S -> call(e, in, N, "i32TruncSatF64S", "(D)I");
            case I32_TRUNC_SAT_F64_U -> call(e, in, N, "i32TruncSatF64U", "(D)I");
            case I64_TRUNC_SAT_F32_S -> call(e, in, N, "i64TruncSatF32S", "(F)J");
            case I64_TRUNC_SAT_F32_U -> call(e, in, N, "i64TruncSatF32U", "(F)J");
            case I64_TRUNC_SAT_F64_S -> call(e, in, N, "i64TruncSatF64S", "(D)J");
            case I64_TRUNC_SAT_F64_U -> call(e, in, N, "i64TruncSatF64U", "(D)J");
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a conversion");
        }
    }

    private static void insns(MethodEmitter e, Instruction in, int... ops) {
        e.load(in.intOperand(1));
        for (int op : ops) {
            e.mv.visitInsn(op);
        }
        e.store(in.intOperand(0));
    }

    private static void call(MethodEmitter e, Instruction in, String owner, String name, String desc) {
        e.load(in.intOperand(1));
        e.invokeStatic(owner, name, desc);
        e.store(in.intOperand(0));
    }

    private static void trapping(MethodEmitter e, Instruction in, String name, String desc) {
        e.load(in.intOperand(1));
        e.trapping(in.pc(), () -> e.invokeStatic(N, name, desc));
        e.store(in.intOperand(0));
    }
}
