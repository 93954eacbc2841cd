package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.EngineDiagnostics;
import dev.cella.vm.FunctionStat;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.conformance.ConformanceSuite;
import dev.cella.vm.interp.Interpreter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The auto engine: interpreter first, compiled when hot, identical behaviour either way. */
class TieredEngineTest {
    private static final String PROGRAM = """
            memory 1
            ; main's loop runs once per call of main; main itself is called once
            func main(n: i32) -> i64 {
                reg i: i32, one: i32, acc: i64, t: i64, mask: i32, at: i32
                i32.const one, 1
                i32.const mask, 0xFFF8
            loop:
                i64.extend_i32_u t, i
                i64.mul t, t, t
                i64.add acc, acc, t
                i32.and at, i, mask
                i64.store at, 0, acc
                i32.add i, i, one
                i32.br_lt_u i, n, loop
                ret acc
            }
            ; straight-line code: cheap to interpret until it is hot
            func mix(a: i32, b: i32) -> i32 {
                reg c: i32
                i32.mul c, a, b
                i32.xor c, c, a
                call twice, (c), (c)
                ret c
            }
            func twice(a: i32) -> i32 {
                i32.add a, a, a
                ret a
            }
            export func main
            export func mix
            """;

    private static Module module() {
        Module m = Assembler.assemble(PROGRAM, "tiered.casm");
        Verifier.verify(m);
        return m;
    }

    @TestFactory
    Stream<DynamicNode> conformanceScriptsPassOnTheTieredEngine() {
        return ConformanceSuite.tests(TieredEngine::new);
    }

