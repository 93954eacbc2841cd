package dev.cella.vm;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.flow.BlockMap;
import dev.cella.isa.module.Module;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Decides whether an {@link ExecutionState} can be resumed on an instance: the one check every
 * {@link SuspendableEngine} makes before it resumes a state, so that all of them accept exactly
 * the same states and reject the others with the same message, and no state, however made, can
 * break an engine's invariants.
 *
 * <p>A state fits when its fuel used is the instance's; every frame runs a defined function of the
 * instance's module, with that function's number of registers, each in register form (an i32 or
 * f32 register holds the sign or zero extension its type prescribes: {@link #registerForm}); all
 * frames together fit the instance's stack ({@link #stackUnits}) and number at most the instance's
 * call depth (and {@link #MAX_FRAMES}); every frame below the active one waits at a call to the
 * function of the frame above it (a direct call of that function, or an indirect call of its
 * type); and the active frame is at a block leader of its function's {@link BlockMap}, the only
 * place an engine suspends.
 */
public final class StateValidator {
    /**
     * Most registers all active frames may hold together (128 MiB): deeper recursion of large
     * frames traps with call stack exhausted instead of exhausting the host's heap. Every engine
     * enforces it exactly.
     */
    public static final int MAX_REGISTERS = 1 << 24;
    /**
     * Most frames a call stack may hold, whatever the instance's maximum call depth: functions
     * without registers would otherwise recurse until the heap is exhausted.
     */
    public static final int MAX_FRAMES = 1 << 22;
    /**
     * The stack frame model every engine enforces, the same for all so that they trap at the same
     * call: a guest frame of a function with {@code r} registers takes {@code r + FRAME_UNITS}
     * stack units of 8 bytes (its registers, and its frame record: the interpreter's 12 bytes of
     * return position and frame pointer, the JIT's frame word and JVM frame header). A call traps
     * with call stack exhausted, after the depth check, when the units of all active frames and
     * its callee's would pass {@link Instance#maxStackUnits} (at most {@link #MAX_REGISTERS}); so
     * does an entry function whose own frame does not fit ({@link #checkEntry}). docs/sandbox.md,
     * "The stack", says how the sandbox sets the limit from the memory quota.
     */
    public static final int FRAME_UNITS = 2;
    /** Bytes of the largest stack ({@link #MAX_REGISTERS} units of 8 bytes, 128 MiB). */
    public static final long MAX_STACK_BYTES = 8L * MAX_REGISTERS;

    /** The stack units of a frame of a function with {@code registers} registers (see {@link #FRAME_UNITS}). */
    public static int stackUnits(int registers) {
        return registers + FRAME_UNITS;
    }

    /**
     * Traps with call stack exhausted, at pc 0 of the entry function {@code function} (defined),
     * if its frame alone does not fit the instance's stack; the check every engine makes before it
     * runs an entry function (the interpreter and the JIT, and so {@code auto}).
     *
     * @throws Trap CALL_STACK_EXHAUSTED
     */
    public static void checkEntry(Instance instance, int function) {
        int units = stackUnits(instance.module().function(function).registers().size());
        if (units > instance.maxStackUnits()) {
            instance.stackRefused(units);
            throw new Trap(TrapKind.CALL_STACK_EXHAUSTED, function, instance.functionName(function), 0);
        }
    }

    private StateValidator() {}

    /**
     * Checks that {@code state} can be resumed on {@code instance}.
     *
     * @param blocks the block map of a defined function of the instance's module, by function
     *     index (an engine passes the maps it already has)
     * @throws ExecutionStateException naming the first frame (counted from 1, the entry) and what
     *     does not fit, if the state does not
     */
    @SuppressWarnings("exports") // for the engines, the only modules that see dev.cella.isa.flow
    public static void check(Instance instance, ExecutionState state, IntFunction<BlockMap> blocks) {
        if (instance.fuelUsed() != state.fuelUsed()) {
            throw new ExecutionStateException("it was captured at " + state.fuelUsed()
                    + " units of fuel used, but the instance has used " + instance.fuelUsed()
                    + " (restore the instance's fuel first)");
        }
        Module module = instance.module();
        List<ExecutionState.Frame> frames = state.frames();
        int depth = frames.size();
        long total = 0;
        for (int k = 0; k < depth; k++) {
            total += stackUnits(checkFrame(module, frames.get(k), k + 1));
        }
        if (total > instance.maxStackUnits()) {
            throw new ExecutionStateException("its frames take " + total + " stack units of 8 bytes, over the instance's "
                    + "stack of " + instance.maxStackUnits());
        }
        int maxDepth = Math.min(instance.maxCallDepth(), MAX_FRAMES);
        if (depth > maxDepth) {
            throw new ExecutionStateException("its depth of " + depth + " frames is over the instance's maximum call depth of "
                    + maxDepth);
        }
        for (int k = 0; k < depth - 1; k++) {
            ExecutionState.Frame f = frames.get(k);
            checkCall(module, blocks.apply(f.function()), f, frames.get(k + 1).function(), k + 1);
        }
        ExecutionState.Frame active = state.active();
        if (blocks.apply(active.function()).blockAt(active.pc()) < 0) {
            throw new ExecutionStateException("frame " + depth + " (function " + active.function() + ") resumes at pc "
                    + active.pc() + ", which does not start a basic block");
        }
    }

    /**
     * True if {@code bits} is in register form for {@code type}: an i32 sign-extended to 64
     * bits, an f32's bits zero-extended, any bits for i64 and f64.
     */
    private static boolean registerForm(ValType type, long bits) {
        return switch (type) {
            case I32 -> (int) bits == bits;
            case F32 -> (bits & 0xFFFFFFFFL) == bits;
            case I64, F64, FUNCREF, EXTERNREF -> true;
            case V128 -> false; // never a register type (the verifier rejects it)
        };
    }

    /** Checks a frame's function and registers; returns its register count. */
    private static int checkFrame(Module module, ExecutionState.Frame f, int depth) {
        int index = f.function();
        if (index >= module.functionCount()) {
            throw new ExecutionStateException(where(depth, f) + ": the module has " + module.functionCount() + " functions");
        }
        if (module.isImport(index)) {
            throw new ExecutionStateException(where(depth, f) + ": function " + index + " is an import, not guest code");
        }
        List<ValType> types = module.function(index).registers();
        if (f.registerCount() != types.size()) {
            throw new ExecutionStateException(where(depth, f) + ": " + f.registerCount() + " registers, but the function has "
                    + types.size());
        }
        for (int i = 0; i < types.size(); i++) {
            long v = f.register(i);
            if (!registerForm(types.get(i), v)) {
                throw new ExecutionStateException(where(depth, f) + ": register " + i + " of type " + types.get(i)
                        + " holds 0x" + Long.toHexString(v) + ", which is not in register form");
            }
        }
        return types.size();
    }

    /** Checks that frame {@code f} (at {@code depth}) waits at a call that {@code callee} can be running for. */
    private static void checkCall(Module module, BlockMap blocks, ExecutionState.Frame f, int callee, int depth) {
        int i = blocks.instructionAt(f.pc());
        Instruction call = i < 0 ? null : blocks.instruction(i);
        String where = "frame " + depth + " (function " + f.function() + ") waits at pc " + f.pc();
        // The callee or type operand: first for call and call_indirect, after the landing pad and
        // the exception list in the catching forms.
        int first = call != null && (call.opcode() == Opcode.CALL_CATCH || call.opcode() == Opcode.CALL_INDIRECT_CATCH) ? 2 : 0;
        if (call != null && (call.opcode() == Opcode.CALL || call.opcode() == Opcode.CALL_CATCH)) {
            if (call.intOperand(first) != callee) {
                throw new ExecutionStateException(where + " on a call to function " + call.intOperand(first)
                        + ", but the frame above it runs function " + callee);
            }
            return;
        }
        if (call != null && (call.opcode() == Opcode.CALL_INDIRECT || call.opcode() == Opcode.CALL_INDIRECT_CATCH)) {
            int calleeType = module.functionTypeIndex(callee);
            if (call.intOperand(first) != calleeType) {
                throw new ExecutionStateException(where + " on an indirect call of type " + call.intOperand(first)
                        + ", but the frame above it runs function " + callee + " of type " + calleeType);
            }
            return;
        }
        throw new ExecutionStateException(where + ", which is not a call instruction");
    }

    private static String where(int depth, ExecutionState.Frame f) {
        return "frame " + depth + " (function " + f.function() + ", pc " + f.pc() + ")";
    }
}
