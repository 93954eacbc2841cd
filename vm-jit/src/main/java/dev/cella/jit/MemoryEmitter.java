package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.code.Instruction;
import org.objectweb.asm.Label;

/**
 * Loads, stores and the bulk memory instructions. The memory array and size are cached in locals
 * ({@code mem}, {@code memSize}; reloaded after calls and memory.grow); each access reads or
 * writes the array through a JVM byte-array instruction or {@link MemoryAccess} (byte-array view
 * var handles), at an int index checked first against the guest's bound by {@link
 * java.util.Objects#checkIndex}, which C2 turns into one unsigned compare it can hoist out of
 * counted loops like an array's own check:
 *
 * <ul>
 *   <li>The guest's rule: with the address {@code a} read as unsigned and the static offset
 *       {@code off} (u32), the access is in bounds iff {@code a + off + width <= size}, computed
 *       without wrapping. The size is below 2 GiB; the array may be longer (its capacity, see
 *       {@link dev.cella.vm.Memory}), so its own check is not the guest's and only backs it up.
 *   <li>{@code off < 2^30}: {@code checkIndex(a, size - (width - 1 + off))}, which fails for an
 *       address of 2 GiB or more (a negative int) and exactly when {@code a + off + width > size}
 *       otherwise (the bound does not wrap: it is above {@code -2^31}); then the index is {@code
 *       a + off}. One compare.
 *   <li>{@code 2^30 <= off < 2^31}: {@code a} is checked to be below 2 GiB ({@code checkIndex(a,
 *       MAX_VALUE)}), then the index {@code a + off}, a negative int exactly when it passes 2
 *       GiB, is checked with {@code checkIndex(index, size - (width - 1))}.
 *   <li>{@code off >= 2^31}: always out of bounds; the index is -1, which the check rejects.
 * </ul>
 *
 * The checks' {@link IndexOutOfBoundsException} is caught by exception-table entries covering
 * only the checks and the access and becomes the out-of-bounds trap at this pc; a store whose
 * check fails writes nothing (the check comes before the value is even pushed). Code for C1
 * ({@link JitEngine.Options#clientShapes}) makes the first form's check by two jumps to a trap
 * stub instead, with no handler, and reads and writes in single bytes ({@link MemoryAccess}).
 */
final class MemoryEmitter {
    private static final String M = MemoryAccess.NAME;