    @Test
    void aLongLoopInAMainCalledOnceMovesToCompiledCodeOnTheStack() {
        Module m = module();
        TieredEngine auto = synchronous(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        int[] polls = new int[1];
        a.interruptHook(i -> polls[0]++);
        long[] tiered = auto.invoke(a, 0, 3_000_000);
        assertEquals(1, auto.stackReplacements(0), "main's one frame moved to compiled code once and stayed there");
        FunctionStat main = auto.functionStats().get(0);
        assertEquals(FunctionStat.Tier.COMPILED, main.tier());
        assertTrue(main.detail().contains("1 on-stack replacements"), main.toText());
        assertEquals(1, main.interpretedCalls(), "main was entered once, in the interpreter");
        assertSameAsTheInterpreter(m, a, polls[0], tiered);
    }

    @Test
    void aLongLoopInAFunctionCompiledByRegionsMovesIntoItsRegionsOnTheStack() {
        Module m = module();
        TieredEngine auto = new TieredEngine(m, TieredEngine.HOT_CALLS, TieredEngine.HOT_WINDOWS,
                JitEngine.Options.splitEverything());
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        int[] polls = new int[1];
        a.interruptHook(i -> polls[0]++);
        long[] tiered = auto.invoke(a, 0, 3_000_000);
        assertTrue(auto.jit().functionStats().get(0).regions() > 0, "main was compiled by regions");
        assertEquals(1, auto.stackReplacements(0), "main's one frame moved into its regions once and stayed there");
        assertSameAsTheInterpreter(m, a, polls[0], tiered);
    }

    /** Runs main(3,000,000) in the interpreter and checks that {@code a}'s run gave the same everything. */
    private static void assertSameAsTheInterpreter(Module m, Instance a, int polls, long[] tiered) {
        int[] interpreterPolls = new int[1];
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        b.interruptHook(i -> interpreterPolls[0]++);
        long[] interpreted = new Interpreter(m).invoke(b, 0, 3_000_000);
        assertArrayEquals(interpreted, tiered);
        assertEquals(b.fuelUsed(), a.fuelUsed());
        assertEquals(interpreterPolls[0], polls, "the interrupt hook is polled at the same fuel points");
        assertArrayEquals(b.memory().snapshot(), a.memory().snapshot());
    }

    @Test
    void aFunctionCompilesOnlyOnceItRanInProportionToItsSize() {
        Module m = module();
        int bytes = m.function(0).code().length;
        // main(3,000,000) uses up some 300 windows: it moves after 10, and not at all if 1,000 are asked.
        for (int windows : new int[] {10, 1000}) {
            TieredEngine auto = new TieredEngine(m, TieredEngine.HOT_CALLS, TieredEngine.HOT_WINDOWS,
                    windows * 1024 / bytes + 1);
            Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
            int[] polls = new int[1];
            a.interruptHook(i -> polls[0]++);
            long[] tiered = auto.invoke(a, 0, 3_000_000);
            assertEquals(windows == 10 ? 1 : 0, auto.stackReplacements(0), "windows asked: " + windows);
            assertEquals(windows == 10, auto.jit().isCompiled(0), "windows asked: " + windows);
            assertSameAsTheInterpreter(m, a, polls[0], tiered);
        }
    }

    /** main's loop does most of the work itself and calls leaf, a small share of the fuel, once per iteration. */
    private static final String CALLER_AND_LEAF = """
            func main(n: i32) -> i64 {
                reg i: i32, j: i32, one: i32, fifty: i32, r: i32, acc: i64, t: i64
                i32.const one, 1
                i32.const fifty, 50
            outer:
                i32.const j, 0
            inner:
                i64.extend_i32_u t, j
                i64.add acc, acc, t
                i32.add j, j, one
                i32.br_lt_u j, fifty, inner
                call leaf, (i), (r)
                i64.extend_i32_u t, r
                i64.add acc, acc, t
                i32.add i, i, one
                i32.br_lt_u i, n, outer
                ret acc
            }
            func leaf(a: i32) -> i32 {
                reg c: i32
                i32.mul c, a, a
                i32.xor c, c, a
                ret c
            }
            export func main
            """;

    /**
     * A function called from compiled code pays its size threshold with what those calls cost:
     * their fuel in the interpreter and a hand-over each ({@link TieredEngine#NESTED_CALL}). Windows
     * alone, which end in leaf about once in 60, left it interpreted to the end, every call a
     * nested interpreter (Lua binarytrees: docs/performance.md, "Tiering without stalls").
     */
    @Test
    void aFunctionCalledFromCompiledCodePaysItsSizeWithTheCostOfThoseCalls() {
        Module m = Assembler.assemble(CALLER_AND_LEAF, "leaf.casm");
        Verifier.verify(m);
        int leaf = 1;
        // leaf must pay 25 windows; main, larger, some multiple of that before it moves.
        int windowsPerKb = 25 * 1024 / m.function(leaf).code().length + 1;
        long mainWindows = (long) m.function(0).code().length * windowsPerKb / 1024;
        Instance probe = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        new Interpreter(m).invoke(probe, 0, 1000);
        int n = (int) ((mainWindows + 80) * JitRuntime.POLL_INTERVAL * 1000 / probe.fuelUsed());
        TieredEngine auto = new TieredEngine(m, TieredEngine.HOT_CALLS, TieredEngine.HOT_WINDOWS, windowsPerKb);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        long[] tiered = auto.invoke(a, 0, n);
        assertEquals(1, auto.stackReplacements(0), "main moved once it had paid its size");
        assertTrue(auto.runsCompiled(leaf), "leaf compiled from its calls from compiled code");
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        assertArrayEquals(new Interpreter(m).invoke(b, 0, n), tiered);
        assertEquals(b.fuelUsed(), a.fuelUsed());
    }

    @Test
    void aFunctionWhoseClassIsInTheClassCacheCompilesWithoutWaitingOutItsSize(@TempDir Path dir) {
        Module m = module();
        ClassCache filled = new ClassCache(dir);
        new JitEngine(m, filled).invoke(new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()), 0, 1000);
        filled.flush();
        // As the size threshold's test: 1,000 windows asked, which main(3,000,000) never uses up.
        int windowsPerKb = 1000 * 1024 / m.function(0).code().length + 1;
        TieredEngine auto = new TieredEngine(m, TieredEngine.HOT_CALLS, TieredEngine.HOT_WINDOWS, windowsPerKb, false,
                JitEngine.Options.DEFAULT, new ClassCache(dir));
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        int[] polls = new int[1];
        a.interruptHook(i -> polls[0]++);
        long[] tiered = auto.invoke(a, 0, 3_000_000);
        assertEquals(1, auto.stackReplacements(0), "main moved after the base threshold's windows");
        assertEquals(new EngineDiagnostics.ClassCacheUse(1, 0), auto.jit().classCacheUse(), "its class came from the cache");
        assertSameAsTheInterpreter(m, a, polls[0], tiered);
    }

