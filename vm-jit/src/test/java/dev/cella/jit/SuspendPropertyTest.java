package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.CellaException;
import dev.cella.isa.module.Module;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.GuestExit;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.Trap;
import dev.cella.vm.interp.Interpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Suspension of compiled code, differentially: random programs ({@link ProgramGen}) are stopped
 * at two random fuel points and resumed to the end, with each step on a chosen engine. Whatever
 * the engines, every step must stop in exactly the same state (frames, pcs, registers, fuel) as
 * the interpreter does, and the run must end exactly as the uninterrupted run does (results or
 * trap, fuel used, memory, globals). Mixed sequences (compiled code handing its frames to the
 * interpreter and back) and region-split code are covered.
 */
class SuspendPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    private static final Function<Module, SuspendableEngine> INTERP = Interpreter::new;
    private static final Function<Module, SuspendableEngine> JIT = JitEngine::new;
    private static final Function<Module, SuspendableEngine> REGIONS =
            m -> new JitEngine(m, false, JitEngine.Options.splitEverything());
    /** auto, handing over early: compiled frames call interpreted ones and the reverse, nested both ways. */
    private static final Function<Module, SuspendableEngine> TIERED = m -> new TieredEngine(m, 3, 1);

    /** One stepwise run: each suspension's state, then how it ended. */
    record Steps(List<String> states, String end) {}

    @Test
    void compiledCodeStopsWhereTheInterpreterStopsAndResumesToTheSameEnd() {
        int[] nested = new int[1];
        qt().withExamples(EXAMPLES).withShrinkCycles(200)
                .forAll(new ProgramGen(), integers().between(0, 1000), integers().between(0, 1000))
                .checkAssert((program, a, b) -> {
                    Module m = program.module();
                    String whole = withoutPolls(steps(program, m, List.of(INTERP), new long[0]).end());
                    long used = fuelUsedBy(program, m);
                    long first = used * a / 1000;
                    long second = first + (used - first) * b / 1000 + 1;
                    long[] points = {first, second};
                    Steps reference = steps(program, m, List.of(INTERP, INTERP, INTERP), points);
                    assertEquals(whole, withoutPolls(reference.end()), () -> "stepwise interpreter differs for\n" + program);
                    for (List<Function<Module, SuspendableEngine>> order : List.of(
                            List.of(JIT, JIT, JIT), List.of(JIT, INTERP, JIT), List.of(INTERP, JIT, INTERP),
                            List.of(REGIONS, REGIONS, JIT), List.of(TIERED, TIERED, TIERED), List.of(TIERED, JIT, TIERED))) {
                        Steps actual = steps(program, m, order, points);
                        assertEquals(reference, actual, () -> "suspension differs at fuel points "
                                + Arrays.toString(points) + " for\n" + program);
                    }
                    nested[0] += reference.states().stream().anyMatch(st -> st.contains("], Frame[")) ? 1 : 0;
                });
        // The property must have exercised compiled frames below the active one (a call's handler).
        assertTrue(nested[0] > 0, "no generated program suspended with more than one frame");
    }

    /** main waits in a catching call while work loops n times, then returns 42 (n even) or throws tag 3 with 100. */
    private static final String CATCHING = """
            func main(x: i64) -> i64 {
                reg y: i64, tag: i32, p: i64, t: i64
                call_catch pad, (tag, p), work, (x), (y)
                ret y
            pad:
                i64.extend_i32_s t, tag
                i64.add t, t, p
                ret t
            }
            export func main
            func work(n: i64) -> i64 {
                reg i: i64, one: i64, two: i64, r: i64
                i64.const one, 1
                i64.const two, 2
                i64.mov i, n
            again:
                i64.sub i, i, one
                i64.br_gt_s i, one, again
                i64.rem_u r, n, two
                i64.br_eq r, one, odd
                i64.const r, 42
                ret r
            odd:
                i64.const r, 100
                throw 3, (r)
            }
            """;

    /**
     * Suspended while a frame waits in call_catch, every engine resumes it to the same end, for a
     * callee that returns (results written after the catching call's exception list) and one that
     * throws after the resumption (the exception lands in the restored frame). The interpreter once
     * read a restored catching call's result list at the wrong place (Resumption.resultList).
     */
    @Test
    void aFrameWaitingInACatchingCallResumesToTheSameEnd() {
        for (long n : new long[] {300, 301}) {
            Differential.Program program = new Differential.Program(CATCHING, new long[] {n}, 100_000, 100, 1);
            Module m = program.module();
            Steps whole = steps(program, m, List.of(INTERP), new long[0]);
            assertTrue(whole.end().startsWith(n % 2 == 0 ? "returned [42]" : "returned [103]"), whole::end);
            for (long point = 5; point < 1000; point += 97) {
                long[] points = {point, point + 211};
                Steps reference = steps(program, m, List.of(INTERP, INTERP, INTERP), points);
                assertEquals(withoutPolls(whole.end()), withoutPolls(reference.end()), "interpreter, " + point);
                for (List<Function<Module, SuspendableEngine>> order : List.of(List.of(JIT, JIT, JIT),
                        List.of(JIT, INTERP, JIT), List.of(INTERP, JIT, INTERP), List.of(REGIONS, REGIONS, JIT),
                        List.of(TIERED, TIERED, TIERED))) {
                    assertEquals(reference, steps(program, m, order, points), "fuel point " + point);
                }
            }
        }
    }

    @Test
    void aRequestThatNeverFiresChangesNothing() {
        qt().withExamples(EXAMPLES / 4 + 1).forAll(new ProgramGen()).checkAssert(program -> {
            Module m = program.module();
            Steps plain = steps(program, m, List.of(INTERP), new long[0]);
            Steps requested = steps(program, m, List.of(JIT), new long[] {SuspendRequest.NO_FUEL_POINT});
            assertTrue(requested.states().isEmpty(), "nothing suspends");
            assertEquals(withoutPolls(plain.end()), withoutPolls(requested.end()));
        });
    }

    private static long fuelUsedBy(Differential.Program program, Module m) {
        Instance instance = instance(program, m, new int[1]);
        try {
            new Interpreter(m).invoke(instance, instance.exportedFunction("main"), program.args());
        } catch (CellaException e) {
            // A trap or exit still tells how far the run got.
        }
        return instance.fuelUsed();
    }

    private static Instance instance(Differential.Program program, Module m, int[] polls) {
        Instance instance = new Instance(m, Differential.hosts(), program.options());
        instance.interruptHook(i -> polls[0]++);
        return instance;
    }

    /**
     * Suspends {@code program} at fuel points {@code from}, {@code from + step} ... below {@code
     * to} and again {@code gap} units later, resuming on each engine order of {@code compiled}
     * (the JIT variant under test, the interpreter, the code for C1) in turn, and checks every
     * state and the end against the interpreter's.
     */
    static void assertResumesAlike(Differential.Program program, long from, long to, long step, long gap,
            Function<Module, SuspendableEngine> compiled, Function<Module, SuspendableEngine> interp,
            Function<Module, SuspendableEngine> client) {
        Module m = program.module();
        for (long point = from; point < to; point += step) {
            long[] points = {point, point + gap};
            Steps reference = steps(program, m, List.of(interp, interp, interp), points);
            for (List<Function<Module, SuspendableEngine>> order : List.of(List.of(compiled, compiled, compiled),
                    List.of(compiled, interp, compiled), List.of(interp, compiled, client))) {
                assertEquals(reference, steps(program, m, order, points),
                        "fuel point " + point);
            }
        }
    }

    /**
     * Runs main once, step {@code i} on {@code engines[i]} (the last engine for any further step)
     * until fuel point {@code points[i]}; describes every state and the end.
     */
    static Steps steps(Differential.Program program, Module m, List<Function<Module, SuspendableEngine>> engines,
            long[] points) {
        int[] polls = new int[1];
        Instance instance = instance(program, m, polls);
        List<String> states = new ArrayList<>();
        String end;
        try {
            Invocation inv = engine(engines, 0, m).invoke(instance, instance.exportedFunction("main"),
                    request(points, 0), program.args());
            for (int step = 1; inv.isSuspended(); step++) {
                ExecutionState s = inv.state();
                states.add(s.frames() + " fuel used " + s.fuelUsed() + ", remaining " + s.fuelRemaining()
                        + ", instance " + instance.fuelUsed() + ", polls " + polls[0]);
                inv = engine(engines, step, m).resume(instance, s, request(points, step));
            }
            end = "returned " + Arrays.toString(inv.results());
        } catch (Trap t) {
            end = "trap " + t.kind() + " in function " + t.function() + " at pc " + t.pc();
        } catch (GuestExit e) {
            end = "exit " + e.status();
        } catch (CellaException e) {
            end = e.getClass().getName() + ": " + e.getMessage();
        }
        byte[] memory = instance.memory() == null ? new byte[0] : instance.memory().snapshot();
        return new Steps(states, end + "; fuel used " + instance.fuelUsed() + ", memory " + Arrays.hashCode(memory)
                + ", globals " + Arrays.toString(instance.globals()) + "; polls " + polls[0]);
    }

    private static SuspendableEngine engine(List<Function<Module, SuspendableEngine>> engines, int step, Module m) {
        return engines.get(Math.min(step, engines.size() - 1)).apply(m);
    }

    private static SuspendRequest request(long[] points, int step) {
        return step < points.length ? SuspendRequest.atFuelUsed(points[step]) : null;
    }

    /** An end without its poll count (resuming restarts the poll window, so stepwise runs poll more). */
    private static String withoutPolls(String end) {
        return end.substring(0, end.lastIndexOf("; polls"));
    }
}
