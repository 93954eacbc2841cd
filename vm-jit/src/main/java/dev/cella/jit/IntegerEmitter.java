package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.code.Instruction;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * i32 and i64 arithmetic and comparisons. Most map to one JVM instruction (JVM shifts already
 * take the count modulo the width, as the ISA does); bit counts and rotations call the JDK
 * methods C2 intrinsifies; division and remainder call {@link dev.cella.vm.Numerics}, whose trap
 * signals become traps at the instruction's pc.
 */
final class IntegerEmitter {
    private static final String I = "java/lang/Integer";
    private static final String L = "java/lang/Long";

    private IntegerEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case I32_EQZ -> {
                e.load(in.intOperand(1));
                booleanResult(e, in, IFEQ);
            }
            case I64_EQZ, FUNCREF_IS_NULL, EXTERNREF_IS_NULL -> {
                e.load(in.intOperand(1));
                e.mv.visitInsn(LCONST_0);
                e.mv.visitInsn(LCMP);
                booleanResult(e, in, IFEQ);
            }
            case I32_EQ -> intCompare(e, in, IF_ICMPEQ, false);
            case I32_NE -> intCompare(e, in, IF_ICMPNE, false);
            case I32_LT_S -> intCompare(e, in, IF_ICMPLT, false);
            case I32_LT_U -> intCompare(e, in, IFLT, true);
            case I32_GT_S -> intCompare(e, in, IF_ICMPGT, false);
            case I32_GT_U -> intCompare(e, in, IFGT, true);
            case I32_LE_S -> intCompare(e, in, IF_ICMPLE, false);
            case I32_LE_U -> intCompare(e, in, IFLE, true);
            case I32_GE_S -> intCompare(e, in, IF_ICMPGE, false);
            case I32_GE_U -> intCompare(e, in, IFGE, true);
            case I64_EQ -> longCompare(e, in, IFEQ, false);
            case I64_NE -> longCompare(e, in, IFNE, false);
            case I64_LT_S -> longCompare(e, in, IFLT, false);
            case I64_LT_U -> longCompare(e, in, IFLT, true);
            case I64_GT_S -> longCompare(e, in, IFGT, false);
            case I64_GT_U -> longCompare(e, in, IFGT, true);
            case I64_LE_S -> longCompare(e, in, IFLE, false);
            case I64_LE_U -> longCompare(e, in, IFLE, true);
            case I64_GE_S -> longCompare(e, in, IFGE, false);
            case I64_GE_U -> longCompare(e, in, IFGE, true);
            case I32_CLZ -> unary(e, in, I, "numberOfLeadingZeros", "(I)I", false);
            case I32_CTZ -> unary(e, in, I, "numberOfTrailingZeros", "(I)I", false);
            case I32_POPCNT -> unary(e, in, I, "bitCount", "(I)I", false);
            case I64_CLZ -> unary(e, in, L, "numberOfLeadingZeros", "(J)I", true);
            case I64_CTZ -> unary(e, in, L, "numberOfTrailingZeros", "(J)I", true);
            case I64_POPCNT -> unary(e, in, L, "bitCount", "(J)I", true);
            case I32_ADD -> binary(e, in, IADD);
            case I32_SUB -> binary(e, in, ISUB);
            case I32_MUL -> binary(e, in, IMUL);
            case I32_AND -> binary(e, in, IAND);
            case I32_OR -> binary(e, in, IOR);
            case I32_XOR -> binary(e, in, IXOR);
            case I32_SHL -> binary(e, in, ISHL);
            case I32_SHR_S -> binary(e, in, ISHR);
            case I32_SHR_U -> binary(e, in, IUSHR);
            case I32_ROTL -> binaryCall(e, in, I, "rotateLeft", "(II)I", false);
            case I32_ROTR -> binaryCall(e, in, I, "rotateRight", "(II)I", false);
            case I32_DIV_S -> division(e, in, "i32DivS", "(II)I");
            case I32_DIV_U -> division(e, in, "i32DivU", "(II)I");
            case I32_REM_S -> division(e, in, "i32RemS", "(II)I");
            case I32_REM_U -> division(e, in, "i32RemU", "(II)I");
            case I64_ADD -> binary(e, in, LADD);
            case I64_SUB -> binary(e, in, LSUB);
            case I64_MUL -> binary(e, in, LMUL);
            case I64_AND -> binary(e, in, LAND);
            case I64_OR -> binary(e, in, LOR);
            case I64_XOR -> binary(e, in, LXOR);
            case I64_SHL -> shift(e, in, LSHL);
            case I64_SHR_S -> shift(e, in, LSHR);
            case I64_SHR_U -> shift(e, in, LUSHR);
            case I64_ROTL -> binaryCall(e, in, L, "rotateLeft", "(JI)J", true);
            case I64_ROTR -> binaryCall(e, in, L, "rotateRight", "(JI)J", true);
            case I64_DIV_S -> division(e, in, "i64DivS", "(JJ)J");
            case I64_DIV_U -> division(e, in, "i64DivU", "(JJ)J");
            case I64_REM_S -> division(e, in, "i64RemS", "(JJ)J");
            case I64_REM_U -> division(e, in, "i64RemU", "(JJ)J");
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not an integer instruction");
        }
    }

    /**
     * With the compared values (or a comparison result) on the stack, jumps with {@code op} and
     * stores 1 if taken, else 0, into the instruction's destination.
     */
    static void booleanResult(MethodEmitter e, Instruction in, int op) {
        MethodVisitor mv = e.mv;
        Label yes = new Label();
        Label done = new Label();
        mv.visitJumpInsn(op, yes);
        mv.visitInsn(ICONST_0);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(yes);
        mv.visitInsn(ICONST_1);
        mv.visitLabel(done);
        e.store(in.intOperand(0));
    }

    private static void intCompare(MethodEmitter e, Instruction in, int op, boolean unsigned) {
        if (unsigned) {
            booleanResult(e, in, unsignedOperands(e, in.intOperand(1), in.intOperand(2), false) ? op + ICMP : op);
            return;
        }
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        booleanResult(e, in, op);
    }

    private static void longCompare(MethodEmitter e, Instruction in, int op, boolean unsigned) {
        if (unsigned) {
            unsignedOperands(e, in.intOperand(1), in.intOperand(2), true);
        } else {
            e.load(in.intOperand(1));
            e.load(in.intOperand(2));
            e.mv.visitInsn(LCMP);
        }
        booleanResult(e, in, op);
    }

    /** {@code IF_ICMPxx - IFxx}: the two-operand form of a sign test. */
    static final int ICMP = IF_ICMPEQ - IFEQ;

    /**
     * Pushes what an unsigned comparison of registers {@code a} and {@code b} tests. For C2, their
     * {@code Integer/Long.compareUnsigned} (an intrinsic: one unsigned compare), an int to test
     * with a sign test ({@code IFLT}...). For C1 ({@link MethodEmitter#clientShapes}), which has
     * no such intrinsic and inlines it as {@code Integer.compare}'s two branches and a merge, the
     * two values with their sign bits flipped, which a signed compare orders as unsigned: for i64
     * compared by {@code LCMP} (which C1 fuses with the sign test that follows), for i32 left as
     * two ints for {@code IF_ICMPxx}.
     *
     * @return true if two ints were pushed (the caller tests with {@code op + }{@link #ICMP})
     */
    static boolean unsignedOperands(MethodEmitter e, int a, int b, boolean wide) {
        if (!e.clientShapes) {
            e.load(a);
            e.load(b);
            if (wide) {
                e.invokeStatic(L, "compareUnsigned", "(JJ)I");
            } else {
                e.invokeStatic(I, "compareUnsigned", "(II)I");
            }
            return false;
        }
        for (int r : new int[] {a, b}) {
            e.load(r);
            if (wide) {
                e.mv.visitLdcInsn(Long.MIN_VALUE);
                e.mv.visitInsn(LXOR);
            } else {
                e.mv.visitLdcInsn(Integer.MIN_VALUE);
                e.mv.visitInsn(IXOR);
            }
        }
        if (wide) {
            e.mv.visitInsn(LCMP);
        }
        return !wide;
    }

    private static void binary(MethodEmitter e, Instruction in, int op) {
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.mv.visitInsn(op);
        e.store(in.intOperand(0));
    }

    /** i64 shifts: the JVM takes the count as an int and uses its low 6 bits, as the ISA does. */
    private static void shift(MethodEmitter e, Instruction in, int op) {
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.mv.visitInsn(L2I);
        e.mv.visitInsn(op);
        e.store(in.intOperand(0));
    }

    /** A unary JDK method; {@code widen} converts its int result to the i64 destination. */
    private static void unary(MethodEmitter e, Instruction in, String owner, String name, String desc, boolean widen) {
        e.load(in.intOperand(1));
        e.invokeStatic(owner, name, desc);
        if (widen) {
            e.mv.visitInsn(I2L);
        }
        e.store(in.intOperand(0));
    }

    /** A binary JDK method; {@code intCount} narrows an i64 second operand (a rotation count). */
    private static void binaryCall(MethodEmitter e, Instruction in, String owner, String name, String desc,
            boolean intCount) {
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        if (intCount) {
            e.mv.visitInsn(L2I);
        }
        e.invokeStatic(owner, name, desc);
        e.store(in.intOperand(0));
    }

    private static void division(MethodEmitter e, Instruction in, String helper, String desc) {
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.NUMERICS, helper, desc));
        e.store(in.intOperand(0));
    }
}
