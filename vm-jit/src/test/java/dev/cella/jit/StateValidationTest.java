package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.flow.BlockMap;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.ExecutionState.Frame;
import dev.cella.vm.ExecutionStateException;
import dev.cella.vm.HostFunction;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every engine checks a state to resume with {@link dev.cella.vm.StateValidator}: each kind of
 * malformed state is rejected by the interpreter, the JIT and auto alike, with the same message,
 * by {@code checkResumable} and by {@code resume}, before anything runs.
 */
class StateValidationTest {
    private static final Module MODULE = module();
    /** Function indices: the import, then main, leaf and other in source order. */
    private static final int TICK = 0;
    private static final int MAIN = 1;
    private static final int LEAF = 2;
    private static final int OTHER = 3;

    private static final List<Function<Module, SuspendableEngine>> ENGINES =
            List.of(Interpreter::new, JitEngine::new, TieredEngine::new);

    private static Module module() {
        Module m = Assembler.assemble("""
                import tick "env" "tick" (i32) -> ()
                type unary (i32) -> (i32)
                table t 1
                elem t 0 [leaf]
                export func main

                func main(n: i32) -> i32 {
                    reg r: i32, z: i32
                    call leaf, (n), (r)
                    i32.const z, 0
                    call_indirect unary, t, z, (r), (r)
                    ret r
                }

                func leaf(x: i32) -> i32 {
                    reg f: f32
                    ret x
                }

                func other() {
                    ret
                }
                """, "states.casm");
        Verifier.verify(m);
        return m;
    }

    /** The pc of instruction {@code i} of main. */
    private static int mainPc(int i) {
        return BlockMap.of(MODULE.function(MAIN).code()).instruction(i).pc();
    }

    private static Instance instance(InstanceOptions options) {
        return new Instance(MODULE, (module, name, type) -> (HostFunction) (instance, args) -> 0, options);
    }

    private static ExecutionState state(long fuelUsed, Frame... frames) {
        return new ExecutionState(List.of(frames), fuelUsed, 1_000);
    }

    /**
     * Asserts that every engine rejects {@code state} on a fresh instance, in both ways, with one
     * message containing {@code expected}, and runs nothing.
     */
    private static void rejected(ExecutionState state, InstanceOptions options, String expected) {
        String message = null;
        for (Function<Module, SuspendableEngine> make : ENGINES) {
            SuspendableEngine engine = make.apply(MODULE);
            Instance instance = instance(options);
            ExecutionStateException checked = assertThrows(ExecutionStateException.class,
                    () -> engine.checkResumable(instance, state), engine.getClass().getSimpleName());
            ExecutionStateException resumed = assertThrows(ExecutionStateException.class,
                    () -> engine.resume(instance, state, null), engine.getClass().getSimpleName());
            assertEquals(checked.getMessage(), resumed.getMessage());
            assertTrue(checked.getMessage().contains(expected), checked.getMessage());
            if (message == null) {
                message = checked.getMessage();
            }
            assertEquals(message, checked.getMessage(), engine.getClass().getSimpleName() + " words it otherwise");
            assertEquals(0, instance.fuelUsed(), "nothing ran");
        }
    }

    private static void rejected(ExecutionState state, String expected) {
        rejected(state, InstanceOptions.defaults(), expected);
    }

    @Test
    void aStateOfAnotherFuelFigureIsRejected() {
        rejected(state(5, new Frame(LEAF, 0, new long[2])), "captured at 5 units of fuel used, but the instance has used 0");
    }

    @Test
    void aFrameOfAFunctionTheModuleLacksIsRejected() {
        rejected(state(0, new Frame(9, 0, new long[0])), "frame 1 (function 9, pc 0): the module has 4 functions");
    }

    @Test
    void aFrameOfAnImportIsRejected() {
        rejected(state(0, new Frame(TICK, 0, new long[0])), "function 0 is an import, not guest code");
    }

    @Test
    void aFrameWithTheWrongNumberOfRegistersIsRejected() {
        rejected(state(0, new Frame(LEAF, 0, new long[1])), "1 registers, but the function has 2");
    }

    @Test
    void registersNotInRegisterFormAreRejected() {
        rejected(state(0, new Frame(LEAF, 0, new long[] {1L << 32, 0})), "register 0 of type i32 holds 0x100000000");
        rejected(state(0, new Frame(LEAF, 0, new long[] {0, -1L})), "register 1 of type f32 holds 0xffffffffffffffff");
    }

    @Test
    void aStateDeeperThanTheInstanceAllowsIsRejected() {
        rejected(state(0, new Frame(MAIN, mainPc(0), new long[3]), new Frame(LEAF, 0, new long[2])),
                InstanceOptions.defaults().withMaxCallDepth(1), "depth of 2 frames is over the instance's maximum call depth of 1");
    }

    @Test
    void aFrameBelowTheActiveOneMustWaitAtACallOfTheFrameAbove() {
        rejected(state(0, new Frame(MAIN, mainPc(1), new long[3]), new Frame(LEAF, 0, new long[2])),
                "frame 1 (function 1) waits at pc " + mainPc(1) + ", which is not a call instruction");
        rejected(state(0, new Frame(MAIN, 1, new long[3]), new Frame(LEAF, 0, new long[2])),
                "waits at pc 1, which is not a call instruction");
        rejected(state(0, new Frame(MAIN, mainPc(0), new long[3]), new Frame(OTHER, 0, new long[0])),
                "on a call to function 2, but the frame above it runs function 3");
        rejected(state(0, new Frame(MAIN, mainPc(2), new long[3]), new Frame(OTHER, 0, new long[0])),
                "on an indirect call of type 0, but the frame above it runs function 3 of type");
    }

    @Test
    void theActiveFrameMustBeAtABlockLeader() {
        rejected(state(0, new Frame(MAIN, mainPc(2), new long[3])),
                "frame 1 (function 1) resumes at pc " + mainPc(2) + ", which does not start a basic block");
        rejected(state(0, new Frame(MAIN, 1, new long[3])), "resumes at pc 1, which does not start a basic block");
    }

    @Test
    void aWellFormedStateIsAcceptedAndResumedAlikeByEveryEngine() {
        ExecutionState state = state(0, new Frame(MAIN, mainPc(0), new long[] {5, 0, 0}), new Frame(LEAF, 0, new long[] {5, 0}));
        long used = -1;
        for (Function<Module, SuspendableEngine> make : ENGINES) {
            SuspendableEngine engine = make.apply(MODULE);
            Instance instance = instance(InstanceOptions.defaults());
            engine.checkResumable(instance, state);
            assertArrayEquals(new long[] {5}, engine.resume(instance, state, null).results());
            if (used < 0) {
                used = instance.fuelUsed();
            }
            assertEquals(used, instance.fuelUsed());
        }
        assertTrue(used > 0);
    }
}
