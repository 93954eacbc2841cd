package dev.cella.wasm;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured control flow: block, loop, if, else, end, br, br_if, br_table and return become
 * Cella labels and branches.
 *
 * <p>Values cross control flow in slot registers: a frame of height h with result types T0..Tn
 * receives its results in {@code slot(h + i, Ti)} on every path (a loop receives its parameters
 * there), so a branch copies its values there first, and code after the frame finds them there.
 * Where they already are, no copy is emitted. On entering a frame, deferred local reads and
 * constants among the parameters are put into slots, since a local may be written on one path
 * only. A comparison right before a conditional branch is fused into one Cella compare-and-branch.
 */
abstract class ControlTranslator extends TranslatorBase {
    private static final FuncType EMPTY = new FuncType(List.of(), List.of());

    final WasmModule module;

    ControlTranslator(WasmModule module, WasmInput in, Registers regs) {
        super(in, regs);
        this.module = module;
    }

    /** Reads a block type: empty, one value type, or a type index (multi-value). */
    final FuncType blockType() {
        int b = in.peek();
        if (b == 0x40) {
            in.u8();
            return EMPTY;
        }
        ValType t = ValType.fromCode(b);
        if (t != null) {
            in.u8();
            return new FuncType(List.of(), List.of(t));
        }
        if (b == 0x7B) {
            throw WasmException.unsupported(in.position(), "SIMD (block of type v128)");
        }
        int typeAt = in.position();
        long index = in.signed(33);
        if (index < 0) {
            throw WasmException.malformed(typeAt, "malformed block type 0x" + Integer.toHexString(b));
        }
        if (index >= module.types.size()) {
            throw WasmException.invalid(typeAt, "unknown type " + index);
        }
        return module.types.get((int) index);
    }

    /** Starts the function's frame: its parameters are locals, so the stack starts empty. */
    final void enterFunction(FuncType type) {
        frames.add(new Frame(Frame.FUNCTION, type, 0, -1, true, at));
    }

    /**
     * Opens a frame of {@code kind} whose parameters are on top of the stack (already checked
     * for an if, whose condition was popped).
     */
    final Frame enter(int kind, FuncType type, int label) {
        List<ValType> params = type.params();
        checkValues(params);
        if (code.reachable()) {
            spillLocals();
            for (int i = stack.size() - params.size(); i < stack.size(); i++) {
                toSlot(i);
            }
        }
        popN(params.size());
        Frame f = new Frame(kind, type, stack.size(), label, code.reachable(), at);
        frames.add(f);
        for (ValType t : params) {
            pushResult(t);
        }
        return f;
    }

    final void block() {
        enter(Frame.BLOCK, blockType(), code.newLabel());
    }

    final void loop() {
        Frame f = enter(Frame.LOOP, blockType(), code.newLabel());
        code.bind(f.label);
        loopDepth++;
    }

    final void ifBlock() {
        FuncType type = blockType();
        List<ValType> params = type.params();
        check(0, ValType.I32);
        for (int k = 0; k < params.size(); k++) {
            check(k + 1, params.get(params.size() - 1 - k));
        }
        int elseLabel = code.newLabel();
        if (!code.reachable()) {
            popN(1);
        } else if (!entryNeedsCode(params.size(), 1)) {
            // Nothing to copy on entry: the condition's comparison can fuse with the branch.
            branchOn(false, elseLabel);
        } else {
            int cond = operand(0, ValType.I32);
            popN(1);
            spillLocals();
            for (int i = stack.size() - params.size(); i < stack.size(); i++) {
                toSlot(i);
            }
            code.emit(Opcode.BR_UNLESS, cond, elseLabel);
        }
        Frame f = enter(Frame.IF, type, code.newLabel());
        f.elseLabel = elseLabel;
    }

