package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.code.Instruction;

/**
 * Loads, stores and the bulk memory instructions. The memory array is cached in a local (reloaded
 * after calls and memory.grow); each access computes its effective address with {@link
 * dev.cella.vm.Numerics#effectiveAddress}, which applies the interpreter's bounds rule and
 * signals out-of-bounds (turned into the trap at this pc), then reads or writes through {@link
 * dev.cella.vm.Memory}'s little-endian static accessors. No virtual call on the hot path: both
 * helpers are static and small enough for C2 to inline.
 */
final class MemoryEmitter {
    private static final String M = MethodEmitter.MEMORY;

    private MemoryEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case I32_LOAD -> load(e, in, 4, () -> e.invokeStatic(M, "loadI32", "([BI)I"));
            case I64_LOAD -> load(e, in, 8, () -> e.invokeStatic(M, "loadI64", "([BI)J"));
            case F32_LOAD -> load(e, in, 4, () -> {
                e.invokeStatic(M, "loadI32", "([BI)I");
                e.invokeStatic("java/lang/Float", "intBitsToFloat", "(I)F");
            });
            case F64_LOAD -> load(e, in, 8, () -> {
                e.invokeStatic(M, "loadI64", "([BI)J");
                e.invokeStatic("java/lang/Double", "longBitsToDouble", "(J)D");
            });
            case I32_LOAD8_S -> load(e, in, 1, () -> e.mv.visitInsn(BALOAD));
            case I32_LOAD8_U -> load(e, in, 1, () -> byteUnsigned(e));
            case I32_LOAD16_S -> load(e, in, 2, () -> e.invokeStatic(M, "loadI16", "([BI)S"));
            case I32_LOAD16_U -> load(e, in, 2, () -> shortUnsigned(e));
            case I64_LOAD8_S -> load(e, in, 1, () -> {
                e.mv.visitInsn(BALOAD);
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD8_U -> load(e, in, 1, () -> {
                byteUnsigned(e);
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD16_S -> load(e, in, 2, () -> {
                e.invokeStatic(M, "loadI16", "([BI)S");
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD16_U -> load(e, in, 2, () -> {
                shortUnsigned(e);
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD32_S -> load(e, in, 4, () -> {
                e.invokeStatic(M, "loadI32", "([BI)I");
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD32_U -> load(e, in, 4, () -> {
                e.invokeStatic(M, "loadI32", "([BI)I");
                e.invokeStatic("java/lang/Integer", "toUnsignedLong", "(I)J");
            });
            case I32_STORE -> store(e, in, 4, () -> e.invokeStatic(M, "storeI32", "([BII)V"));
            case I64_STORE -> store(e, in, 8, () -> e.invokeStatic(M, "storeI64", "([BIJ)V"));
            case F32_STORE -> store(e, in, 4, () -> {
                e.invokeStatic("java/lang/Float", "floatToRawIntBits", "(F)I");
                e.invokeStatic(M, "storeI32", "([BII)V");
            });
            case F64_STORE -> store(e, in, 8, () -> {
                e.invokeStatic("java/lang/Double", "doubleToRawLongBits", "(D)J");
                e.invokeStatic(M, "storeI64", "([BIJ)V");
            });
            case I32_STORE8 -> store(e, in, 1, () -> e.mv.visitInsn(BASTORE));
            case I32_STORE16 -> store(e, in, 2, () -> {
                e.mv.visitInsn(I2S);
                e.invokeStatic(M, "storeI16", "([BIS)V");
            });
            case I64_STORE8 -> store(e, in, 1, () -> {
                e.mv.visitInsn(L2I);
                e.mv.visitInsn(BASTORE);
            });
            case I64_STORE16 -> store(e, in, 2, () -> {
                e.mv.visitInsn(L2I);
                e.mv.visitInsn(I2S);
                e.invokeStatic(M, "storeI16", "([BIS)V");
            });
            case I64_STORE32 -> store(e, in, 4, () -> {
                e.mv.visitInsn(L2I);
                e.invokeStatic(M, "storeI32", "([BII)V");
            });
            case MEMORY_SIZE -> {
                e.mv.visitVarInsn(ALOAD, e.mem);
                e.mv.visitInsn(ARRAYLENGTH);
                e.push(16);
                e.mv.visitInsn(IUSHR);
                e.store(in.intOperand(0));
            }
            case MEMORY_GROW -> {
                e.mv.visitVarInsn(ALOAD, 0);
                e.load(in.intOperand(1));
                e.invokeStatic(MethodEmitter.RUNTIME, "memoryGrow", "(L" + MethodEmitter.CTX + ";I)I");
                e.store(in.intOperand(0));
                e.reloadMemory();
            }
            case MEMORY_COPY -> bulk(e, in, "memoryCopy");
            case MEMORY_FILL -> bulk(e, in, "memoryFill");
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a memory instruction");
        }
    }

    /** Pushes the memory array and the checked effective address of the access. */
    private static void address(MethodEmitter e, Instruction in, int addressOperand, int width) {
        e.mv.visitVarInsn(ALOAD, e.mem);
        e.load(in.intOperand(addressOperand));
        e.push((int) in.operands()[addressOperand + 1]);
        e.push(width);
        e.mv.visitVarInsn(ALOAD, e.mem);
        e.mv.visitInsn(ARRAYLENGTH);
        e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.NUMERICS, "effectiveAddress", "(IIII)I"));
    }

    /** Operands {@code d, a, off}: {@code access} turns (memory, ea) into the typed value. */
    private static void load(MethodEmitter e, Instruction in, int width, Runnable access) {
        address(e, in, 1, width);
        access.run();
        e.store(in.intOperand(0));
    }

    /** Operands {@code a, off, v}: {@code access} consumes (memory, ea, value). */
    private static void store(MethodEmitter e, Instruction in, int width, Runnable access) {
        address(e, in, 0, width);
        e.load(in.intOperand(2));
        access.run();
    }

    private static void byteUnsigned(MethodEmitter e) {
        e.mv.visitInsn(BALOAD);
        e.push(0xFF);
        e.mv.visitInsn(IAND);
    }

    private static void shortUnsigned(MethodEmitter e) {
        e.invokeStatic(M, "loadI16", "([BI)S");
        e.push(0xFFFF);
        e.mv.visitInsn(IAND);
    }

    /** memory.copy / memory.fill: three i32 operands, checked by the Numerics helper before any write. */
    private static void bulk(MethodEmitter e, Instruction in, String helper) {
        e.mv.visitVarInsn(ALOAD, e.mem);
        e.load(in.intOperand(0));
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.NUMERICS, helper, "([BIII)V"));
    }
}
