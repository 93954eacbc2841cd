package dev.cella.jit;

import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.Opcode;
import dev.cella.isa.OperandKind;
import dev.cella.isa.code.Instruction;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Label;

/**
 * Merges the canonical-NaN checks of nearby float stores into one test. A store whose value
 * {@link RegisterFlow#canonicalAtUse} would canonicalize (an arithmetic result) writes it
 * unchecked instead, and joins the <em>window</em>; its value is added into an accumulator
 * ({@code acc}, a double local). The window is closed (<em>flushed</em>) before anything that
 * could see the raw bits: one test of the accumulator, NaN exactly when some stored value was
 * (or, rarely, when infinities of both signs were summed), and only then a cold fix-up that
 * reads back each pending store's bytes and replaces a NaN there by the canonical NaN. One
 * compare and branch per window instead of one per store: C2 keeps a block's arithmetic
 * together instead of cutting it at every store's never-taken branch.
 *
 * <p>Why nothing observable changes. While a store is pending, only its own memory bytes may
 * differ from the interpreter's, and only in a NaN's payload. An instruction runs inside the
 * window only if it cannot see those bytes or their absence:
 * <ul>
 *   <li>register instructions that neither read memory nor end a block (a trap they raise goes
 *       through a handler that fixes the pending stores up first, so the memory a trap leaves
 *       is the interpreter's);
 *   <li>loads whose bytes are disjoint from every pending store's: same address register, not
 *       redefined since, and offset ranges that do not meet (their bounds trap is fixed up too);
 *   <li>further joining stores at the same address register whose bytes are disjoint from or
 *       exactly those of each pending store (an exact overwrite leaves the later value, which
 *       the fix-up then reads back; a partial one could hide the earlier NaN, so it flushes).
 * </ul>
 * Everything else (other memory instructions, calls, branches, terminators, block leaders, the
 * end of the method, an instruction that redefines a pending store's address register) flushes
 * first. Every pending address held a successful store, so the fix-up's accesses cannot fail.
 */
final class StoreCheckWindow {
    /** A store written unchecked: its address register, static offset (below 2^31) and width. */
    record Pending(int base, int offset, int width) {}

    private final MethodEmitter e;
    /** Slot of the double accumulator. */
    private final int acc;
    private final List<Pending> pending = new ArrayList<>();
    private final BitSet use = new BitSet();
    private final BitSet def = new BitSet();

    StoreCheckWindow(MethodEmitter e, int acc) {
        this.e = e;
        this.acc = acc;
    }

    /** Assigns the accumulator in the prologue (every local is assigned there, see {@link MethodEmitter}). */
    void initialize() {
        e.mv.visitInsn(DCONST_0);
        e.mv.visitVarInsn(DSTORE, acc);
    }

    /** True if instruction {@code i} is a float store whose check this window takes over. */
    boolean joins(int i) {
        Instruction in = e.code.insns[i];
        Opcode op = in.opcode();
        return (op == Opcode.F32_STORE || op == Opcode.F64_STORE) && in.operands()[1] < (1L << 31)
                && e.flowCanonicalAtUse(i);
    }

    /** Before instruction {@code i} (and before its label): flushes unless it may run inside the window. */
    void before(int i, boolean labeled) {
        if (!pending.isEmpty() && (labeled || !fitsInside(i))) {
            flush();
        }
    }

    /** After instruction {@code i} was emitted: a joining store adds its value and becomes pending. */
    void after(int i) {
        if (!joins(i)) {
            return;
        }
        Instruction in = e.code.insns[i];
        int value = in.intOperand(2);
        e.load(value);
        if (in.opcode() == Opcode.F32_STORE) {
            e.mv.visitInsn(F2D);
        }
        if (!pending.isEmpty()) {
            e.mv.visitVarInsn(DLOAD, acc);
            e.mv.visitInsn(DADD);
        }
        e.mv.visitVarInsn(DSTORE, acc);
        pending.add(new Pending(in.intOperand(0), (int) in.operands()[1], width(in.opcode())));
    }

    /** The pending stores a trap handler emitted now must fix up, or null if none. */
    List<Pending> snapshot() {
        return pending.isEmpty() ? null : List.copyOf(pending);
    }

    /** Closes the window: tests the accumulator, fixing the pending stores up (cold) if it is NaN. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Pending> stores = List.copyOf(pending);
        pending.clear();
        Label fix = new Label();
        Label back = new Label();
        e.mv.visitVarInsn(DLOAD, acc);
        e.mv.visitVarInsn(DLOAD, acc);
        e.mv.visitInsn(DCMPL);
        e.mv.visitJumpInsn(IFNE, fix);
        e.mv.visitLabel(back);
        e.stub(() -> {
            e.mv.visitLabel(fix);
            emitFix(stores);
            e.mv.visitJumpInsn(GOTO, back);
        });
    }

    /** Replaces a NaN at each of {@code stores}' bytes by the canonical NaN; leaves the stack as it was. */
    void emitFix(List<Pending> stores) {
        for (Pending p : stores) {
            e.mv.visitVarInsn(ALOAD, e.mem);
            e.load(p.base());
            if (p.offset() != 0) {
                e.push(p.offset());
                e.mv.visitInsn(IADD);
            }
            e.invokeStatic(MemoryAccess.NAME, p.width() == 8 ? "canonicalizeF64" : "canonicalizeF32", "([BI)V");
        }
    }

    private boolean fitsInside(int i) {
        Instruction in = e.code.insns[i];
        Opcode op = in.opcode();
        if (op.endsBlock()) {
            return false;
        }
        use.clear();
        def.clear();
        RegionPlan.registers(in, use, def);
        for (Pending p : pending) {
            if (def.get(p.base())) {
                return false;
            }
        }
        if (!op.usesMemory()) {
            return true;
        }
        boolean store = joins(i);
        boolean load = op.operands().get(0).kind() == OperandKind.DEF;
        int width = width(op);
        if (width == 0 || (!store && !load)) {
            return false;
        }
        int base = in.intOperand(store ? 0 : 1);
        long off = in.operands()[store ? 1 : 2];
        if (off >= (1L << 31)) {
            return false;
        }
        int offset = (int) off;
        for (Pending p : pending) {
            if (p.base() != base) {
                return false;
            }
            boolean disjoint = offset + width <= p.offset() || p.offset() + p.width() <= offset;
            boolean same = store && offset == p.offset() && width == p.width();
            if (!disjoint && !same) {
                return false;
            }
        }
        return true;
    }

    /** Bytes a load or store accesses, 0 for the other memory instructions. */
    static int width(Opcode op) {
        return switch (op) {
            case I32_LOAD8_S, I32_LOAD8_U, I64_LOAD8_S, I64_LOAD8_U, I32_STORE8, I64_STORE8 -> 1;
            case I32_LOAD16_S, I32_LOAD16_U, I64_LOAD16_S, I64_LOAD16_U, I32_STORE16, I64_STORE16 -> 2;
            case I32_LOAD, F32_LOAD, I64_LOAD32_S, I64_LOAD32_U, I32_STORE, F32_STORE, I64_STORE32 -> 4;
            case I64_LOAD, F64_LOAD, I64_STORE, F64_STORE -> 8;
            default -> 0;
        };
    }
}