    /**
     * True if entering a frame with {@code params} parameters needs instructions: a deferred
     * local read anywhere below the top {@code above} entries, or a constant among the
     * parameters. Costs O(params), whatever the stack's height.
     */
    private boolean entryNeedsCode(int params, int above) {
        int end = stack.size() - above;
        int pendingAbove = 0;
        for (int i = end; i < stack.size(); i++) {
            if (stack.kind(i) == OperandStack.LOCAL) {
                pendingAbove++;
            }
        }
        if (stack.totalLocalRefs() > pendingAbove) {
            return true;
        }
        for (int i = Math.max(0, end - params); i < end; i++) {
            if (stack.kind(i) == OperandStack.CONST) {
                return true;
            }
        }
        return false;
    }

    final void elseBlock() {
        Frame f = top();
        if (f.kind != Frame.IF || f.elseLabel < 0) {
            throw invalid("else without a matching if");
        }
        List<ValType> results = f.type.results();
        checkFrameEnd(f);
        if (code.reachable()) {
            moveValues(results, f.height);
            code.emit(Opcode.BR, f.label);
            f.branched = true;
        }
        code.bind(f.elseLabel);
        f.elseLabel = -1;
        stack.truncate(f.height);
        f.unreachable = false;
        code.reachable(f.entryReachable);
        for (ValType t : f.type.params()) {
            pushResult(t);
        }
    }

    /** Checks that exactly the frame's results are on its part of the stack. */
    final void checkFrameEnd(Frame f) {
        List<ValType> results = f.type.results();
        checkValues(results);
        if (available() > results.size()) {
            throw invalid("type mismatch: " + (available() - results.size()) + " value(s) left on the stack at the end of "
                    + "a block of type " + f.type);
        }
    }

    /**
     * Closes the innermost frame.
     *
     * @return true if it was the function's frame (the body is complete)
     */
    final boolean end() {
        Frame f = top();
        List<ValType> results = f.type.results();
        checkFrameEnd(f);
        boolean fallthrough = code.reachable();
        if (f.kind == Frame.FUNCTION) {
            if (fallthrough) {
                ret(results, true);
            }
            frames.remove(frames.size() - 1);
            return true;
        }
        boolean openElse = f.kind == Frame.IF && f.elseLabel >= 0;
        if (openElse && !f.type.params().equals(results)) {
            throw invalid("type mismatch: an if without else must have the same parameter and result types, not "
                    + f.type);
        }
        if (fallthrough) {
            moveValues(results, f.height);
        }
        if (openElse) {
            code.bind(f.elseLabel);
        }
        if (f.kind == Frame.LOOP) {
            loopDepth--;
        } else {
            code.bind(f.label);
        }
        boolean reachable = fallthrough || f.kind != Frame.LOOP && f.branched || openElse && f.entryReachable;
        closing(f);
        frames.remove(frames.size() - 1);
        stack.truncate(f.height);
        code.reachable(reachable);
        for (ValType t : results) {
            pushResult(t);
        }
        return false;
    }

    /** Called when frame {@code f} (not the function's) closes, before it is removed. */
    abstract void closing(Frame f);

    /** Emits a return of the top values (types checked). */
    final void ret(List<ValType> types, boolean record) {
        int[] values = pairs(valueRegisters(types, record), types);
        code.emit(Opcode.RET, new long[] {values.length}, new int[][] {values});
    }

    private Frame labelFrame() {
        int labelAt = in.position();
        int depth = in.index();
        if (depth >= frames.size()) {
            throw WasmException.invalid(labelAt, "unknown label " + depth);
        }
        return frames.get(frames.size() - 1 - depth);
    }

    /** Emits an unconditional transfer of the top values to {@code target} (code must be reachable). */
    private void branchTo(Frame target) {
        List<ValType> types = target.labelTypes();
        if (target.kind == Frame.FUNCTION) {
            ret(types, false);
            return;
        }
        moveValues(types, target.height);
        code.emit(Opcode.BR, target.label);
        target.branched = true;
    }

    final void br() {
        Frame target = labelFrame();
        checkValues(target.labelTypes());
        if (code.reachable()) {
            branchTo(target);
        }
        setUnreachable();
    }

    final void returnFromFunction() {
        Frame function = frames.get(0);
        checkValues(function.type.results());
        if (code.reachable()) {
            branchTo(function);
        }
        setUnreachable();
    }

