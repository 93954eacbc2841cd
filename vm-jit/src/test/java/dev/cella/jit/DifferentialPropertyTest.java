package dev.cella.jit;

import static org.quicktheories.QuickTheory.qt;

import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * Differential properties: random valid programs ({@link ProgramGen}) behave identically on the
 * interpreter and on the JIT (one method per function, and split into regions) — same results,
 * same traps at the same function and pc, same fuel used, same memory and globals. The number of
 * programs is the system property {@code cella.property.examples} (200 by default; raise it for a
 * deep run). Every divergence ever found is kept in {@link DifferentialRegressionTest}.
 */
class DifferentialPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    @Test
    void randomProgramsBehaveIdenticallyOnTheInterpreterAndTheJit() {
        qt().withExamples(EXAMPLES).withShrinkCycles(400).forAll(new ProgramGen())
                .checkAssert(p -> Differential.assertAgree(p, Interpreter::new, JitEngine::new));
    }

    @Test
    void randomProgramsBehaveIdenticallyWhenTheJitSplitsEveryFunctionIntoRegions() {
        qt().withExamples(EXAMPLES).withShrinkCycles(400).forAll(new ProgramGen())
                .checkAssert(p -> Differential.assertAgree(p, Interpreter::new,
                        m -> new JitEngine(m, false, JitEngine.Options.splitEverything())));
    }

    /** The code shapes for C1 ({@link JitEngine.Options#clientShapes}), whole and by regions, whichever the JVM runs. */
    @Test
    void randomProgramsBehaveIdenticallyWithTheCodeShapesForC1() {
        qt().withExamples(EXAMPLES).withShrinkCycles(400).forAll(new ProgramGen())
                .checkAssert(p -> Differential.assertAgree(p, Interpreter::new,
                        m -> new JitEngine(m, false, JitEngine.Options.DEFAULT.withClientShapes(true)),
                        m -> new JitEngine(m, false, JitEngine.Options.splitEverything().withClientShapes(true))));
    }
}
