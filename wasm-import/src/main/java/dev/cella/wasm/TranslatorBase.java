package dev.cella.wasm;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import java.util.ArrayList;
import java.util.List;

/**
 * State and primitives shared by the parts of a function translator: the Wasm operand and
 * control stacks with validation (the specification's algorithm, including the polymorphic
 * stack of unreachable code), and the ways a value reaches a register.
 *
 * <p>Two notions of "unreachable" are kept apart: {@link Frame#unreachable} is the
 * specification's validation flag of one control frame (the stack below it is polymorphic after
 * br, return...), while {@link CodeBuilder#reachable()} says whether any Cella code can reach the
 * current point, which also covers whole blocks nested in dead code.
 */
abstract class TranslatorBase {
    /** A control frame: the function body, a block, a loop or an if. */
    static final class Frame {
        static final int FUNCTION = 0;
        static final int BLOCK = 1;
        static final int LOOP = 2;
        static final int IF = 3;
        /** A legacy try: a block whose calls and throws go to {@link #handler} until its first catch. */
        static final int TRY = 4;
        /** A try_table: a block whose calls and throws go to {@link #handler}. */
        static final int TRY_TABLE = 5;

        final int kind;
        final FuncType type;
        /** Operand stack height below the frame's parameters. */
        final int height;
        /** The branch target: a loop's header, other blocks' end; -1 for the function (branches return). */
        final int label;
        /** An if's else part until the else is seen, then -1. */
        int elseLabel = -1;
        /** The specification's validation flag: the rest of the frame is unreachable. */
        boolean unreachable;
        /** A try's or try_table's exception handler, else null. */
        ExceptionHandler handler;
        /** A try past its first catch or catch_all: its handler no longer covers the code. */
        boolean catching;
        /** True if reachable code branches to {@link #label}. */
        boolean branched;
        /** True if code could reach the frame's start (for an if: the else part is reachable). */
        final boolean entryReachable;
        final long offset;

        Frame(int kind, FuncType type, int height, int label, boolean entryReachable, long offset) {
            this.kind = kind;
            this.type = type;
            this.height = height;
            this.label = label;
            this.entryReachable = entryReachable;
            this.offset = offset;
        }

        /** The types a branch to this frame carries: a loop's parameters, other frames' results. */
        List<ValType> labelTypes() {
            return kind == LOOP ? type.params() : type.results();
        }
    }

    final WasmInput in;
    final Registers regs;
    final OperandStack stack;
    final CodeBuilder code = new CodeBuilder();
    final List<Frame> frames = new ArrayList<>();
    /** Number of enclosing loops: constants used inside one are hoisted to the prologue. */
    int loopDepth;
    /** Offset of the instruction being translated, for messages. */
    long at;

    TranslatorBase(WasmInput in, Registers regs) {
        this.in = in;
        this.regs = regs;
        this.stack = new OperandStack(regs.locals());
    }

    final WasmException invalid(String reason) {
        return WasmException.invalid(at, reason);
    }

    final Frame top() {
        return frames.get(frames.size() - 1);
    }

    /** Marks the rest of the current frame unreachable (after br, br_table, return, unreachable). */
    final void setUnreachable() {
        Frame f = top();
        stack.truncate(f.height);
        f.unreachable = true;
        code.reachable(false);
    }

    /** How many entries of the current frame are on the stack. */
    final int available() {
        return stack.size() - top().height;
    }

    private static String typeName(ValType t) {
        return t == null ? "a value" : t.text;
    }

    /**
     * Checks that the entry {@code k} places below the top has type {@code expected} (or is
     * absent in unreachable code, where the stack is polymorphic), without consuming it.
     *
     * @return the stack index of the entry, or -1 if it is absent (unknown, unreachable code)
     */
    final int check(int k, ValType expected) {
        if (k >= available()) {
            if (top().unreachable) {
                return -1;
            }
            throw invalid("type mismatch: expected " + typeName(expected) + " but the operand stack "
                    + (available() == 0 ? "is empty" : "has only " + available() + " value" + (available() == 1 ? "" : "s"))
                    + " in this block");
        }
        int i = stack.size() - 1 - k;
        ValType actual = stack.type(i);
        if (expected != null && actual != null && actual != expected) {
            throw invalid("type mismatch: expected " + expected + " but found " + actual);
        }
        return i;
    }

    /** Checks that the top values match {@code types} (the last type on top), without consuming them. */
    final void checkValues(List<ValType> types) {
        int n = types.size();
        for (int k = 0; k < n; k++) {
            check(k, types.get(n - 1 - k));
        }
    }

    /** Removes the top {@code n} entries (fewer if the polymorphic part of the stack is reached). */
    final void popN(int n) {
        stack.truncate(Math.max(top().height, stack.size() - n));
    }

    /**
     * Checks the entry {@code k} below the top against {@code expected} and returns a register
     * holding its value, emitting a load for a constant. Does not pop.
     *
     * @return the register, or 0 in unreachable code where the entry is unknown
     */
    final int operand(int k, ValType expected) {
        int i = check(k, expected);
        return i < 0 ? 0 : register(i, true);
    }

