package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.isa.Opcode;
import dev.cella.isa.module.Module;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import org.junit.jupiter.api.Test;

class InterpreterTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    static final String FIB = """
            func fib(n: i32) -> i32 {
                reg a: i32, b: i32, two: i32
                i32.const two, 2
                i32.br_lt_s n, two, small
                i32.const a, 1
                i32.sub a, n, a
                call fib, (a), (a)
                i32.sub b, n, two
                call fib, (b), (b)
                i32.add a, a, b
                ret a
            small:
                ret n
            }
            export func fib
            """;

    /** Fuel of fib(n) by the block rule: blocks of 2 (entry), 3, 2 and 2 instructions, or 2 + 1 for a leaf. */
    private static long fibFuel(int n) {
        return n < 2 ? 2 + 1 : 2 + 3 + 2 + 2 + fibFuel(n - 1) + fibFuel(n - 2);
    }

    @Test
    void computesFibonacciRecursivelyAndChargesFuelPerBlock() {
        Guest g = new Guest(FIB);
        assertEquals(6765, g.call1("fib", 20));
        assertEquals(fibFuel(20), g.instance.fuelUsed());
        assertEquals(0, g.call1("fib", 0));
        assertEquals(1, g.call1("fib", 1));
    }

    static final String COUNT = """
            func count(n: i32) -> i32 {
                reg i: i32, one: i32
                i32.const i, 0
                i32.const one, 1
            loop:
                i32.add i, i, one
                i32.br_lt_s i, n, loop
                ret i
            }
            export func count
            """;

    @Test
    void loopsChargeTheirBlocksOncePerIteration() {
        Guest g = new Guest(COUNT);
        assertEquals(1000, g.call1("count", 1000));
        // Entry block 2, loop block 2 per iteration, exit block 1.
        assertEquals(2 + 2 * 1000 + 1, g.instance.fuelUsed());
    }

    @Test
    void brTableReadsItsIndexAsUnsignedAndFallsBackToTheDefault() {
        Guest g = new Guest("""
                func pick(i: i32) -> i32 {
                    reg r: i32
                    br_table i, [a, b, c], other
                a:
                    i32.const r, 10
                    ret r
                b:
                    i32.const r, 11
                    ret r
                c:
                    i32.const r, 12
                    ret r
                other:
                    i32.const r, 99
                    ret r
                }
                export func pick
                """);
        assertEquals(10, g.call1("pick", 0));
        assertEquals(11, g.call1("pick", 1));
        assertEquals(12, g.call1("pick", 2));
        assertEquals(99, g.call1("pick", 3));
        assertEquals(99, g.call1("pick", -1));
        assertEquals(99, g.call1("pick", Integer.MIN_VALUE));
    }

    @Test
    void functionsReturnSeveralValuesToGuestsAndToTheHost() {
        Guest g = new Guest("""
                func swap(a: i64, b: f64) -> (f64, i64) {
                    ret b, a
                }
                func outer(x: i64) -> (i64, f64, i32) {
                    reg d: f64, y: i64, z: i32
                    f64.const d, 2.5
                    call swap, (x, d), (d, y)
                    i32.const z, -7
                    ret y, d, z
                }
                export func outer
                export func swap
                """);
        assertArrayEquals(new long[] {Long.MIN_VALUE, Double.doubleToRawLongBits(2.5), -7L},
                g.call("outer", Long.MIN_VALUE));
        assertArrayEquals(new long[] {Double.doubleToRawLongBits(-1.0), 5L},
                g.call("swap", 5, Double.doubleToRawLongBits(-1.0)));
    }

    @Test
    void calleeRegistersStartAtZeroOnEveryCall() {
        Guest g = new Guest("""
                func dirty(x: i32) -> i32 {
                    reg junk: i32, a: i32
                    i32.const junk, 12345
                    call leaf, (x), (a)
                    call leaf, (x), (a)
                    ret a
                }
                func leaf(x: i32) -> i32 {
                    reg acc: i32
                    i32.add acc, acc, x
                    ret acc
                }
                export func dirty
                """);
        assertEquals(5, g.call1("dirty", 5));
    }

    @Test
    void globalsAreReadAndWrittenThroughTheInstance() {
        Guest g = new Guest("""
                global counter: i64 mut = 40
                func bump() -> i64 {
                    reg v: i64, one: i64
                    i64.global_get v, counter
                    i64.const one, 1
                    i64.add v, v, one
                    i64.global_set counter, v
                    ret v
                }
                export func bump
                """);
        assertEquals(41, g.call1("bump"));
        assertEquals(42, g.call1("bump"));
        assertEquals(42, g.instance.globals()[0]);
        g.instance.globals()[0] = -10;
        assertEquals(-9, g.call1("bump"));
    }

    @Test
    void constantsAndSelectProduceRegisterBits() {
        Guest g = new Guest("""
                func consts(c: i32) -> (i64, i64, f32, f64, i32) {
                    reg big: i64, small: i64, f: f32, d: f64, s: i32, x: i32, y: i32
                    i64.const big, 0x1234_5678_9ABC_DEF0
                    i64.const small, -2
                    f32.const f, -1.5
                    f64.const d, nan
                    i32.const x, 1
                    i32.const y, 2
                    i32.select s, x, y, c
                    ret big, small, f, d, s
                }
                export func consts
                """);
        long[] r = g.call("consts", 0);
        assertEquals(0x123456789ABCDEF0L, r[0]);
        assertEquals(-2L, r[1]);
        assertEquals(Float.floatToRawIntBits(-1.5f) & 0xFFFFFFFFL, r[2]);
        assertEquals(0x7ff8000000000000L, r[3]);
        assertEquals(2, r[4]);
        assertEquals(1, g.call("consts", 7)[4]);
    }

    @Test
    void shiftsAndRotationsTakeTheCountModuloTheWidth() {
        Guest g = new Guest("""
                func shifts(a: i32, b: i32, c: i64, d: i64) -> (i32, i32, i64, i64, i32) {
                    reg x: i32, y: i32, z: i64, w: i64, v: i32
                    i32.shl x, a, b
                    i32.shr_u y, a, b
                    i64.shr_s z, c, d
                    i64.rotl w, c, d
                    i32.rotr v, a, b
                    ret x, y, z, w, v
                }
                export func shifts
                """);
        long[] r = g.call("shifts", 0x80000001L, 33, Long.MIN_VALUE, 65);
        assertEquals(2L, r[0]);
        assertEquals(0x40000000L, r[1]);
        assertEquals(0xC000000000000000L, r[2]);
        assertEquals(1L, r[3]);
        assertEquals(0xC0000000L | 0xFFFFFFFF00000000L, r[4]);
    }

    @Test
    void i32ArithmeticMatchesJavaAndKeepsResultsSignExtended() {
        Guest g = new Guest("""
                func ops(a: i32, b: i32) -> (i32, i32, i32, i32, i32, i32, i32, i32) {
                    reg add: i32, sub: i32, mul: i32, and: i32, or: i32, xor: i32, lt: i32, ltu: i32
                    i32.add add, a, b
                    i32.sub sub, a, b
                    i32.mul mul, a, b
                    i32.and and, a, b
                    i32.or or, a, b
                    i32.xor xor, a, b
                    i32.lt_s lt, a, b
                    i32.lt_u ltu, a, b
                    ret add, sub, mul, and, or, xor, lt, ltu
                }
                export func ops
                """);
        qt().withExamples(EXAMPLES).forAll(integers().all(), integers().all()).checkAssert((a, b) -> {
            long[] r = g.call("ops", a, b);
            assertArrayEquals(new long[] {a + b, a - b, a * b, a & b, a | b, a ^ b, a < b ? 1 : 0,
                    Integer.compareUnsigned(a, b) < 0 ? 1 : 0}, r);
        });
    }

    @Test
    void i64ComparisonsAndBranchesAgreeForAllOperands() {
        Guest g = new Guest("""
                func cmp(a: i64, b: i64) -> (i32, i32) {
                    reg geu: i32, br: i32
                    i64.ge_u geu, a, b
                    i32.const br, 0
                    i64.br_gt_s a, b, greater
                    ret geu, br
                greater:
                    i32.const br, 1
                    ret geu, br
                }
                export func cmp
                """);
        qt().withExamples(EXAMPLES).forAll(longs().all(), longs().all()).checkAssert((a, b) -> {
            long[] r = g.call("cmp", a, b);
            assertEquals(Long.compareUnsigned(a, b) >= 0 ? 1 : 0, r[0]);
            assertEquals(a > b ? 1 : 0, r[1]);
        });
    }

    @Test
    void floatResultsHaveCanonicalNans() {
        Guest g = new Guest("""
                func nans(x: f32, y: f64) -> (f32, f64, f32, f64, f32, f64) {
                    reg a: f32, b: f64, c: f32, d: f64, e: f32, f: f64
                    f32.div a, x, x
                    f64.sqrt b, y
                    f32.min c, x, x
                    f64.nearest d, y
                    f32.neg e, x
                    f64.promote_f32 f, x
                    ret a, b, c, d, e, f
                }
                export func nans
                """);
        long[] r = g.call("nans", 0x7fa00001L, Double.doubleToRawLongBits(-1.0));
        assertEquals(0x7fc00000L, r[0]);
        assertEquals(0x7ff8000000000000L, r[1]);
        assertEquals(0x7fc00000L, r[2]);
        assertEquals(Double.doubleToRawLongBits(-1.0), r[3]);
        assertEquals(0xffa00001L, r[4]); // neg is a bit operation: the payload is kept
        assertEquals(0x7ff8000000000000L, r[5]);
    }

    @Test
    void floatArithmeticAndConversionsRoundTrip() {
        Guest g = new Guest("""
                func mix(i: i32, u: i64) -> (f64, f32, i32, i64, f64) {
                    reg d: f64, f: f32, back: i32, sat: i64, half: f64, two: f64
                    f64.convert_i32_s d, i
                    f64.const two, 2.0
                    f64.div half, d, two
                    f32.convert_i64_u f, u
                    i32.trunc_f64_s back, half
                    i64.trunc_sat_f32_u sat, f
                    ret d, f, back, sat, half
                }
                export func mix
                """);
        long[] r = g.call("mix", -7, -1L);
        assertEquals(Double.doubleToRawLongBits(-7.0), r[0]);
        assertEquals(Float.floatToRawIntBits(0x1p64f) & 0xFFFFFFFFL, r[1]);
        assertEquals(-3L, r[2]);
        assertEquals(-1L, r[3]);
        assertEquals(Double.doubleToRawLongBits(-3.5), r[4]);
    }

    static final String MEMORY = """
            memory 1 3
            func load32(a: i32) -> i32 {
                reg v: i32
                i32.load v, a, 0
                ret v
            }
            func load64off(a: i32) -> i64 {
                reg v: i64
                i64.load v, a, 8
                ret v
            }
            func load8(a: i32) -> (i32, i64) {
                reg s: i32, u: i64
                i32.load8_s s, a
                i64.load8_u u, a
                ret s, u
            }
            func store16(a: i32, v: i64) {
                i64.store16 a, 0, v
                ret
            }
            func loadfar(a: i32) -> i32 {
                reg v: i32
                i32.load v, a, 0xFFFFFFFF
                ret v
            }
            func grow(n: i32) -> (i32, i32) {
                reg old: i32, size: i32
                memory.grow old, n
                memory.size size
                ret old, size
            }
            func copy(d: i32, s: i32, n: i32) {
                memory.copy d, s, n
                ret
            }
            func fill(d: i32, v: i32, n: i32) {
                memory.fill d, v, n
                ret
            }
            export func load32
            export func load64off
            export func load8
            export func store16
            export func loadfar
            export func grow
            export func copy
            export func fill
            """;

    @Test
    void memoryAccessesWorkUpToTheExactEnd() {
        Guest g = new Guest(MEMORY);
        g.instance.memory().writeI32(65532, 0xCAFEBABE);
        assertEquals(0xCAFEBABE, (int) g.call1("load32", 65532));
        g.instance.memory().writeI64(65528, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, g.call1("load64off", 65520));
        g.instance.memory().writeU8(65535, 0x80);
        assertArrayEquals(new long[] {-128, 128}, g.call("load8", 65535));
        g.call("store16", 65534, 0x1_2345);
        assertEquals(0x2345, g.instance.memory().readU16(65534));
    }

    @Test
    void growingMemoryIsVisibleToLaterAccessesAndStopsAtTheMaximum() {
        Guest g = new Guest(MEMORY);
        assertArrayEquals(new long[] {1, 3}, g.call("grow", 2));
        assertEquals(0, g.instance.memory().readI32(3 * 65536 - 4));
        g.instance.memory().writeI32(3 * 65536 - 4, 77);
        assertEquals(77, g.call1("load32", 3 * 65536 - 4));
        assertArrayEquals(new long[] {-1, 3}, g.call("grow", 1));
        assertArrayEquals(new long[] {-1, 3}, g.call("grow", -1));
        assertArrayEquals(new long[] {3, 3}, g.call("grow", 0));
        assertEquals(3, g.instance.memory().pages());
    }

    @Test
    void memoryCopyAndFillWorkOnOverlappingRanges() {
        Guest g = new Guest(MEMORY);
        Instance inst = g.instance;
        for (int i = 0; i < 8; i++) {
            inst.memory().writeU8(100 + i, i + 1);
        }
        g.call("copy", 102, 100, 4);
        assertArrayEquals(new byte[] {1, 2, 1, 2, 3, 4, 7, 8}, inst.memory().slice(100, 8));
        g.call("fill", 65534, 0x1AB, 2);
        assertArrayEquals(new byte[] {(byte) 0xAB, (byte) 0xAB}, inst.memory().slice(65534, 2));
        g.call("fill", 65536, 5, 0);
        g.call("copy", 65536, 0, 0);
    }

    @Test
    void aModuleRunsInManyInstancesWithSeparateState() {
        Guest g = new Guest(MEMORY);
        Instance other = new Instance(g.module, dev.cella.vm.ImportResolver.NONE, InstanceOptions.defaults());
        other.memory().writeI32(0, 5);
        assertEquals(5, g.engine.invoke(other, g.function("load32"), 0)[0]);
        assertEquals(0, g.call1("load32", 0));
    }

    @Test
    void invokeRejectsForeignInstancesAndWrongArguments() {
        Guest g = new Guest(FIB);
        Guest other = new Guest(COUNT);
        assertThrows(IllegalArgumentException.class, () -> g.engine.invoke(other.instance, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> g.engine.invoke(g.instance, 0));
        assertThrows(IllegalArgumentException.class, () -> g.engine.invoke(g.instance, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> g.engine.invoke(g.instance, -1, 1));
    }

    @Test
    void argumentsAreNormalizedToRegisterForm() {
        Guest g = new Guest("""
                func id(a: i32, b: f32) -> (i32, f32) {
                    ret a, b
                }
                export func id
                """);
        assertArrayEquals(new long[] {-1L, 0x80000000L}, g.call("id", 0xFFFFFFFFL, 0xFFFFFFFF80000000L));
    }

    @Test
    void decoderMapsEveryOpcodeToADecodedOpcode() {
        for (Opcode op : Opcode.values()) {
            int d = Decoder.decodedOpcode(op);
            assertTrue(d == Op.NONE ? op == Opcode.NOP : d >= 0 && d < Op.COUNT, op + " -> " + d);
        }
    }

    @Test
    void decodedCodePutsAFuelHeaderBeforeEveryBlock() {
        Module m = new Guest(COUNT).module;
        DecodedFunction f = Decoder.decode(m, 0, true);
        // Entry block: FUEL 2, two I32_CONSTs; loop block: FUEL 2, I32_ADD, I32_BR_LT_S; exit: FUEL 1, RET.
        // Registers: n = 0, i = 1, one = 2.
        assertArrayEquals(new int[] {Op.FUEL, 2, Op.I32_CONST, 1, 0, Op.I32_CONST, 2, 1,
                Op.FUEL, 2, Op.I32_ADD, 1, 1, 2, Op.I32_BR_LT_S, 1, 0, 8,
                Op.FUEL, 1, Op.RET, 1, 1}, f.code);
        assertEquals(0, f.bytePc(0));
        assertEquals(0, f.bytePc(3));
        int loopPc = new Guest(COUNT).pcOf("count", Opcode.I32_ADD, 0);
        assertEquals(loopPc, f.bytePc(8));
        assertEquals(loopPc, f.bytePc(12));
    }
}
