package dev.cella.wasm;

import dev.cella.isa.ValType;
import java.util.Arrays;

/**
 * The Wasm operand stack during translation, one abstract entry per value. An entry says where
 * the value will be at run time, so that most Wasm stack traffic costs no Cella instruction:
 * <ul>
 *   <li>{@link #REG}: in the stack-slot register of its depth and type ({@link Registers#slot});
 *       this is an invariant: a REG entry at depth k is always in {@code slot(k, type)};
 *   <li>{@link #LOCAL}: in the register of a Wasm local (a deferred {@code local.get}); valid until
 *       that local is written, at which point the translator copies it into its slot first;
 *   <li>{@link #CONST}: a constant not yet loaded into any register;
 *   <li>{@link #UNKNOWN}: a value of unknown type in unreachable code (Wasm's polymorphic stack).
 * </ul>
 * The stack also counts LOCAL entries per local, so a write to a local only scans the stack when
 * a deferred read of it is pending.
 */
final class OperandStack {
    static final int REG = 0;
    static final int LOCAL = 1;
    static final int CONST = 2;
    static final int UNKNOWN = 3;

    private ValType[] types = new ValType[16];
    private int[] kinds = new int[16];
    /** The register of a REG or LOCAL entry. */
    private int[] regs = new int[16];
    /** The raw bits of a CONST entry. */
    private long[] bits = new long[16];
    private int size;
    /** For each local, how many LOCAL entries refer to it. */
    private final int[] localRefs;
    private int totalLocalRefs;

    OperandStack(int locals) {
        this.localRefs = new int[locals];
    }

    int size() {
        return size;
    }

    ValType type(int i) {
        return types[i];
    }

    int kind(int i) {
        return kinds[i];
    }

    int reg(int i) {
        return regs[i];
    }

    long bits(int i) {
        return bits[i];
    }

    /** Number of pending deferred reads of local {@code local}. */
    int localRefs(int local) {
        return localRefs[local];
    }

    /** Number of pending deferred reads of any local. */
    int totalLocalRefs() {
        return totalLocalRefs;
    }

    private void grow() {
        if (size == kinds.length) {
            int n = size * 2;
            types = Arrays.copyOf(types, n);
            kinds = Arrays.copyOf(kinds, n);
            regs = Arrays.copyOf(regs, n);
            bits = Arrays.copyOf(bits, n);
        }
    }

    private void push(ValType type, int kind, int reg, long value) {
        grow();
        types[size] = type;
        kinds[size] = kind;
        regs[size] = reg;
        bits[size] = value;
        size++;
        if (kind == LOCAL) {
            localRefs[reg]++;
            totalLocalRefs++;
        }
    }

    /** Pushes a value held in the slot register {@code reg} of the new top's depth. */
    void pushReg(ValType type, int reg) {
        push(type, REG, reg, 0);
    }

    void pushLocal(ValType type, int local) {
        push(type, LOCAL, local, 0);
    }

    void pushConst(ValType type, long value) {
        push(type, CONST, -1, value);
    }

    void pushUnknown() {
        push(null, UNKNOWN, -1, 0);
    }

    /** Removes the top entry. */
    void pop() {
        size--;
        if (kinds[size] == LOCAL) {
            localRefs[regs[size]]--;
            totalLocalRefs--;
        }
    }

    /** Pops entries until {@code newSize} remain. */
    void truncate(int newSize) {
        while (size > newSize) {
            pop();
        }
    }

    /**
     * Records that entry {@code i} now lives in slot register {@code reg} (after the translator
     * emitted the instruction that put it there).
     */
    void setReg(int i, int reg) {
        if (kinds[i] == LOCAL) {
            localRefs[regs[i]]--;
            totalLocalRefs--;
        }
        kinds[i] = REG;
        regs[i] = reg;
    }
}
