package dev.cella.jit;

import static org.objectweb.asm.Opcodes.DUP2;

import dev.cella.isa.code.Instruction;

/**
 * The SIMD instructions: calls to {@link dev.cella.vm.V128Lanes}, the lane semantics the
 * interpreter runs too, so that both engines agree bit for bit. A v128 operand is the register
 * pair r, r+1 (i64 locals). Both result halves are computed onto the operand stack before either
 * is stored, since the result pair may overlap an operand pair. Small helpers (bitselect, shift,
 * splat) inline well; the switch-heavy ones are plain calls.
 */
final class SimdEmitter {
    private static final String LANES = "dev/cella/vm/V128Lanes";

    private SimdEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        int d = in.intOperand(0);
        int a = in.intOperand(1);
        switch (in.opcode()) {
            case V128_UNARY -> {
                int k = in.intOperand(2);
                for (String half : new String[] {"unaryLo", "unaryHi"}) {
                    e.push(k);
                    pair(e, a);
                    e.invokeStatic(LANES, half, "(IJJ)J");
                }
                storePair(e, d);
            }
            case V128_BINARY -> {
                int b = in.intOperand(2);
                int k = in.intOperand(3);
                for (String half : new String[] {"binaryLo", "binaryHi"}) {
                    e.push(k);
                    pair(e, a);
                    pair(e, b);
                    e.invokeStatic(LANES, half, "(IJJJJ)J");
                }
                storePair(e, d);
            }
            case V128_SHIFT -> {
                int count = in.intOperand(2);
                int k = in.intOperand(3);
                for (int h = 0; h < 2; h++) {
                    e.push(k);
                    e.load(a + h);
                    e.load(count);
                    e.invokeStatic(LANES, "shift", "(IJI)J");
                }
                storePair(e, d);
            }
            case V128_TEST -> {
                e.push(in.intOperand(2));
                pair(e, a);
                e.invokeStatic(LANES, "test", "(IJJ)I");
                e.store(d);
            }
            case V128_SPLAT -> {
                e.push(in.intOperand(2));
                e.load(a);
                e.invokeStatic(LANES, "splat", "(II)J");
                e.mv.visitInsn(DUP2);
                storePair(e, d);
            }
            case V128_EXTRACT -> {
                e.push(in.intOperand(2));
                e.push(in.intOperand(3));
                pair(e, a);
                e.invokeStatic(LANES, "extract", "(IIJJ)I");
                e.store(d);
            }
            case V128_REPLACE -> {
                int x = in.intOperand(2);
                for (int h = 0; h < 2; h++) {
                    e.push(in.intOperand(3));
                    e.push(in.intOperand(4));
                    pair(e, a);
                    e.load(x);
                    e.push(h);
                    e.invokeStatic(LANES, "replace", "(IIJJII)J");
                }
                storePair(e, d);
            }
            case V128_BITSELECT -> {
                int b = in.intOperand(2);
                int c = in.intOperand(3);
                for (int h = 0; h < 2; h++) {
                    e.load(a + h);
                    e.load(b + h);
                    e.load(c + h);
                    e.invokeStatic(LANES, "bitselect", "(JJJ)J");
                }
                storePair(e, d);
            }
            case V128_SHUFFLE -> {
                int b = in.intOperand(2);
                for (int h = 0; h < 2; h++) {
                    pair(e, a);
                    pair(e, b);
                    e.push(in.operands()[3 + h]);
                    e.invokeStatic(LANES, "shuffle", "(JJJJJ)J");
                }
                storePair(e, d);
            }
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a SIMD instruction");
        }
    }

    /** Pushes the two halves of the v128 operand in registers r, r+1. */
    private static void pair(MethodEmitter e, int r) {
        e.load(r);
        e.load(r + 1);
    }

    /** Stores the two longs on the stack (low below high) into registers r, r+1. */
    private static void storePair(MethodEmitter e, int r) {
        e.store(r + 1);
        e.store(r);
    }
}