    private MemoryEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case I32_LOAD -> load(e, in, () -> access(e, "loadI32", "([BI)I"));
            case I64_LOAD -> load(e, in, () -> access(e, "loadI64", "([BI)J"));
            case F32_LOAD -> load(e, in, () -> {
                access(e, "loadI32", "([BI)I");
                e.invokeStatic("java/lang/Float", "intBitsToFloat", "(I)F");
            });
            case F64_LOAD -> load(e, in, () -> {
                access(e, "loadI64", "([BI)J");
                e.invokeStatic("java/lang/Double", "longBitsToDouble", "(J)D");
            });
            case I32_LOAD8_S -> load(e, in, () -> e.mv.visitInsn(BALOAD));
            case I32_LOAD8_U -> load(e, in, () -> byteUnsigned(e));
            case I32_LOAD16_S -> load(e, in, () -> access(e, "loadI16", "([BI)S"));
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
                access(e, "loadI16", "([BI)S");
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD16_U -> load(e, in, () -> {
                shortUnsigned(e);
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD32_S -> load(e, in, () -> {
                access(e, "loadI32", "([BI)I");
                e.mv.visitInsn(I2L);
            });
            case I64_LOAD32_U -> load(e, in, () -> {
                access(e, "loadI32", "([BI)I");
                e.invokeStatic("java/lang/Integer", "toUnsignedLong", "(I)J");
            });
            case I32_STORE -> store(e, in, () -> access(e, "storeI32", "([BII)V"));
            case I64_STORE -> store(e, in, () -> access(e, "storeI64", "([BIJ)V"));
            case F32_STORE -> store(e, in, () -> {
                e.invokeStatic("java/lang/Float", "floatToRawIntBits", "(F)I");
                access(e, "storeI32", "([BII)V");
            });
            case F64_STORE -> store(e, in, () -> {
                e.invokeStatic("java/lang/Double", "doubleToRawLongBits", "(D)J");
                access(e, "storeI64", "([BIJ)V");
            });
            case I32_STORE8 -> store(e, in, () -> e.mv.visitInsn(BASTORE));
            case I32_STORE16 -> store(e, in, () -> {
                e.mv.visitInsn(I2S);
                access(e, "storeI16", "([BIS)V");
            });
            case I64_STORE8 -> store(e, in, () -> {
                e.mv.visitInsn(L2I);
                e.mv.visitInsn(BASTORE);
            });
            case I64_STORE16 -> store(e, in, () -> {
                e.mv.visitInsn(L2I);
                e.mv.visitInsn(I2S);
                access(e, "storeI16", "([BIS)V");
            });
            case I64_STORE32 -> store(e, in, () -> {
                e.mv.visitInsn(L2I);
                access(e, "storeI32", "([BII)V");
            });
            case MEMORY_SIZE -> {
                e.mv.visitVarInsn(ILOAD, e.memSize);
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

    /**
     * Pushes the memory array and the access's index, checked against the size (see the class
     * comment); true if the check jumps to a trap stub instead of throwing under a handler, which
     * code for C1 does ({@link JitEngine.Options#clientShapes}) for offsets below 2^30.
     */
    private static boolean address(MethodEmitter e, Instruction in, int addressOperand) {
        long off = in.operands()[addressOperand + 1];
        int width = StoreCheckWindow.width(in.opcode());
        if (width <= 0) {
            throw new IllegalStateException(in.opcode().mnemonic + " has no access width in StoreCheckWindow.width");
        }
        int last = width - 1;
        if (e.clientShapes && off < (1L << 30)) {
            // For C1: checkIndex's rule by two jumps to a stub, so no exception handler per access.
            int a = in.intOperand(addressOperand);
            Label fail = e.boundsExit(in.pc());
            e.load(a);
            e.mv.visitJumpInsn(IFLT, fail);
            e.load(a);
            e.mv.visitVarInsn(ILOAD, e.memSize);
            if (last + off != 0) {
                e.push(last + (int) off);
                e.mv.visitInsn(ISUB);
            }
            e.mv.visitJumpInsn(IF_ICMPGE, fail);
            e.mv.visitVarInsn(ALOAD, e.mem);
            e.load(a);
            if (off != 0) {
                e.push((int) off);
                e.mv.visitInsn(IADD);
            }
            return true;
        }
        e.mv.visitVarInsn(ALOAD, e.mem);
        if (off < (1L << 30)) {
            e.load(in.intOperand(addressOperand));
            checkBelowSize(e, in, last + (int) off);
            if (off != 0) {
                e.push((int) off);
                e.mv.visitInsn(IADD);
            }
            return false;
        } else {
            if (off < (1L << 31)) {
                e.load(in.intOperand(addressOperand));
                e.push(Integer.MAX_VALUE);
                e.boundsChecked(in.pc(), () -> e.invokeStatic("java/util/Objects", "checkIndex", "(II)I"));
                e.push((int) off);
                e.mv.visitInsn(IADD);
            } else {
                e.mv.visitInsn(ICONST_M1);
            }
            checkBelowSize(e, in, last);
            return false;
        }
    }

    /** Checks the int on the stack, leaving it there: {@code 0 <= it < size - slack}, else the bounds trap. */
    private static void checkBelowSize(MethodEmitter e, Instruction in, int slack) {
        e.mv.visitVarInsn(ILOAD, e.memSize);
        if (slack != 0) {
            e.push(slack);
            e.mv.visitInsn(ISUB);
        }
        e.boundsChecked(in.pc(), () -> e.invokeStatic("java/util/Objects", "checkIndex", "(II)I"));
    }

    /** Operands {@code d, a, off}: {@code access} turns (memory, index) into the typed value. */
    private static void load(MethodEmitter e, Instruction in, Runnable access) {
        accessChecked(e, in, address(e, in, 1), access);
        e.store(in.intOperand(0));
    }

    /** Operands {@code a, off, v}: {@code access} consumes (memory, index, value). */
    private static void store(MethodEmitter e, Instruction in, Runnable access) {
        boolean checked = address(e, in, 0);
        e.loadWritten(in.intOperand(2));
        accessChecked(e, in, checked, access);
    }

    /**
     * The access itself: under a handler that turns its array check into the bounds trap, unless
     * the guest's check before it jumped to its own trap stub ({@code checked}): the memory's
     * array is never shorter than its size, so the array's check cannot fail after that one.
     */
    private static void accessChecked(MethodEmitter e, Instruction in, boolean checked, Runnable access) {
        if (checked) {
            access.run();
        } else {
            e.boundsChecked(in.pc(), access);
        }
    }

    /** Calls the {@link MemoryAccess} helper {@code name}, or its single-byte form for C1 (see there). */
    private static void access(MethodEmitter e, String name, String descriptor) {
        e.invokeStatic(M, e.clientShapes ? name + "Bytes" : name, descriptor);
    }

    private static void byteUnsigned(MethodEmitter e) {
        e.mv.visitInsn(BALOAD);
        e.push(0xFF);
        e.mv.visitInsn(IAND);
    }

    private static void shortUnsigned(MethodEmitter e) {
        access(e, "loadI16", "([BI)S");
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
