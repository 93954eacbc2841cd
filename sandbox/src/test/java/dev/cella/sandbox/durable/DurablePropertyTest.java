package dev.cella.sandbox.durable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.checkpoint.GuestGenerator;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The durable run's promise: for generated programs, segment sizes and crashes at random segments
 * (a commit refused, a replication failing later, a commit stored but reported failed, a release
 * failing after its commit), the output released by all the runs that resume one another,
 * concatenated, equals an uninterrupted run's byte for byte, with the same ending and fuel, and
 * every segment is committed and released exactly once, in order ({@link Ledger} checks that as
 * it goes). Each resumed run takes the next engine (interp, jit, auto), so checkpoints cross
 * engines too.
 */
class DurablePropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);
    private static final List<EngineKind> ENGINES = List.of(EngineKind.INTERP, EngineKind.JIT, EngineKind.AUTO);

    @Test
    void releasedOutputOfCrashedAndResumedRunsEqualsTheUninterruptedRun() {
        qt().withExamples(Math.max(1, EXAMPLES / 2))
                .forAll(longs().all(), integers().between(0, ENGINES.size() - 1), integers().between(1, 12), longs().all())
                .checkAssert((seed, engine, pieces, crashSeed) -> {
                    GuestGenerator.Program program = GuestGenerator.generate(seed);
                    boolean stderr = (seed & 1) == 0;
                    Module module = assemble(withStderr(program.source(), stderr));
                    Uninterrupted expected = uninterrupted(module, ENGINES.get(engine));
                    long segmentFuel = expected.fuelUsed / pieces + 1;
                    Ledger ledger = new Ledger();
                    Random r = new Random(crashSeed);
                    int crashes = r.nextInt(4);
                    StringBuilder plan = new StringBuilder();
                    for (int i = 0; i < crashes; i++) {
                        long seq = r.nextInt(pieces + 2);
                        Ledger.Crash c = Ledger.Crash.values()[r.nextInt(Ledger.Crash.values().length)];
                        ledger.crashAt(seq, c);
                        plan.append(' ').append(c).append('@').append(seq);
                    }
                    String what = program + (stderr ? " with stderr" : "") + " in segments of " + segmentFuel
                            + " starting on " + ENGINES.get(engine) + ", crashes:" + plan;
                    Segment last = Recovery.runToEnd(module, e -> config(e).build(), engine, segmentFuel, ledger, null,
                            crashes + 1, what);
                    assertTrue(last.isFinal(), what);
                    assertEquals(last, ledger.last(), what);
                    assertArrayEquals(expected.stdout, ledger.stdout(), what + ": stdout");
                    assertArrayEquals(expected.stderr, ledger.stderr(), what + ": stderr");
                    Segment.Ending e = last.ending().orElseThrow();
                    assertEquals(expected.result.outcome(), e.outcome(), what + ": outcome");
                    assertEquals(expected.result.exitStatus(), e.exitStatus(), what + ": exit status");
                    assertEquals(expected.fuelUsed, last.fuelUsed(), what + ": fuel used");
                    assertEquals(ledger.committed.size(), ledger.released.size(), what + ": all released");
                });
    }

    /** Runs the durable runs that resume one another after each crash, with their sinks checked. */
    static final class Recovery {
        private Recovery() {}

        /**
         * Runs {@code module} durably to its end, resuming after each crash from the ledger's last
         * committed segment; run number {@code i} runs on engine {@code (firstEngine + i) % 3}.
         */
        static Segment runToEnd(Module module, java.util.function.Function<EngineKind, CellConfig> config,
                int firstEngine, long segmentFuel, Ledger ledger, byte[] key, int maxRuns, String what) {
            for (int run = 0; run < maxRuns; run++) {
                EngineKind e = ENGINES.get((firstEngine + run) % ENGINES.size());
                DurableRun.Builder b = DurableRun.builder("cell-1", module, config.apply(e)).segmentFuel(segmentFuel)
                        .commitSink(ledger).outputSink(ledger).checkpointKey(key);
                if (!ledger.committed.isEmpty()) {
                    b.resumeFrom(ledger.last(), ledger.lastReleased());
                }
                try {
                    return b.build().run();
                } catch (DurableRunException x) {
                    assertInstanceOf(Ledger.Crashed.class, x.getCause(), what + ": " + x);
                }
            }
            throw new AssertionError(what + ": still crashing after " + maxRuns + " runs");
        }
    }

    /** What a run that is never cut does. */
    record Uninterrupted(RunResult result, long fuelUsed, byte[] stdout, byte[] stderr) {}

    static Uninterrupted uninterrupted(Module module, EngineKind engine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Cell cell = Cell.create(module, config(engine).stdout(out).stderr(err).build())) {
            RunResult r = cell.run();
            return new Uninterrupted(r, r.accounting().fuelUsed(), out.toByteArray(), err.toByteArray());
        }
    }

    static CellConfig.Builder config(EngineKind engine) {
        return CellConfig.builder().args(List.of("guest", "x")).engine(engine);
    }

    static Module assemble(String source) {
        Module m = Assembler.assemble(source, "guest.casm");
        Verifier.verify(m);
        return m;
    }

    /** The generated program, printing each number on stderr too if {@code stderr}. */
    private static String withStderr(String source, boolean stderr) {
        String toStdout = "    i32.const fd, 1\n    call write_all, (fd, p, len), (errno)\n";
        if (!stderr) {
            return source;
        }
        assertTrue(source.contains(toStdout), "the generator's print_acc changed; update this test");
        return source.replace(toStdout, toStdout + "    i32.const fd, 2\n    call write_all, (fd, p, len), (errno)\n");
    }
}
