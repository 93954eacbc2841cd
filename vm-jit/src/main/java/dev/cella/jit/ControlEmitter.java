package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.code.Instruction;
import dev.cella.vm.TrapKind;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Branches, returns, unreachable and nop. Compare-and-branch instructions become one JVM compare
 * and conditional jump; br_table a tableswitch (its index is unsigned, and the negative ints are
 * exactly the unsigned values past the end, which tableswitch sends to the default).
 *
 * <p>Float branches choose fcmpl or fcmpg so that a NaN operand never takes the jump, except for
 * {@code ne}, which a NaN does take, as IEEE comparison requires.
 */
final class ControlEmitter {
    private ControlEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        MethodVisitor mv = e.mv;
        switch (in.opcode()) {
            case UNREACHABLE -> e.throwTrap(TrapKind.UNREACHABLE, in.pc());
            case THROW -> e.throwException(() -> e.push(in.intOperand(0)), in.list(1), in.pc());
            case RETHROW -> e.throwException(() -> e.load(in.intOperand(0)), in.list(1), in.pc());
            case NOP -> { }
            case BR -> mv.visitJumpInsn(GOTO, e.branchTargetPc(in.intOperand(0)));
            case BR_IF -> {
                e.load(in.intOperand(0));
                mv.visitJumpInsn(IFNE, e.branchTargetPc(in.intOperand(1)));
            }
            case BR_UNLESS -> {
                e.load(in.intOperand(0));
                mv.visitJumpInsn(IFEQ, e.branchTargetPc(in.intOperand(1)));
            }
            case BR_TABLE -> brTable(e, in);
            case RET -> e.emitReturn(in.list(0));
            case I32_BR_EQ -> intBranch(e, in, IF_ICMPEQ, false);
            case I32_BR_NE -> intBranch(e, in, IF_ICMPNE, false);
            case I32_BR_LT_S -> intBranch(e, in, IF_ICMPLT, false);
            case I32_BR_LT_U -> intBranch(e, in, IFLT, true);
            case I32_BR_GT_S -> intBranch(e, in, IF_ICMPGT, false);
            case I32_BR_GT_U -> intBranch(e, in, IFGT, true);
            case I32_BR_LE_S -> intBranch(e, in, IF_ICMPLE, false);
            case I32_BR_LE_U -> intBranch(e, in, IFLE, true);
            case I32_BR_GE_S -> intBranch(e, in, IF_ICMPGE, false);
            case I32_BR_GE_U -> intBranch(e, in, IFGE, true);
            case I64_BR_EQ -> longBranch(e, in, IFEQ, false);
            case I64_BR_NE -> longBranch(e, in, IFNE, false);
            case I64_BR_LT_S -> longBranch(e, in, IFLT, false);
            case I64_BR_LT_U -> longBranch(e, in, IFLT, true);
            case I64_BR_GT_S -> longBranch(e, in, IFGT, false);
            case I64_BR_GT_U -> longBranch(e, in, IFGT, true);
            case I64_BR_LE_S -> longBranch(e, in, IFLE, false);
            case I64_BR_LE_U -> longBranch(e, in, IFLE, true);
            case I64_BR_GE_S -> longBranch(e, in, IFGE, false);
            case I64_BR_GE_U -> longBranch(e, in, IFGE, true);
            case F32_BR_EQ -> floatBranch(e, in, FCMPL, IFEQ);
            case F32_BR_NE -> floatBranch(e, in, FCMPL, IFNE);
            case F32_BR_LT -> floatBranch(e, in, FCMPG, IFLT);
            case F32_BR_GT -> floatBranch(e, in, FCMPL, IFGT);
            case F32_BR_LE -> floatBranch(e, in, FCMPG, IFLE);
            case F32_BR_GE -> floatBranch(e, in, FCMPL, IFGE);
            case F64_BR_EQ -> floatBranch(e, in, DCMPL, IFEQ);
            case F64_BR_NE -> floatBranch(e, in, DCMPL, IFNE);
            case F64_BR_LT -> floatBranch(e, in, DCMPG, IFLT);
            case F64_BR_GT -> floatBranch(e, in, DCMPL, IFGT);
            case F64_BR_LE -> floatBranch(e, in, DCMPG, IFLE);
            case F64_BR_GE -> floatBranch(e, in, DCMPL, IFGE);
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a control instruction");
        }
    }

    private static void brTable(MethodEmitter e, Instruction in) {
        int[] targets = in.list(1);
        Label fallback = e.branchTargetPc(in.intOperand(2));
        e.load(in.intOperand(0));
        if (targets.length == 0) {
            e.mv.visitInsn(POP);
            e.mv.visitJumpInsn(GOTO, fallback);
            return;
        }
        Label[] labels = new Label[targets.length];
        for (int i = 0; i < targets.length; i++) {
            labels[i] = e.branchTargetPc(targets[i]);
        }
        e.mv.visitTableSwitchInsn(0, targets.length - 1, fallback, labels);
    }

    /**
     * {@code if a OP b goto L} on i32; unsigned forms compare as {@link
     * IntegerEmitter#unsignedOperands} pushes them and test with {@code op}.
     */
    private static void intBranch(MethodEmitter e, Instruction in, int op, boolean unsigned) {
        if (unsigned) {
            boolean two = IntegerEmitter.unsignedOperands(e, in.intOperand(0), in.intOperand(1), false);
            signBranch(e, in, two ? op + IntegerEmitter.ICMP : op, in.intOperand(2));
        } else {
            e.load(in.intOperand(0));
            e.load(in.intOperand(1));
            e.mv.visitJumpInsn(op, e.branchTargetPc(in.intOperand(2)));
        }
    }

    private static void longBranch(MethodEmitter e, Instruction in, int op, boolean unsigned) {
        if (unsigned) {
            IntegerEmitter.unsignedOperands(e, in.intOperand(0), in.intOperand(1), true);
        } else {
            e.load(in.intOperand(0));
            e.load(in.intOperand(1));
            e.mv.visitInsn(LCMP);
        }
        signBranch(e, in, op, in.intOperand(2));
    }

    /**
     * Jumps to {@code target} on the sign of the comparison result on the stack ({@code op} a sign
     * test), or on the comparison of the two ints there ({@code op} an {@code IF_ICMPxx}). A
     * backward jump is emitted as a forward jump out (on the opposite condition) over a {@code
     * goto}: C2 puts a loop's safepoint poll at its backward branch and records the operand stack
     * there, which would keep the -1/0/1 result alive in every iteration; at the {@code goto} the
     * stack is empty.
     */
    private static void signBranch(MethodEmitter e, Instruction in, int op, int target) {
        if (target > in.pc()) {
            e.mv.visitJumpInsn(op, e.branchTargetPc(target));
            return;
        }
        Label stay = new Label();
        e.mv.visitJumpInsn(opposite(op), stay);
        e.mv.visitJumpInsn(GOTO, e.branchTargetPc(target));
        e.mv.visitLabel(stay);
    }

    private static int opposite(int op) {
        if (op >= IF_ICMPEQ && op <= IF_ICMPLE) {
            return opposite(op - IntegerEmitter.ICMP) + IntegerEmitter.ICMP;
        }
        return switch (op) {
            case IFEQ -> IFNE;
            case IFNE -> IFEQ;
            case IFLT -> IFGE;
            case IFGE -> IFLT;
            case IFGT -> IFLE;
            case IFLE -> IFGT;
            default -> throw new IllegalArgumentException("not a sign test: " + op);
        };
    }

    private static void floatBranch(MethodEmitter e, Instruction in, int compare, int op) {
        e.load(in.intOperand(0));
        e.load(in.intOperand(1));
        e.mv.visitInsn(compare);
        e.mv.visitJumpInsn(op, e.branchTargetPc(in.intOperand(2)));
    }
}
