package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.CellaException;
import dev.cella.isa.flow.BlockMap;
import dev.cella.isa.module.Module;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.GuestExit;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * The {@link BlockMap} is the fuel both engines charge: on random programs ({@link ProgramGen}),
 * run block by block with suspend requests, each block an engine enters costs exactly the map's
 * {@link BlockMap#cost} at a pc the map calls a leader, and a request at any fuel point stops
 * either engine at the block the map says would pass it. (The programs' host functions here
 * charge no fuel, so the blocks alone account for every unit, except in programs with bulk memory
 * instructions, which charge inside their blocks ({@link dev.cella.vm.BulkWork}): there the
 * fuel may only be more than the map's, by the same amount on both engines.)
 */
class BlockFuelPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);
    /** Blocks stepped through per program; the rest of a long run is not stepped. */
    private static final int MAX_STEPS = 400;

    /** ProgramGen's imports, with a burn that charges no fuel. */
    private static ImportResolver hosts() {
        return (module, name, type) -> switch (name) {
            case "mix" -> (HostFunction) (instance, a) -> (int) a[0] * 31L + a[1] * 7L;
            case "burn" -> (HostFunction) (instance, a) -> a[0] & 0xFF;
            case "quit" -> (HostFunction) (instance, a) -> {
                if ((a[0] & 1) != 0) {
                    throw new GuestExit((int) a[0]);
                }
                return 0;
            };
            default -> null;
        };
    }

    private static Instance instance(Differential.Program program, Module m) {
        return new Instance(m, hosts(),
                InstanceOptions.defaults().withFuel(program.fuel()).withMaxCallDepth(program.maxDepth()));
    }

    private static BlockMap blocks(Module m, ExecutionState state) {
        return BlockMap.of(m.function(state.active().function()).code());
    }

    /** True if the program has bulk memory or table instructions, whose charges the block map does not count. */
    private static boolean bulk(Differential.Program program) {
        String src = program.source();
        return src.contains("memory.fill") || src.contains("memory.copy") || src.contains("memory.grow")
                || src.contains("table_grow") || src.contains("table_fill") || src.contains("table.copy")
                || src.contains("table.init");
    }

    /** Asserts that {@code actual} fuel is {@code expected}, or (bulk charges) at least that. */
    private static void assertFuel(boolean bulk, long expected, long actual, java.util.function.Supplier<String> what) {
        if (bulk) {
            assertTrue(actual >= expected, () -> "fuel " + actual + " below the map's " + expected + ": " + what.get());
        } else {
            assertEquals(expected, actual, what);
        }
    }

    /** The block the state's active frame stopped at (failing if its pc leads none). */
    private static int block(Module m, ExecutionState state) {
        int b = blocks(m, state).blockAt(state.active().pc());
        assertTrue(b >= 0, () -> "stopped at pc " + state.active().pc() + ", which leads no block: " + state.frames());
        return b;
    }

    @Test
    void eachBlockTheInterpreterEntersCostsWhatTheBlockMapSays() {
        qt().withExamples(EXAMPLES).withShrinkCycles(200).forAll(new ProgramGen()).checkAssert(program -> {
            Module m = program.module();
            Instance instance = instance(program, m);
            SuspendableEngine engine = new Interpreter(m);
            long charged = -1;
            try {
                Invocation inv = engine.invoke(instance, instance.exportedFunction("main"), SuspendRequest.atFuelUsed(0),
                        program.args());
                for (int step = 0; inv.isSuspended() && step < MAX_STEPS; step++) {
                    ExecutionState s = inv.state();
                    assertFuel(bulk(program), charged < 0 ? 0 : charged, s.fuelUsed(),
                            () -> "fuel after the block before " + s.frames() + " in\n" + program);
                    charged = s.fuelUsed() + blocks(m, s).cost(block(m, s));
                    // Room for exactly this block: the engine charges it and stops before the next.
                    inv = engine.resume(instance, s, SuspendRequest.atFuelUsed(charged));
                }
                if (inv.isSuspended()) {
                    return; // a long run: its first MAX_STEPS blocks were checked
                }
                assertFuel(bulk(program), charged, instance.fuelUsed(), () -> "fuel at the end of\n" + program);
            } catch (Trap t) {
                if (t.kind() != TrapKind.FUEL_EXHAUSTED) {
                    assertFuel(bulk(program), charged, instance.fuelUsed(),
                            () -> "fuel at the trap " + t + " in\n" + program);
                }
            } catch (GuestExit e) {
                assertFuel(bulk(program), charged, instance.fuelUsed(), () -> "fuel at the exit of\n" + program);
            } catch (CellaException e) {
                // Another failure (a quota) ends the run; the steps before it were checked.
            }
        });
    }

    @Test
    void aFuelPointStopsEitherEngineAtTheBlockTheMapSaysWouldPassIt() {
        qt().withExamples(EXAMPLES / 2 + 1).withShrinkCycles(200)
                .forAll(new ProgramGen(), integers().between(0, 1000))
                .checkAssert((program, permille) -> {
                    Module m = program.module();
                    long used = fuelUsedBy(program, m);
                    long point = used * permille / 1000;
                    String reference = null;
                    for (SuspendableEngine engine : new SuspendableEngine[] {new Interpreter(m), new JitEngine(m)}) {
                        Instance instance = instance(program, m);
                        Invocation inv;
                        try {
                            inv = engine.invoke(instance, instance.exportedFunction("main"),
                                    SuspendRequest.atFuelUsed(point), program.args());
                        } catch (CellaException e) {
                            continue; // ended before the point (a trap at a lower point than the whole run's fuel)
                        }
                        if (!inv.isSuspended()) {
                            continue;
                        }
                        ExecutionState s = inv.state();
                        int b = block(m, s);
                        // A bulk charge may carry the run past the point (SuspendRequest).
                        assertTrue((s.fuelUsed() <= point || bulk(program)) && point < s.fuelUsed() + blocks(m, s).cost(b),
                                () -> engine + " stopped at " + s.fuelUsed() + " for point " + point + " in\n" + program);
                        String here = s.frames() + " at " + s.fuelUsed();
                        if (reference == null) {
                            reference = here;
                        } else {
                            assertEquals(reference, here, () -> "the engines stop apart for point " + point + " in\n"
                                    + program);
                        }
                    }
                });
    }

    private static long fuelUsedBy(Differential.Program program, Module m) {
        Instance instance = instance(program, m);
        try {
            new Interpreter(m).invoke(instance, instance.exportedFunction("main"), program.args());
        } catch (CellaException e) {
            // A trap or exit still tells how far the run got.
        }
        return instance.fuelUsed();
    }
}