    /**
     * A register holding the value of stack entry {@code i}. A constant is loaded into its slot
     * register (outside loops); if {@code record}, the entry then becomes a REG entry, which is
     * only right on a path that every later use of the entry follows: code that runs on one
     * branch only (a conditional return) passes false.
     */
    final int register(int i, boolean record) {
        return switch (stack.kind(i)) {
            case OperandStack.REG, OperandStack.LOCAL -> stack.reg(i);
            case OperandStack.CONST -> {
                ValType t = stack.type(i);
                if (loopDepth > 0) {
                    // Loaded once in the prologue: the loop body then needs no instruction for it.
                    yield code.reachable() ? regs.constant(t, stack.bits(i)) : 0;
                }
                int r = regs.slot(i, t);
                code.emit(CodeBuilder.constOp(t), r, stack.bits(i));
                if (record) {
                    stack.setReg(i, r);
                }
                yield r;
            }
            default -> 0;
        };
    }

    /** Pushes a value of type {@code type} computed into its slot register, which it returns. */
    final int pushResult(ValType type) {
        int r = regs.slot(stack.size(), type);
        stack.pushReg(type, r);
        return r;
    }

    /** Emits what copies stack entry {@code i} into register {@code dst} (nothing if it is there). */
    final void moveEntry(int i, int dst) {
        switch (stack.kind(i)) {
            case OperandStack.REG, OperandStack.LOCAL -> {
                if (stack.reg(i) != dst) {
                    code.emit(CodeBuilder.movOp(stack.type(i)), dst, stack.reg(i));
                    if (stack.type(i) == ValType.V128) {
                        code.emit(Opcode.I64_MOV, dst + 1, stack.reg(i) + 1);
                    }
                }
            }
            case OperandStack.CONST -> code.emit(CodeBuilder.constOp(stack.type(i)), dst, stack.bits(i));
            default -> {
                // An unknown value only exists in unreachable code, which emits nothing.
            }
        }
    }

    /** Makes stack entry {@code i} a REG entry in its slot register, emitting a copy or load if needed. */
    final void toSlot(int i) {
        if (stack.kind(i) == OperandStack.UNKNOWN || stack.kind(i) == OperandStack.REG) {
            return;
        }
        int dst = regs.slot(i, stack.type(i));
        moveEntry(i, dst);
        stack.setReg(i, dst);
    }

    /**
     * Copies every deferred local read on the stack into its slot: done before control flow
     * splits or merges (a local may be written on one path only) and before a local is written.
     */
    final void spillLocals() {
        if (stack.totalLocalRefs() == 0) {
            return;
        }
        for (int i = 0; i < stack.size(); i++) {
            if (stack.kind(i) == OperandStack.LOCAL) {
                toSlot(i);
            }
        }
    }

    /** Copies the deferred reads of local {@code local} on the stack below entry {@code below} into their slots. */
    final void spillLocal(int local, int below) {
        for (int i = 0; i < below && stack.localRefs(local) > 0; i++) {
            if (stack.kind(i) == OperandStack.LOCAL && stack.reg(i) == local) {
                toSlot(i);
            }
        }
    }

    /**
     * True if passing the top {@code n} values to a frame of height {@code height} needs
     * instructions: unless they are already in that frame's result slots.
     */
    final boolean needsMoves(int n, int height) {
        if (n == 0) {
            return false;
        }
        if (stack.size() - n != height) {
            return true;
        }
        for (int i = stack.size() - n; i < stack.size(); i++) {
            if (stack.kind(i) != OperandStack.REG) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies the top {@code types.size()} values into the slots of a frame of height {@code height}.
     * Sources are copied in stack order, which never overwrites a source before it is read: the
     * source for slot height+i is at depth >= height+i, and slot registers are per depth.
     */
    final void moveValues(List<ValType> types, int height) {
        int n = types.size();
        int first = stack.size() - n;
        for (int i = 0; i < n; i++) {
            if (first + i >= 0) {
                moveEntry(first + i, regs.slot(height + i, types.get(i)));
            }
        }
    }

    /**
     * The Cella register list of values of {@code types} held in {@code regs}: each v128 value's
     * register r becomes r, r+1 (calls and returns pass a v128 as two i64 values).
     */
    static int[] pairs(int[] regs, List<ValType> types) {
        if (!types.contains(ValType.V128)) {
            return regs;
        }
        int[] out = new int[regs.length + (int) types.stream().filter(t -> t == ValType.V128).count()];
        int n = 0;
        for (int i = 0; i < regs.length; i++) {
            out[n++] = regs[i];
            if (types.get(i) == ValType.V128) {
                out[n++] = regs[i] + 1;
            }
        }
        return out;
    }

    /**
     * Registers holding the top {@code types.size()} values, bottom first, after checking their
     * types; constants are loaded ({@code record} as for {@link #register}).
     */
    final int[] valueRegisters(List<ValType> types, boolean record) {
        return valueRegisters(types, record, 0);
    }

    /** As {@link #valueRegisters(List, boolean)} for values lying below the top {@code above} entries. */
    final int[] valueRegisters(List<ValType> types, boolean record, int above) {
        int n = types.size();
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            int i = check(k + above, types.get(n - 1 - k));
            out[n - 1 - k] = i < 0 ? 0 : register(i, record);
        }
        return out;
    }
}
