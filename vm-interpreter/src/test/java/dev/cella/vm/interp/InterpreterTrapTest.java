package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.Opcode;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import org.junit.jupiter.api.Test;

class InterpreterTrapTest {

    private static Trap trap(TrapKind kind, Guest g, String export, long... args) {
        Trap t = assertThrows(Trap.class, () -> g.call(export, args));
        assertEquals(kind, t.kind(), t.getMessage());
        return t;
    }

    @Test
    void outOfBoundsAccessesTrapAtTheAccessingInstruction() {
        Guest g = new Guest(InterpreterTest.MEMORY);
        Trap t = trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "load32", 65533);
        assertEquals(g.function("load32"), t.function());
        assertEquals("load32", t.functionName());
        assertEquals(g.pcOf("load32", Opcode.I32_LOAD, 0), t.pc());
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "load32", -1);
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "load64off", 65521);
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "load8", 65536);
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "store16", 65535, 1);
        // address + offset is computed without wrap-around: 1 + 0xFFFFFFFF is not 0
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "loadfar", 1);
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "loadfar", 0);
    }

    @Test
    void bulkMemoryTrapsBeforeWritingAnything() {
        Guest g = new Guest(InterpreterTest.MEMORY);
        g.instance.memory().writeU8(65535, 9);
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "fill", 65530, 1, 7);
        assertEquals(0, g.instance.memory().readU8(65530));
        trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "copy", 0, 65535, 2);
        assertEquals(0, g.instance.memory().readU8(0));
        Trap t = trap(TrapKind.OUT_OF_BOUNDS_MEMORY, g, "copy", 65537, 0, 0);
        assertEquals(g.pcOf("copy", Opcode.MEMORY_COPY, 0), t.pc());
    }

    static final String DIV = """
            func div(a: i32, b: i32) -> i32 {
                reg q: i32
                i32.div_s q, a, b
                ret q
            }
            func conv(x: f64) -> i64 {
                reg v: i64
                i64.trunc_f64_s v, x
                ret v
            }
            func never() {
                unreachable
            }
            export func div
            export func conv
            export func never
            """;

    @Test
    void arithmeticTrapsNameTheirKindFunctionAndPc() {
        Guest g = new Guest(DIV);
        Trap t = trap(TrapKind.INTEGER_DIVIDE_BY_ZERO, g, "div", 1, 0);
        assertEquals(g.pcOf("div", Opcode.I32_DIV_S, 0), t.pc());
        trap(TrapKind.INTEGER_OVERFLOW, g, "div", Integer.MIN_VALUE, -1);
        assertEquals(-3, g.call1("div", -7, 2));
        Trap c = trap(TrapKind.INVALID_CONVERSION, g, "conv", Double.doubleToRawLongBits(Double.NaN));
        assertEquals(g.pcOf("conv", Opcode.I64_TRUNC_F64_S, 0), c.pc());
        trap(TrapKind.INTEGER_OVERFLOW, g, "conv", Double.doubleToRawLongBits(0x1p63));
        Trap u = trap(TrapKind.UNREACHABLE, g, "never");
        assertEquals(0, u.pc());
        assertEquals("trap: unreachable in never (function 2) at pc 0", u.getMessage());
    }

    @Test
    void trapInAFunctionWithoutANameHasNoName() {
        Guest g = new Guest("""
                func f0() {
                    unreachable
                }
                export func f0 "boom"
                """);
        Trap t = trap(TrapKind.UNREACHABLE, g, "boom");
        assertNull(t.functionName());
        assertEquals("trap: unreachable in function 0 at pc 0", t.getMessage());
    }

    static final String DEPTH = """
            func down(n: i32) -> i32 {
                reg one: i32, r: i32
                br_unless n, bottom
                i32.const one, 1
                i32.sub n, n, one
                call down, (n), (r)
                i32.add r, r, one
                ret r
            bottom:
                ret n
            }
            export func down
            """;

    @Test
    void deepRecursionRunsWithoutTheJvmStack() {
        Guest g = new Guest(DEPTH, InstanceOptions.defaults().withMaxCallDepth(200_000));
        assertEquals(100_000, g.call1("down", 100_000));
    }

    @Test
    void callPastTheMaximumDepthTrapsAtTheCall() {
        Guest g = new Guest(DEPTH, InstanceOptions.defaults().withMaxCallDepth(50));
        // down(49) needs 50 frames: exactly the limit.
        assertEquals(49, g.call1("down", 49));
        Trap t = trap(TrapKind.CALL_STACK_EXHAUSTED, g, "down", 50);
        assertEquals(g.pcOf("down", Opcode.CALL, 0), t.pc());
        assertEquals(g.function("down"), t.function());
        Guest one = new Guest(DEPTH, InstanceOptions.defaults().withMaxCallDepth(1));
        assertEquals(0, one.call1("down", 0));
        trap(TrapKind.CALL_STACK_EXHAUSTED, one, "down", 1);
    }

    @Test
    void defaultDepthLimitIsTenThousandFrames() {
        Guest g = new Guest(DEPTH);
        assertEquals(9_999, g.call1("down", 9_999));
        trap(TrapKind.CALL_STACK_EXHAUSTED, g, "down", 10_000);
    }

    @Test
    void fuelRunsOutAtTheLeaderOfTheFirstBlockItCannotPayFor() {
        // count(10): entry block 2, then 10 loop blocks of 2, then the exit block of 1: 23 units.
        Guest exact = new Guest(InterpreterTest.COUNT, InstanceOptions.defaults().withFuel(23));
        assertEquals(10, exact.call1("count", 10));
        assertEquals(0, exact.instance.fuelRemaining());
        assertEquals(23, exact.instance.fuelUsed());

        // 13 units pay for the entry block and 5 iterations; 1 unit is left, the 6th needs 2.
        Guest g = new Guest(InterpreterTest.COUNT, InstanceOptions.defaults().withFuel(13));
        Trap t = trap(TrapKind.FUEL_EXHAUSTED, g, "count", 10);
        assertEquals(g.pcOf("count", Opcode.I32_ADD, 0), t.pc());
        assertEquals(1, g.instance.fuelRemaining());
        assertEquals(12, g.instance.fuelUsed());

        // 22 units: every loop block runs, the exit block (ret, 1 unit) cannot be paid for.
        Guest last = new Guest(InterpreterTest.COUNT, InstanceOptions.defaults().withFuel(22));
        Trap r = trap(TrapKind.FUEL_EXHAUSTED, last, "count", 10);
        assertEquals(last.pcOf("count", Opcode.RET, 0), r.pc());
        assertEquals(0, last.instance.fuelRemaining());
    }

    @Test
    void fuelRunsOutOnEntryToACalleeAndAfterAReturn() {
        // fib(2): entry block 2, block "const, sub, call" 3, then fib(1) costs 3 on its own.
        Guest g = new Guest(InterpreterTest.FIB, InstanceOptions.defaults().withFuel(6));
        Trap t = trap(TrapKind.FUEL_EXHAUSTED, g, "fib", 2);
        assertEquals(0, t.pc()); // fib(1)'s entry block needs 2, only 1 is left
        assertEquals(1, g.instance.fuelRemaining());
        // With 8 units fib(1) returns (2 + 3 + 3), and the block after the call cannot be paid for.
        Guest after = new Guest(InterpreterTest.FIB, InstanceOptions.defaults().withFuel(8));
        Trap a = trap(TrapKind.FUEL_EXHAUSTED, after, "fib", 2);
        assertEquals(after.pcOf("fib", Opcode.I32_SUB, 1), a.pc());
        assertEquals(0, after.instance.fuelRemaining());
    }

    @Test
    void anyBudgetRunsOutAtTheSameBlockBoundaryAsTheBlockRuleSays() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200))
                .forAll(integers().between(1, 40), integers().between(0, 90))
                .checkAssert((n, fuel) -> {
                    Guest g = new Guest(InterpreterTest.COUNT, InstanceOptions.defaults().withFuel(fuel));
                    long needed = 2 + 2L * n + 1;
                    if (fuel >= needed) {
                        assertEquals((long) n, g.call1("count", n));
                        assertEquals((long) fuel - needed, g.instance.fuelRemaining());
                        return;
                    }
                    Trap t = trap(TrapKind.FUEL_EXHAUSTED, g, "count", n);
                    // Blocks in order: entry (2), n loop blocks (2 each), exit (1); the first one
                    // that does not fit is where the run stops, with the rest of the fuel left.
                    long charged = fuel < 2 ? 0 : 2 + 2L * Math.min(n, (fuel - 2) / 2);
                    Opcode at = fuel < 2 ? Opcode.I32_CONST : charged == 2 + 2L * n ? Opcode.RET : Opcode.I32_ADD;
                    assertEquals(g.pcOf("count", at, 0), t.pc());
                    assertEquals((long) fuel - charged, g.instance.fuelRemaining());
                });
    }

    @Test
    void trapInACalleeNamesTheCallee() {
        Guest g = new Guest("""
                func outer(a: i32, b: i32) -> i32 {
                    call inner, (a, b), (a)
                    ret a
                }
                func inner(a: i32, b: i32) -> i32 {
                    reg q: i32
                    i32.rem_u q, a, b
                    ret q
                }
                export func outer
                """);
        Trap t = trap(TrapKind.INTEGER_DIVIDE_BY_ZERO, g, "outer", 1, 0);
        assertEquals(1, t.function());
        assertEquals("inner", t.functionName());
        assertEquals(g.pcOf(1, Opcode.I32_REM_U, 0), t.pc());
        assertEquals(1, g.call1("outer", 7, 3));
    }

    @Test
    void refuelledInstanceResumesCharging() {
        Guest g = new Guest(InterpreterTest.COUNT, InstanceOptions.defaults().withFuel(4));
        trap(TrapKind.FUEL_EXHAUSTED, g, "count", 10);
        g.instance.setFuel(1_000);
        assertEquals(10, g.call1("count", 10));
        assertEquals(1_000 - 23, g.instance.fuelRemaining());
        assertEquals(4 + 23, g.instance.fuelUsed());
    }

    static final String INDIRECT = """
            type unary (i32) -> i32
            type nullary () -> i32
            table tab 4
            elem tab 0 [double, answer]
            elem tab 3 [triple]
            func double(x: i32) -> i32 {
                i32.add x, x, x
                ret x
            }
            func answer() -> i32 {
                reg r: i32
                i32.const r, 42
                ret r
            }
            func triple(x: i32) -> i32 {
                reg y: i32
                i32.add y, x, x
                i32.add y, y, x
                ret y
            }
            func dispatch(i: i32, x: i32) -> i32 {
                reg r: i32
                call_indirect unary, tab, i, (x), (r)
                ret r
            }
            export func dispatch
            """;

    @Test
    void callIndirectCallsTheTableElement() {
        Guest g = new Guest(INDIRECT);
        assertEquals(14, g.call1("dispatch", 0, 7));
        assertEquals(21, g.call1("dispatch", 3, 7));
    }

    @Test
    void callIndirectTrapsOnBadElementsAtItsPc() {
        Guest g = new Guest(INDIRECT);
        int pc = g.pcOf("dispatch", Opcode.CALL_INDIRECT, 0);
        assertEquals(pc, trap(TrapKind.UNDEFINED_ELEMENT, g, "dispatch", 4, 1).pc());
        trap(TrapKind.UNDEFINED_ELEMENT, g, "dispatch", -1, 1);
        assertEquals(pc, trap(TrapKind.UNINITIALIZED_ELEMENT, g, "dispatch", 2, 1).pc());
        assertEquals(pc, trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH, g, "dispatch", 1, 1).pc());
        // The table can be changed at run time.
        g.instance.table(0).set(2, g.function("dispatch") - 1 + 1L); // a funcref's raw bits: index + 1
        assertEquals(3, g.call1("dispatch", 2, 1));
    }
}