    @Test
    void aShortLoopStaysInTheInterpreter() {
        Module m = module();
        TieredEngine auto = synchronous(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        auto.invoke(a, 0, 1000);
        assertEquals(0, auto.stackReplacements(0));
        assertFalse(auto.jit().isCompiled(0), "nothing was compiled for a run shorter than a fuel window");
        assertEquals(FunctionStat.Tier.INTERPRETED, auto.functionStats().get(0).tier());
    }

    @Test
    void aStraightLineFunctionIsInterpretedUntilHotThenCompiled() {
        Module m = module();
        TieredEngine auto = synchronous(m);
        Interpreter interp = new Interpreter(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        for (int call = 0; call < TieredEngine.HOT_CALLS + 10; call++) {
            boolean compiledBefore = auto.runsCompiled(1);
            assertEquals(call >= TieredEngine.HOT_CALLS, compiledBefore, "call " + call);
            assertArrayEquals(interp.invoke(b, 1, call, 7 - call), auto.invoke(a, 1, call, 7 - call));
            assertEquals(b.fuelUsed(), a.fuelUsed());
        }
        FunctionStat mix = auto.functionStats().get(1);
        assertEquals(FunctionStat.Tier.COMPILED, mix.tier());
        assertEquals(TieredEngine.HOT_CALLS, mix.interpretedCalls());
        assertTrue(auto.jit().isCompiled(2), "the callee, entered as often from the interpreter, is hot too");
    }

    /** main's loop calls a cheap function and a dear one (a loop of 200 iterations) n times. */
    private static final String CHEAP_AND_DEAR = """
            func main(n: i32) -> i32 {
                reg i: i32, one: i32, r: i32, acc: i32
                i32.const one, 1
            loop:
                call cheap, (i), (r)
                i32.add acc, acc, r
                call dear, (i), (r)
                i32.add acc, acc, r
                i32.add i, i, one
                i32.br_lt_u i, n, loop
                ret acc
            }
            func cheap(a: i32) -> i32 {
                i32.add a, a, a
                ret a
            }
            func dear(a: i32) -> i32 {
                reg k: i32, one: i32, limit: i32
                i32.const one, 1
                i32.const limit, 200
            again:
                i32.add a, a, one
                i32.add k, k, one
                i32.br_lt_u k, limit, again
                ret a
            }
            export func main
            """;

    @Test
    void anInterpretedCallerHandsOverOnlyCallsThatRunLongEnoughToPayForIt() {
        Module m = Assembler.assemble(CHEAP_AND_DEAR, "calls.casm");
        Verifier.verify(m);
        TieredEngine auto = new TieredEngine(m, TieredEngine.HOT_CALLS, 1_000_000); // main stays interpreted
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        assertArrayEquals(new Interpreter(m).invoke(b, 0, 1000), auto.invoke(a, 0, 1000));
        assertEquals(b.fuelUsed(), a.fuelUsed());
        assertTrue(auto.runsCompiled(1) && auto.runsCompiled(2), "both callees are hot");
        assertEquals(TieredEngine.PROBE_CALLS, auto.callHandOvers(1), "cheap: only the measured calls were handed over");
        assertEquals(1000 - TieredEngine.HOT_CALLS + 1, auto.callHandOvers(2), "dear: every call once hot");
        // --stats says how many calls stayed in the interpreter once compiled code was ready, and when it was.
        String cheap = auto.functionStats().get(1).toText();
        assertTrue(cheap.contains((1000 - TieredEngine.HOT_CALLS + 1 - TieredEngine.PROBE_CALLS)
                + " cheap calls left interpreted"), cheap);
        assertTrue(cheap.matches(".*ready at \\d+ ms.*"), cheap);
        assertFalse(auto.functionStats().get(2).toText().contains("cheap calls"), auto.functionStats().get(2).toText());
    }

    /** outer is hot from its first calls; it calls inner only for large arguments. */
    private static final String CALLEE = """
            func outer(x: i32) -> i32 {
                reg big: i32, r: i32
                i32.const big, 1000
                i32.br_lt_s x, big, small
                call inner, (x), (r)
                ret r
            small:
                ret x
            }
            func inner(a: i32) -> i32 {
                reg t: i32
                i32.mul t, a, a
                i32.xor a, a, t
                ret a
            }
            export func outer
            """;

    @Test
    void aCalleeOfCompiledCodeRunsInTheInterpreterUntilItIsHotItself() {
        Module m = Assembler.assemble(CALLEE, "callee.casm");
        Verifier.verify(m);
        TieredEngine auto = synchronous(m);
        Interpreter interp = new Interpreter(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        for (int call = 0; call < TieredEngine.HOT_CALLS; call++) {
            assertArrayEquals(interp.invoke(b, 0, call), auto.invoke(a, 0, call));
        }
        assertTrue(auto.runsCompiled(0), "outer is hot");
        for (int call = 0; call < 2 * TieredEngine.HOT_CALLS; call++) {
            assertEquals(call > TieredEngine.HOT_CALLS - 1, auto.jit().isCompiled(1), "inner compiled before call " + call);
            assertArrayEquals(interp.invoke(b, 0, 5000 + call), auto.invoke(a, 0, 5000 + call));
            assertEquals(b.fuelUsed(), a.fuelUsed());
            if (call == 0) {
                FunctionStat inner = auto.functionStats().get(1);
                assertEquals(FunctionStat.Tier.INTERPRETED, inner.tier(), inner.toText());
                assertEquals(1, inner.interpretedCalls(), "compiled outer called inner in the interpreter");
                assertTrue(inner.toText().endsWith(", 1 calls from compiled code"), inner.toText());
            }
        }
        FunctionStat inner = auto.functionStats().get(1);
        assertEquals(FunctionStat.Tier.COMPILED, inner.tier());
        assertTrue(inner.toText().contains(TieredEngine.HOT_CALLS + " calls from compiled code interpreted"),
                inner.toText());
    }

    /** ping and pong call each other n deep: calls cross from compiled frames to interpreted ones and back. */
    private static final String PING_PONG = """
            func ping(n: i32) -> i32 {
                reg one: i32, m: i32, r: i32
                i32.const one, 1
                i32.br_lt_s n, one, bottom
                i32.sub m, n, one
                call pong, (m), (r)
                i32.add r, r, one
                ret r
            bottom:
                ret n
            }
            func pong(n: i32) -> i32 {
                reg one: i32, m: i32, r: i32
                i32.const one, 1
                i32.br_lt_s n, one, bottom
                i32.sub m, n, one
                call ping, (m), (r)
                i32.add r, r, one
                ret r
            bottom:
                ret n
            }
            export func ping "main"
            """;

    @Test
    void recursionThroughBothTiersTrapsAtTheSameCallAsTheInterpreter() {
        for (long[] depthAndLimit : new long[][] {{9_999, 10_000}, {10_000, 10_000}, {20_000, 10_000},
                {300_000, 250_000}}) {
            Differential.Program p = new Differential.Program(PING_PONG, new long[] {depthAndLimit[0]}, Long.MAX_VALUE,
                    (int) depthAndLimit[1], 3);
            Differential.assertAgree(p, Interpreter::new, m -> new TieredEngine(m, 2, 1), m -> new TieredEngine(m, 3, 1),
                    m -> new TieredEngine(m, 40, 1));
        }
    }

    /** The default thresholds, compiling on the guest's thread so that hand-overs fall at exact counts. */
    private static TieredEngine synchronous(Module m) {
        return new TieredEngine(m, TieredEngine.HOT_CALLS, TieredEngine.HOT_WINDOWS);
    }

    @Test
    void aHotFunctionCompilesInTheBackgroundWhileTheInterpreterGoesOn() throws InterruptedException {
        Module m = module();
        TieredEngine auto = new TieredEngine(m);
        Interpreter interp = new Interpreter(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        Instance b = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        long deadline = System.nanoTime() + 60_000_000_000L;
        int call = 0;
        while (!auto.runsCompiled(1)) {
            assertTrue(System.nanoTime() < deadline, "the background compilation finished");
            assertArrayEquals(interp.invoke(b, 1, call, 7 - call), auto.invoke(a, 1, call, 7 - call));
            assertEquals(b.fuelUsed(), a.fuelUsed());
            call++;
            if (call > TieredEngine.HOT_CALLS) {
                Thread.sleep(1);
            }
        }
        assertTrue(call >= TieredEngine.HOT_CALLS, "not compiled before it was hot: " + call);
        for (int k = 0; k < 10; k++, call++) {
            assertArrayEquals(interp.invoke(b, 1, call, 7 - call), auto.invoke(a, 1, call, 7 - call));
            assertEquals(b.fuelUsed(), a.fuelUsed());
        }
        assertEquals(FunctionStat.Tier.COMPILED, auto.functionStats().get(1).tier());
    }

    /**
     * The guest's thread must not wait for the background compilation of another function: a
     * compiled function's entry method, or the adapter of a callee, is made while a large function
     * compiles (once, a lock over the whole code cache held the guest of Lua binarytrees 590 ms).
     * Function 0's compilation is held in the middle, by an interrupt hook that blocks in {@link
     * InterruptHook#compiling}; function 2 must compile meanwhile.
     */
    @Test
    void aFunctionCompilesWhileAnotherFunctionsCompilationIsUnderWay() throws Exception {
        Module m = module();
        JitEngine jit = new JitEngine(m);
        Instance a = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        a.interruptHook(new InterruptHook() {
            @Override
            public void poll(Instance instance) {}

            @Override
            public void compiling(Instance instance) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        // Two threads of its own (the common pool may have one on a machine with two cores).
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Object> held = threads.submit(() -> {
                Instance previous = JitEngine.enter(a);
                try {
                    return jit.handle(true, 0);
                } finally {
                    JitEngine.leave(previous);
                }
            });
            try {
                assertTrue(inside.await(60, TimeUnit.SECONDS), "function 0's compilation started");
                Object other = threads.submit(() -> jit.handle(true, 2)).get(60, TimeUnit.SECONDS);
                assertTrue(other != null && jit.isCompiled(2) && !jit.isCompiled(0),
                        "function 2 compiled while function 0's compilation was held");
            } finally {
                release.countDown();
            }
            held.get(60, TimeUnit.SECONDS);
            assertTrue(jit.isCompiled(0));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void randomProgramsBehaveIdenticallyOnTheInterpreterAndTheTieredEngine() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200)).forAll(new ProgramGen())
                .checkAssert(p -> Differential.assertAgree(p, Interpreter::new, TieredEngine::new));
    }

    @Test
    void randomProgramsBehaveIdenticallyWhenEveryCallAndFrameIsHandedOverAtOnce() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200)).forAll(new ProgramGen())
                .checkAssert(p -> Differential.assertAgree(p, Interpreter::new, m -> new TieredEngine(m, 2, 1),
                        m -> new TieredEngine(m, 1_000_000, 1)));
    }

    @Test
    void randomProgramsBehaveIdenticallyWhenFramesMoveIntoRegions() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200)).forAll(new ProgramGen())
                .checkAssert(p -> Differential.assertAgree(p, Interpreter::new,
                        m -> new TieredEngine(m, 1_000_000, 1, JitEngine.Options.splitEverything())));
    }
}
