package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Constants, moves, select and globals. Moves and selects of floats are JVM float moves, which
 * keep every bit (NaN payloads included); constants with NaN payloads are materialized from
 * their integer bits. Globals live in the instance's {@code long[]} as raw bits; an imported one
 * lives in its provider's, reached through the instance.
 */
final class VariableEmitter {
    private VariableEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case I32_CONST -> {
                e.push(in.intOperand(1));
                e.store(in.intOperand(0));
            }
            case I64_CONST -> {
                e.push(in.operands()[1]);
                e.store(in.intOperand(0));
            }
            case F32_CONST -> {
                e.pushF32Bits((int) in.operands()[1]);
                e.store(in.intOperand(0));
            }
            case F64_CONST -> {
                e.pushF64Bits(in.operands()[1]);
                e.store(in.intOperand(0));
            }
            case REF_FUNC -> {
                // A funcref's raw bits depend on the instance's place in its store (Instance.functionRef).
                e.mv.visitVarInsn(ALOAD, 0);
                e.push(in.intOperand(1));
                e.invokeStatic(MethodEmitter.RUNTIME, "functionRef", "(L" + MethodEmitter.CTX + ";I)J");
                e.store(in.intOperand(0));
            }
            case FUNCREF_NULL, EXTERNREF_NULL -> {
                e.push(0L);
                e.store(in.intOperand(0));
            }
            case I32_MOV, I64_MOV, F32_MOV, F64_MOV, FUNCREF_MOV, EXTERNREF_MOV -> {
                e.load(in.intOperand(1));
                e.store(in.intOperand(0));
            }
            case I32_SELECT, I64_SELECT, F32_SELECT, F64_SELECT, FUNCREF_SELECT, EXTERNREF_SELECT -> select(e, in);
            case I32_GLOBAL_GET, I64_GLOBAL_GET, F32_GLOBAL_GET, F64_GLOBAL_GET, FUNCREF_GLOBAL_GET,
                    EXTERNREF_GLOBAL_GET -> {
                if (imported(e, in.intOperand(1))) {
                    e.mv.visitVarInsn(ALOAD, 0);
                    e.push(in.intOperand(1));
                    e.invokeStatic(MethodEmitter.RUNTIME, "globalGet", "(L" + MethodEmitter.CTX + ";I)J");
                } else {
                    globals(e, in.intOperand(1));
                    e.mv.visitInsn(LALOAD);
                }
                e.fromBits(e.type(in.intOperand(0)));
                e.store(in.intOperand(0));
            }
            case I32_GLOBAL_SET, I64_GLOBAL_SET, F32_GLOBAL_SET, F64_GLOBAL_SET, FUNCREF_GLOBAL_SET,
                    EXTERNREF_GLOBAL_SET -> {
                boolean imported = imported(e, in.intOperand(0));
                if (imported) {
                    e.mv.visitVarInsn(ALOAD, 0);
                    e.push(in.intOperand(0));
                } else {
                    globals(e, in.intOperand(0));
                }
                int a = in.intOperand(1);
                e.loadWritten(a);
                ValType t = e.type(a);
                e.toBits(t);
                if (imported) {
                    e.invokeStatic(MethodEmitter.RUNTIME, "globalSet", "(L" + MethodEmitter.CTX + ";IJ)V");
                } else {
                    e.mv.visitInsn(LASTORE);
                }
            }
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a variable instruction");
        }
    }

    /** True if global {@code g} is imported: it lives in its provider, reached through the instance. */
    private static boolean imported(MethodEmitter e, int g) {
        return e.engine.module().globals().get(g).imported();
    }

    /** Pushes the globals array and the index {@code g}. */
    private static void globals(MethodEmitter e, int g) {
        e.mv.visitVarInsn(ALOAD, 0);
        e.mv.visitFieldInsn(GETFIELD, MethodEmitter.CTX, "globals", "[J");
        e.push(g);
    }

    /** {@code d := c != 0 ? a : b}, through the stack so that {@code d} may be any of a, b, c. */
    private static void select(MethodEmitter e, Instruction in) {
        MethodVisitor mv = e.mv;
        Label other = new Label();
        Label done = new Label();
        e.load(in.intOperand(3));
        mv.visitJumpInsn(IFEQ, other);
        e.load(in.intOperand(1));
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(other);
        e.load(in.intOperand(2));
        mv.visitLabel(done);
        e.store(in.intOperand(0));
    }
}
