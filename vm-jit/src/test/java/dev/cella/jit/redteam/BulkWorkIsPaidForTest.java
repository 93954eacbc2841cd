package dev.cella.jit.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.CellaException;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.jit.JitEngine;
import dev.cella.jit.TieredEngine;
import dev.cella.vm.BulkWork;
import dev.cella.vm.Engine;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Red team, issue 13 finding 2 ("work not paid for"): memory.fill, memory.copy and memory.grow
 * (and the table instructions, per element) cost fuel in proportion to the bytes they touch
 * ({@link BulkWork}), the same on every engine,
 * and a large one polls the interrupt hook as it goes, so neither fuel nor a deadline can be
 * outrun by one instruction that does a lot of work.
 */
class BulkWorkIsPaidForTest {
    private static final List<Function<Module, Engine>> ENGINES =
            List.of(Interpreter::new, JitEngine::new, TieredEngine::new);

    /** 16 MiB of memory; main(n, rounds) fills n bytes rounds times, then copies n/2 bytes once. */
    private static final String LOOP = """
            memory 256
            export func main "main"
            func main(n: i32, rounds: i32) {
                reg zero: i32, x: i32, one: i32, half: i32
                i32.const zero, 0
                i32.const x, 7
                i32.const one, 1
            again:
                memory.fill zero, x, n
                i32.sub rounds, rounds, one
                br_if rounds, again
                i32.shr_u half, n, one
                memory.copy half, zero, half
                ret
            }
            """;

    private static final String GROW = """
            memory 1
            export func main "main"
            func main(pages: i32) -> (i32) {
                reg old: i32
                memory.grow old, pages
                ret old
            }
            """;

    /** A table of a million elements; main(n) fills n of them, then copies n/2 within the table. */
    private static final String TABLE = """
            table tab 1000000
            export func main "main"
            func main(n: i32) {
                reg zero: i32, f: funcref, half: i32, one: i32
                i32.const zero, 0
                i32.const one, 1
                funcref.null f
                funcref.table_fill tab, zero, f, n
                i32.shr_u half, n, one
                table.copy tab, tab, half, zero, half
                ret
            }
            """;

    private static Module module(String src) {
        Module m = Assembler.assemble(src, "redteam.casm");
        Verifier.verify(m);
        return m;
    }

    private static Instance instance(Module m, long fuel) {
        return new Instance(m, ImportResolver.NONE, InstanceOptions.defaults().withFuel(fuel));
    }

    @Test
    void aFillLoopOverSixteenMebibytesRunsOutOfASmallBudgetBeforeWritingAnything() {
        Module m = module(LOOP);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (Function<Module, Engine> engine : ENGINES) {
                Instance inst = instance(m, 100_000);
                Trap t = assertThrows(Trap.class,
                        () -> engine.apply(m).invoke(inst, inst.exportedFunction("main"), 16 << 20, 100));
                assertEquals(TrapKind.FUEL_EXHAUSTED, t.kind());
                assertEquals(0, inst.memory().snapshot()[0], "the fill that could not be paid wrote nothing");
                assertTrue(inst.fuelUsed() < 10, "only the instructions before the fill are charged: " + inst.fuelUsed());
            }
        });
    }

    @Test
    void everyEngineChargesOneUnitPer64BytesFilledAndCopied() {
        Module m = module(LOOP);
        for (Function<Module, Engine> engine : ENGINES) {
            long small = fuelOf(engine, m, 64, 3);
            long large = fuelOf(engine, m, 64 * 1000, 3);
            // three fills of 64,000 bytes and one copy of 32,000: 3 * 999 + 500 units more than of 64 and 32 bytes.
            assertEquals(3 * 999 + 500, large - small, "extra units on " + engine);
        }
    }

    @Test
    void tableFillAndCopyArePaidPerElementOnEveryEngine() {
        Module m = module(TABLE);
        for (Function<Module, Engine> engine : ENGINES) {
            long[] used = new long[2];
            int[] n = {8, 800_000};
            for (int k = 0; k < 2; k++) {
                Instance inst = instance(m, Long.MAX_VALUE);
                engine.apply(m).invoke(inst, inst.exportedFunction("main"), n[k]);
                used[k] = inst.fuelUsed();
            }
            long expected = BulkWork.tableUnits(800_000) + BulkWork.tableUnits(400_000)
                    - BulkWork.tableUnits(8) - BulkWork.tableUnits(4);
            assertEquals(expected, used[1] - used[0], "extra units on " + engine);
            Instance poor = instance(m, 1_000);
            Trap t = assertThrows(Trap.class, () -> engine.apply(m).invoke(poor, poor.exportedFunction("main"), 800_000));
            assertEquals(TrapKind.FUEL_EXHAUSTED, t.kind());
        }
    }

    private static long fuelOf(Function<Module, Engine> engine, Module m, int n, int rounds) {
        Instance inst = instance(m, Long.MAX_VALUE);
        engine.apply(m).invoke(inst, inst.exportedFunction("main"), n, rounds);
        return inst.fuelUsed();
    }

    @Test
    void growingChargesTheBytesItAddsOrTrapsBeforeGrowing() {
        Module m = module(GROW);
        for (Function<Module, Engine> engine : ENGINES) {
            Instance rich = instance(m, Long.MAX_VALUE);
            long[] old = engine.apply(m).invoke(rich, rich.exportedFunction("main"), 3);
            assertEquals(1, old[0]);
            assertEquals(BulkWork.growUnits(1L << 16, 4L << 16), rich.fuelUsed() - 2, "grow to 4 pages on " + engine);
            Instance poor = instance(m, 1000);
            Trap t = assertThrows(Trap.class, () -> engine.apply(m).invoke(poor, poor.exportedFunction("main"), 3));
            assertEquals(TrapKind.FUEL_EXHAUSTED, t.kind());
            assertEquals(1, poor.memory().pages(), "memory unchanged");
        }
    }

    @Test
    void oneLargeFillPollsTheHookAsItGoesSoAKillStopsItMidway() {
        Module m = module(LOOP);
        for (Function<Module, Engine> engine : ENGINES) {
            Instance inst = instance(m, Long.MAX_VALUE);
            int[] polls = new int[1];
            inst.interruptHook(i -> {
                if (++polls[0] == 3) {
                    throw new CellaException("killed") {};
                }
            });
            assertThrows(CellaException.class,
                    () -> engine.apply(m).invoke(inst, inst.exportedFunction("main"), 16 << 20, 1));
            byte[] mem = inst.memory().snapshot();
            assertEquals(7, mem[0], "the first chunks were written");
            assertEquals(0, mem[mem.length - 1], "the kill stopped the fill before its last chunk");
        }
    }
}
