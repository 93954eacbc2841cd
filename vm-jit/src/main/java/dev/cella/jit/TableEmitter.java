package dev.cella.jit;

import static org.objectweb.asm.Opcodes.ALOAD;

import dev.cella.isa.code.Instruction;

/**
 * The table instructions: each a call of its {@link JitRuntime} helper, which runs the shared
 * semantics ({@link dev.cella.vm.TableOps}) on the context's tables. The bulk ones (grow, fill,
 * copy, init) store the fuel window first and reload it after, since the helper charges them by
 * the rule of {@link dev.cella.vm.BulkWork}; every helper that can trap runs in a trapping region
 * of the instruction's pc.
 */
final class TableEmitter {
    private static final String CTX = "L" + MethodEmitter.CTX + ";";

    private TableEmitter() {}

    static void emit(MethodEmitter e, Instruction in) {
        switch (in.opcode()) {
            case FUNCREF_TABLE_GET, EXTERNREF_TABLE_GET -> {
                context(e, in.intOperand(1));
                e.load(in.intOperand(2));
                e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.RUNTIME, "tableGet", "(" + CTX + "II)J"));
                e.store(in.intOperand(0));
            }
            case FUNCREF_TABLE_SET, EXTERNREF_TABLE_SET -> {
                context(e, in.intOperand(0));
                e.load(in.intOperand(1));
                e.load(in.intOperand(2));
                e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.RUNTIME, "tableSet", "(" + CTX + "IIJ)V"));
            }
            case TABLE_SIZE -> {
                context(e, in.intOperand(1));
                e.invokeStatic(MethodEmitter.RUNTIME, "tableSize", "(" + CTX + "I)I");
                e.store(in.intOperand(0));
            }
            case FUNCREF_TABLE_GROW, EXTERNREF_TABLE_GROW -> {
                e.storeFuel();
                context(e, in.intOperand(1));
                e.load(in.intOperand(2));
                e.load(in.intOperand(3));
                e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.RUNTIME, "tableGrow", "(" + CTX + "IJI)I"));
                e.store(in.intOperand(0));
                e.reloadFuel();
            }
            case FUNCREF_TABLE_FILL, EXTERNREF_TABLE_FILL -> {
                e.storeFuel();
                context(e, in.intOperand(0));
                e.load(in.intOperand(1));
                e.load(in.intOperand(2));
                e.load(in.intOperand(3));
                e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.RUNTIME, "tableFill", "(" + CTX + "IIJI)V"));
                e.reloadFuel();
            }
            case TABLE_COPY, TABLE_INIT -> {
                e.storeFuel();
                context(e, in.intOperand(0));
                e.push(in.intOperand(1));
                e.load(in.intOperand(2));
                e.load(in.intOperand(3));
                e.load(in.intOperand(4));
                String helper = in.opcode() == dev.cella.isa.Opcode.TABLE_COPY ? "tableCopy" : "tableInit";
                e.trapping(in.pc(), () -> e.invokeStatic(MethodEmitter.RUNTIME, helper, "(" + CTX + "IIIII)V"));
                e.reloadFuel();
            }
            case ELEM_DROP -> {
                context(e, in.intOperand(0));
                e.invokeStatic(MethodEmitter.RUNTIME, "elemDrop", "(" + CTX + "I)V");
            }
            default -> throw new IllegalArgumentException(in.opcode().mnemonic + " is not a table instruction");
        }
    }

    /** Pushes the context and the index {@code index} (of a table or segment). */
    private static void context(MethodEmitter e, int index) {
        e.mv.visitVarInsn(ALOAD, 0);
        e.push(index);
    }
}