    final void brIf() {
        Frame target = labelFrame();
        List<ValType> types = target.labelTypes();
        check(0, ValType.I32);
        for (int k = 0; k < types.size(); k++) {
            check(k + 1, types.get(types.size() - 1 - k));
        }
        if (!code.reachable()) {
            popN(1);
        } else if (target.kind != Frame.FUNCTION && !needsMoves(types.size(), target.height, 1)) {
            branchOn(true, target.label);
            target.branched = true;
        } else {
            int skip = code.newLabel();
            branchOn(false, skip);
            branchTo(target);
            code.bind(skip);
        }
        if (top().unreachable) {
            // The polymorphic stack: the values are known to have the label's types from now on.
            popN(types.size());
            for (ValType t : types) {
                pushResult(t);
            }
        }
    }

    /** As {@link #needsMoves(int, int)} for values lying below the top {@code above} entries. */
    private boolean needsMoves(int n, int height, int above) {
        if (n == 0) {
            return false;
        }
        int first = stack.size() - above - n;
        if (first != height) {
            return true;
        }
        for (int i = first; i < first + n; i++) {
            if (stack.kind(i) != OperandStack.REG) {
                return true;
            }
        }
        return false;
    }

    /**
     * Pops the i32 condition on top (code reachable) and branches to {@code label} if it is
     * nonzero ({@code ifTrue}) or zero. A comparison that computed the condition as the last
     * instruction is fused into a compare-and-branch (its result is used nowhere else: the
     * condition is consumed here).
     */
    final void branchOn(boolean ifTrue, int label) {
        int i = check(0, ValType.I32);
        Opcode last = code.lastOpcode();
        if (i >= 0 && stack.kind(i) == OperandStack.REG && last != null && code.lastDef() == stack.reg(i)) {
            if (last == Opcode.I32_EQZ) {
                long a = code.lastOperand(1);
                code.replaceLast(ifTrue ? Opcode.BR_UNLESS : Opcode.BR_IF, a, label);
                popN(1);
                return;
            }
            Opcode fused = ifTrue ? WasmOpcodes.branchIfTrue(last) : WasmOpcodes.branchIfFalse(last);
            if (fused != null) {
                long a = code.lastOperand(1);
                long b = code.lastOperand(2);
                code.replaceLast(fused, a, b, label);
                popN(1);
                return;
            }
        }
        int cond = operand(0, ValType.I32);
        popN(1);
        code.emit(ifTrue ? Opcode.BR_IF : Opcode.BR_UNLESS, cond, label);
    }

    final void brTable() {
        int n = in.count(1);
        List<Frame> targets = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            targets.add(labelFrame());
        }
        Frame fallback = labelFrame();
        int arity = fallback.labelTypes().size();
        check(0, ValType.I32);
        for (Frame t : targets) {
            if (t.labelTypes().size() != arity) {
                throw invalid("type mismatch: br_table targets carry " + t.labelTypes().size() + " and " + arity
                        + " values");
            }
        }
        targets.add(fallback);
        for (Frame t : targets) {
            List<ValType> types = t.labelTypes();
            for (int k = 0; k < types.size(); k++) {
                check(k + 1, types.get(types.size() - 1 - k));
            }
        }
        if (code.reachable()) {
            int index = operand(0, ValType.I32);
            popN(1);
            // Targets that need copies or a return get a stub after the br_table.
            Map<Frame, Integer> stubs = new LinkedHashMap<>();
            int[] labels = new int[n + 1];
            for (int j = 0; j <= n; j++) {
                Frame t = targets.get(j);
                if (t.kind == Frame.FUNCTION || needsMoves(arity, t.height)) {
                    labels[j] = stubs.computeIfAbsent(t, x -> code.newLabel());
                } else {
                    labels[j] = t.label;
                    t.branched = true;
                }
            }
            int[] list = Arrays.copyOf(labels, n);
            code.emit(Opcode.BR_TABLE, new long[] {index, n, labels[n]}, new int[][] {null, list, null});
            for (Map.Entry<Frame, Integer> stub : stubs.entrySet()) {
                code.bind(stub.getValue());
                branchTo(stub.getKey());
            }
        } else {
            popN(1);
        }
        setUnreachable();
    }
}
