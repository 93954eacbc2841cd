package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.code.Instruction;

/**
 * Loads, stores and the bulk memory instructions. The memory array is cached in a local (reloaded
 * after calls and memory.grow); each access reads or writes it through a JVM byte-array
 * instruction or {@link MemoryAccess} (byte-array view var handles), at an int index computed so
 * that <em>their own</em> bounds check is the guest's:
 *
 * <ul>
 *   <li>The guest's rule: with the address {@code a} read as unsigned and the static offset
 *       {@code off} (u32), the access is in bounds iff {@code a + off + width <= size}, computed
 *       without wrapping. The array is exactly as long as memory, and memory is below 2 GiB.
 *   <li>{@code off == 0}: the index is {@code a}. An address of 2 GiB or more is a negative int,
 *       which the array check rejects, as it rejects {@code a + width > size}.
 *   <li>{@code 0 < off < 2^31}: {@code a} itself is checked to be below 2 GiB ({@link
 *       java.util.Objects#checkIndex}{@code (a, MAX_VALUE)}), then the index is {@code a + off},
 *       a negative int exactly when it passes 2 GiB, so the sum never wraps back into range. Both
 *       checks are linear in {@code a}, so C2 can hoist them out of counted loops.
 *   <li>{@code off >= 2^31}: always out of bounds; the index is -1.
 * </ul>
 *
 * The checks' {@link IndexOutOfBoundsException} is caught by exception-table entries covering
 * only the check and the access and becomes the out-of-bounds trap at this pc; a store that
 * fails writes nothing. So each access is one or two unsigned compares, the array's own among
 * them, which C2 can hoist or eliminate like any Java array check.
 */
final class MemoryEmitter {
    private static final String M = MemoryAccess.NAME;

    private MemoryEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case I32_LOAD -> load(e, in, () -> e.invokeStatic(M, "loadI32", "([BI)I"));
            case I64_LOAD -> load(e, in, () -> e.invokeStatic(M, "loadI64", "([BI)J"));
            case F32_LOAD -> load(e, in, () -> {
                e.invokeStatic(M, "loadI32", "([BI)I");
                e.invokeStatic("java/lang/Float", "intBitsToFloat", "(I)F");
            });
            case F64_LOAD -> load(e, in, () -> {
                e.invokeStatic(M, "loadI64", "([BI)J");
                e.invokeStatic("java/lang/Double", "longBitsToDouble", "(J)D");
            });
            case I32_LOAD8_S -> load(e, in, () -> e.mv.visitInsn(BALOAD));
            case I32_LOAD8_U -> load(e, in, () -> byteUnsigned(e));
            case I32_LOAD16_S -> load(e, in, () -> e.invokeStatic(M, "loadI16", "([BI)S"));
            case I32_LOAD16_U -> load(e, in, () -> shortUnsigned(e));
            case I64_LOAD8_S -> load(e, in, () -> {
                e.mv.visitInsn(BALOAD);
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD8_U -> load(e, in, () -> {
                byteUnsigned(e);
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD16_S -> load(e, in, () -> {
                e.invokeStatic(M, "loadI16", "([BI)S");
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD16_U -> load(e, in, () -> {
                shortUnsigned(e);
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD32_S -> load(e, in, () -> {
                e.invokeStatic(M, "loadI32", "([BI)I");
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD32_U -> load(e, in, () -> {
                e.invokeStatic(M, "loadI32", "([BI)I");
                e.invokeStatic("java/lang/Integer", "toUnsignedLong", "(I)J");
            });
            case I32_STORE -> store(e, in, () -> e.invokeStatic(M, "storeI32", "([BII)V"));
            case I64_STORE -> store(e, in, () -> e.invokeStatic(M, "storeI64", "([BIJ)V"));
            case F32_STORE -> store(e, in, () -> {
                e.invokeStatic("java/lang/Float", "floatToRawIntBits", "(F)I");
                e.invokeStatic(M, "storeI32", "([BII)V");
            });
            case F64_STORE -> store(e, in, () -> {
                e.invokeStatic("java/lang/Double", "doubleToRawLongBits", "(D)J");
                e.invokeStatic(M, "storeI64", "([BIJ)V");
            });
            case I32_STORE8 -> store(e, in, () -> e.mv.visitInsn(BASTORE));
            case I32_STORE16 -> store(e, in, () -> {
                e.mv.visitInsn(I2S);
                e.invokeStatic(M, "storeI16", "([BIS)V");
            });
            case I64_STORE8 -> store(e, in, () -> {
                e.mv.visitInsn(L2I);
                e.mv.visitInsn(BASTORE);
            });
            case I64_STORE16 -> store(e, in, () -> {
                e.mv.visitInsn(L2I);
                e.mv.visitInsn(I2S);
                e.invokeStatic(M, "storeI16", "([BIS)V");
            });
            case I64_STORE32 -> store(e, in, () -> {
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
                e.storeFuel();
                e.mv.visitVarInsn(ALOAD, 0);
                e.load(in.intOperand(1));
                e.trapping(in.pc(),
                        () -> e.invokeStatic(MethodEmitter.RUNTIME, "memoryGrow", "(L" + MethodEmitter.CTX + ";I)I"));
                e.store(in.intOperand(0));
                e.reloadFuel();
                e.reloadMemory();
            }
            case MEMORY_COPY -> bulk(e, in, "memoryCopy");
            case MEMORY_FILL -> bulk(e, in, "memoryFill");
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a memory instruction");
        }
    }

    /** Pushes the memory array and the access's index (see the class comment). */
    private static void address(MethodEmitter e, Instruction in, int addressOperand) {
        e.mv.visitVarInsn(ALOAD, e.mem);
        long off = in.operands()[addressOperand + 1];
        if (off == 0) {
            e.load(in.intOperand(addressOperand));
        } else if (off < (1L << 31)) {
            e.load(in.intOperand(addressOperand));
            e.push(Integer.MAX_VALUE);
            e.boundsChecked(in.pc(), () -> e.invokeStatic("java/util/Objects", "checkIndex", "(II)I"));
            e.push((int) off);
            e.mv.visitInsn(IADD);
        } else {
            e.mv.visitInsn(ICONST_M1);
        }
    }

    /** Operands {@code d, a, off}: {@code access} turns (memory, index) into the typed value. */
    private static void load(MethodEmitter e, Instruction in, Runnable access) {
        address(e, in, 1);
        e.boundsChecked(in.pc(), access);
        e.store(in.intOperand(0));
    }

    /** Operands {@code a, off, v}: {@code access} consumes (memory, index, value). */
    private static void store(MethodEmitter e, Instruction in, Runnable access) {
        address(e, in, 0);
        e.loadWritten(in.intOperand(2));
        e.boundsChecked(in.pc(), access);
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

    /**
     * memory.copy / memory.fill: three i32 operands, checked, charged and done by the {@link
     * JitRuntime} helper (the rule of {@link dev.cella.vm.BulkWork}), which takes and gives back
     * the fuel window through the context.
     */
    private static void bulk(MethodEmitter e, Instruction in, String helper) {
        e.storeFuel();
        e.mv.visitVarInsn(ALOAD, 0);
        e.mv.visitVarInsn(ALOAD, e.mem);
        e.load(in.intOperand(0));
        e.load(in.intOperand(1));
        e.load(in.intOperand(2));
        e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.RUNTIME, helper, "(L" + MethodEmitter.CTX + ";[BIII)V"));
        e.reloadFuel();
    }
}
