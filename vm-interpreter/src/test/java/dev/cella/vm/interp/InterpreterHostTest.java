package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.CellaException;
import dev.cella.vm.GuestExit;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpreterHostTest {

    /** A resolver over a map from "module.name" to host function. */
    private static ImportResolver imports(Map<String, HostFunction> functions) {
        return (module, name, type) -> functions.get(module + "." + name);
    }

    static final String CALLER = """
            import mix "env" "mix" (i32, i64, f32) -> i32
            memory 1
            func run(a: i32, b: i64, c: f32) -> i32 {
                reg r: i32, one: i32
                call mix, (a, b, c), (r)
                i32.const one, 1
                i32.add r, r, one
                ret r
            }
            export func run
            """;

    @Test
    void hostFunctionsGetTheirArgumentsAndReturnANormalizedResult() {
        List<long[]> seen = new ArrayList<>();
        Map<String, HostFunction> fs = new HashMap<>();
        fs.put("env.mix", (instance, args) -> {
            seen.add(args.clone());
            return 0xFFFFFFFFL; // an i32 -1 given unnormalized: the guest must see -1
        });
        Guest g = new Guest(CALLER, imports(fs), InstanceOptions.defaults());
        assertEquals(0, g.call1("run", -2, Long.MIN_VALUE, Float.floatToRawIntBits(-0f) & 0xFFFFFFFFL));
        assertEquals(1, seen.size());
        assertArrayEquals(new long[] {-2L, Long.MIN_VALUE, 0x80000000L}, seen.get(0));
    }

    @Test
    void hostFunctionsSeeTheInstanceItsMemoryAndCurrentFuel() {
        long[] fuelSeen = new long[1];
        Map<String, HostFunction> fs = new HashMap<>();
        Instance[] self = new Instance[1];
        fs.put("env.mix", (instance, args) -> {
            assertSame(self[0], instance);
            fuelSeen[0] = instance.fuelRemaining();
            instance.memory().writeI32(0, 1234);
            return instance.memory().readI32(0);
        });
        Guest g = new Guest(CALLER, imports(fs), InstanceOptions.defaults().withFuel(100));
        self[0] = g.instance;
        assertEquals(1235, g.call1("run", 0, 0, 0));
        // The entry block (call) costs 1 and is charged before the host runs.
        assertEquals(99, fuelSeen[0]);
        assertEquals(100 - 1 - 3, g.instance.fuelRemaining());
    }

    @Test
    void hostFunctionsMayChangeTheFuel() {
        Map<String, HostFunction> fs = new HashMap<>();
        fs.put("env.mix", (instance, args) -> {
            instance.setFuel(2);
            return 0;
        });
        Guest g = new Guest(CALLER, imports(fs), InstanceOptions.defaults().withFuel(100));
        assertThrows(dev.cella.vm.Trap.class, () -> g.call("run", 0, 0, 0));
        assertEquals(2, g.instance.fuelRemaining());
        fs.put("env.mix", (instance, args) -> {
            instance.setFuel(3);
            return 0;
        });
        Guest h = new Guest(CALLER, imports(fs), InstanceOptions.defaults().withFuel(100));
        assertEquals(1, h.call1("run", 0, 0, 0));
        assertEquals(0, h.instance.fuelRemaining());
    }

    @Test
    void guestExitAndHostErrorsPropagateUnchanged() {
        Map<String, HostFunction> fs = new HashMap<>();
        fs.put("env.mix", (instance, args) -> {
            throw new GuestExit((int) args[0]);
        });
        Guest g = new Guest(CALLER, imports(fs), InstanceOptions.defaults().withFuel(50));
        GuestExit e = assertThrows(GuestExit.class, () -> g.call("run", 3, 0, 0));
        assertEquals(3, e.status());
        assertEquals(49, g.instance.fuelRemaining());
    }

    @Test
    void hostFunctionsMayCallBackIntoTheGuest() {
        Map<String, HostFunction> fs = new HashMap<>();
        Guest[] self = new Guest[1];
        fs.put("env.mix", (instance, args) -> self[0].engine.invoke(instance, self[0].function("inner"), args[0])[0]);
        self[0] = new Guest("""
                import mix "env" "mix" (i32, i64, f32) -> i32
                func outer(a: i32) -> i32 {
                    reg b: i64, c: f32, r: i32
                    call mix, (a, b, c), (r)
                    ret r
                }
                func inner(a: i32) -> i32 {
                    i32.add a, a, a
                    ret a
                }
                export func outer
                export func inner
                """, imports(fs), InstanceOptions.defaults().withFuel(1000));
        assertEquals(42, self[0].call1("outer", 21));
        // outer: block (call) 1 + block (ret) 1; inner: 2.
        assertEquals(4, self[0].instance.fuelUsed());
    }

    @Test
    void importsCanBeInvokedDirectlyAndThroughCallIndirect() {
        Map<String, HostFunction> fs = new HashMap<>();
        fs.put("env.twice", (instance, args) -> 2 * args[0]);
        Guest g = new Guest("""
                import twice "env" "twice" (i64) -> i64
                type t (i64) -> i64
                table tab 1
                elem tab 0 [twice]
                func viaTable(x: i64) -> i64 {
                    reg i: i32
                    i32.const i, 0
                    call_indirect t, tab, i, (x), (x)
                    ret x
                }
                export func viaTable
                export func twice
                """, imports(fs), InstanceOptions.defaults());
        assertEquals(10, g.call1("viaTable", 5));
        assertEquals(14, g.call1("twice", 7));
    }

    @Test
    void interruptHookIsPolledAtLeastOncePer65536UnitsOfFuel() {
        Guest g = new Guest(InterpreterTest.COUNT);
        List<Long> used = new ArrayList<>();
        g.instance.interruptHook(instance -> used.add(instance.fuelUsed()));
        assertEquals(1_000_000, g.call1("count", 1_000_000));
        long total = g.instance.fuelUsed();
        assertEquals(2 + 2 * 1_000_000 + 1, total);
        assertTrue(used.size() >= total / 65_536, used.size() + " polls for " + total + " units");
        long previous = 0;
        for (long u : used) {
            assertTrue(u - previous <= 65_536, "polls at " + previous + " and " + u);
            previous = u;
        }
        assertTrue(total - previous <= 65_536);
    }

    @Test
    void interruptHookStopsTheGuestByThrowing() {
        final class Stop extends CellaException {
            Stop() {
                super("stopped by the host");
            }
        }
        Guest g = new Guest(InterpreterTest.COUNT);
        int[] polls = new int[1];
        g.instance.interruptHook(instance -> {
            if (++polls[0] == 3) {
                throw new Stop();
            }
        });
        assertThrows(Stop.class, () -> g.call("count", 10_000_000));
        assertEquals(3, polls[0]);
        long used = g.instance.fuelUsed();
        assertTrue(used > 2 * 65_536 && used <= 3 * 65_536 + 2, "used " + used);
        assertEquals(Long.MAX_VALUE - used, g.instance.fuelRemaining());
    }

    @Test
    void interruptHookMayRefuelTheGuest() {
        Guest g = new Guest(InterpreterTest.COUNT, InstanceOptions.defaults().withFuel(100_000));
        g.instance.interruptHook(instance -> {
            if (instance.fuelRemaining() < 50_000) {
                instance.setFuel(1_000_000);
            }
        });
        assertEquals(200_000, g.call1("count", 200_000));
        assertEquals(2 + 2 * 200_000 + 1, g.instance.fuelUsed());
    }
}
