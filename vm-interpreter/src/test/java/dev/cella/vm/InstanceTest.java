package dev.cella.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceTest {
    private static final HostFunction NOTHING = (instance, args) -> 0;

    /** Assembles without verifying, so tests can also build modules the verifier would reject. */
    private static Module raw(String source) {
        return Assembler.assemble(source, "instance-test.casm");
    }

    private static Module verified(String source) {
        Module m = raw(source);
        Verifier.verify(m);
        return m;
    }

    private static Instance instantiate(Module m, InstanceOptions options) {
        return new Instance(m, (module, name, type) -> NOTHING, options);
    }

    @Test
    void missingImportNamesTheImportAndItsType() {
        Module m = verified("""
                import print "env" "print" (i32) -> ()
                """);
        LinkException e = assertThrows(LinkException.class,
                () -> new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()));
        assertTrue(e.getMessage().contains("env.print"), e.getMessage());
        assertTrue(e.getMessage().contains("(i32) -> ()"), e.getMessage());
    }

    @Test
    void resolverSeesTheExpectedTypeAndDecidesAboutMismatches() {
        Module m = verified("""
                import a "env" "a" (i32, f64) -> (i64)
                import b "env" "b" () -> ()
                """);
        List<String> asked = new ArrayList<>();
        ImportResolver strict = (module, name, type) -> {
            asked.add(module + "." + name + " " + type);
            if (!type.equals(new FuncType(List.of(), List.of()))) {
                throw new LinkException(module + "." + name + " has the wrong type " + type);
            }
            return NOTHING;
        };
        LinkException e = assertThrows(LinkException.class,
                () -> new Instance(m, strict, InstanceOptions.defaults()));
        assertTrue(e.getMessage().contains("env.a has the wrong type (i32, f64) -> (i64)"), e.getMessage());
        assertEquals(List.of("env.a (i32, f64) -> (i64)"), asked);
    }

    @Test
    void resolvedHostFunctionsAreKeptByImportIndex() {
        Module m = verified("""
                import a "env" "a" () -> ()
                import b "env" "b" () -> ()
                """);
        HostFunction fa = (i, args) -> 1;
        HostFunction fb = (i, args) -> 2;
        Instance inst = new Instance(m, (module, name, type) -> name.equals("a") ? fa : fb, InstanceOptions.defaults());
        assertSame(fa, inst.hostFunction(0));
        assertSame(fb, inst.hostFunction(1));
    }

    @Test
    void hostImportWithTwoResultsIsRejected() {
        Module m = raw("""
                import pair "env" "pair" () -> (i32, i32)
                """);
        LinkException e = assertThrows(LinkException.class, () -> instantiate(m, InstanceOptions.defaults()));
        assertTrue(e.getMessage().contains("env.pair"), e.getMessage());
        assertTrue(e.getMessage().contains("at most one"), e.getMessage());
    }

    @Test
    void initialMemoryOverTheOptionsLimitIsRejected() {
        Module m = verified("memory 4");
        LinkException e = assertThrows(LinkException.class,
                () -> instantiate(m, InstanceOptions.defaults().withMaxMemoryPages(3)));
        assertTrue(e.getMessage().contains("4 pages"), e.getMessage());
        assertEquals(4, instantiate(m, InstanceOptions.defaults().withMaxMemoryPages(4)).memory().pages());
    }

    @Test
    void memoryMaximumIsTheSmallerOfModuleAndOptions() {
        assertEquals(5, instantiate(verified("memory 1 10"), InstanceOptions.defaults().withMaxMemoryPages(5))
                .memory().maxPages());
        assertEquals(3, instantiate(verified("memory 1 3"), InstanceOptions.defaults().withMaxMemoryPages(5))
                .memory().maxPages());
        assertEquals(7, instantiate(verified("memory 0"), InstanceOptions.defaults().withMaxMemoryPages(7))
                .memory().maxPages());
        assertEquals(Module.MAX_MEMORY_PAGES, instantiate(verified("memory 0"), InstanceOptions.defaults())
                .memory().maxPages());
        assertNull(instantiate(verified(""), InstanceOptions.defaults()).memory());
    }

    @Test
    void growPolicyDecidesEveryGrowth() {
        List<Long> asked = new ArrayList<>();
        Memory.GrowPolicy policy = (oldBytes, newBytes) -> {
            asked.add(newBytes);
            return newBytes <= 2 * Module.PAGE_SIZE;
        };
        Memory mem = instantiate(verified("memory 1"), InstanceOptions.defaults().withGrowPolicy(policy)).memory();
        assertEquals(1, mem.grow(1));
        assertEquals(-1, mem.grow(1));
        assertEquals(2, mem.pages());
        // A growth past the capacity asks first for room to grow into (16 pages more), then for the new size.
        long p = Module.PAGE_SIZE;
        assertEquals(List.of(17 * p, 2 * p, 18 * p, 3 * p), asked);
        assertEquals(2 * p, mem.capacity(), "the capacity the policy granted");
    }

    @Test
    void memoryIsZeroedExceptForDataSegments() {
        Instance inst = instantiate(verified("""
                memory 1
                data 3 "hi" "!"
                data 65535 "z"
                """), InstanceOptions.defaults());
        byte[] bytes = inst.memory().snapshot();
        assertEquals(Module.PAGE_SIZE, bytes.length);
        assertArrayEquals(new byte[] {0, 0, 0, 'h', 'i', '!', 0}, java.util.Arrays.copyOf(bytes, 7));
        assertEquals('z', bytes[65535]);
        int nonZero = 0;
        for (byte b : bytes) {
            nonZero += b != 0 ? 1 : 0;
        }
        assertEquals(4, nonZero);
    }

    @Test
    void dataSegmentPastTheEndOfMemoryIsRejected() {
        LinkException e = assertThrows(LinkException.class,
                () -> instantiate(raw("memory 1\ndata 65535 \"ab\""), InstanceOptions.defaults()));
        assertTrue(e.getMessage().contains("data segment 0"), e.getMessage());
        assertThrows(LinkException.class, () -> instantiate(raw("data 0 \"a\""), InstanceOptions.defaults()));
    }

    @Test
    void elementSegmentsFillTablesAndTheRestIsNull() {
        Instance inst = instantiate(verified("""
                table t 4
                elem t 1 [f, g]
                func f() {
                    ret
                }
                func g() {
                    ret
                }
                """), InstanceOptions.defaults());
        Table t = inst.table(0);
        assertEquals(4, t.size());
        // Raw references: 0 is null, function f is f + 1.
        assertEquals(0, t.get(0));
        assertEquals(1, t.get(1));
        assertEquals(2, t.get(2));
        assertEquals(0, t.get(3));
    }

    @Test
    void elementSegmentPastTheEndOfItsTableIsRejected() {
        LinkException e = assertThrows(LinkException.class, () -> instantiate(raw("""
                table t 2
                elem t 1 [f, f]
                func f() {
                    ret
                }
                """), InstanceOptions.defaults()));
        assertTrue(e.getMessage().contains("element segment 0"), e.getMessage());
        assertTrue(e.getMessage().contains("2 elements"), e.getMessage());
    }

    @Test
    void globalsStartAtTheirInitialValuesInRegisterForm() {
        Instance inst = instantiate(verified("""
                global a: i32 = -1
                global b: i64 mut = 0x1_0000_0000
                global c: f32 = -0.0
                global d: f64 mut = 1.5
                """), InstanceOptions.defaults());
        assertArrayEquals(new long[] {-1L, 0x100000000L, 0x80000000L, Double.doubleToRawLongBits(1.5)}, inst.globals());
        assertSame(inst.globals(), inst.globals());
    }

    @Test
    void instancesOfOneModuleShareNothing() {
        Module m = verified("memory 1\nglobal g: i32 mut = 5");
        Instance a = instantiate(m, InstanceOptions.defaults());
        Instance b = instantiate(m, InstanceOptions.defaults());
        a.memory().writeU8(10, 42);
        a.globals()[0] = 6;
        assertEquals(0, b.memory().readU8(10));
        assertEquals(5, b.globals()[0]);
        assertNotSame(a.memory(), b.memory());
    }

    @Test
    void exportedFunctionsAreFoundByName() {
        Instance inst = instantiate(verified("""
                import h "env" "h" () -> ()
                func f() {
                    ret
                }
                export func f "run"
                """), InstanceOptions.defaults());
        assertEquals(1, inst.exportedFunction("run"));
        assertEquals(-1, inst.exportedFunction("f"));
    }

    @Test
    void fuelUsedCountsAcrossNewBudgets() {
        Instance inst = instantiate(verified(""), InstanceOptions.defaults().withFuel(100));
        assertEquals(100, inst.fuelRemaining());
        assertEquals(0, inst.fuelUsed());
        inst.consumeFuelTo(60);
        assertEquals(40, inst.fuelUsed());
        inst.setFuel(1000);
        assertEquals(1000, inst.fuelRemaining());
        assertEquals(40, inst.fuelUsed());
        inst.consumeFuelTo(990);
        assertEquals(50, inst.fuelUsed());
        assertThrows(IllegalArgumentException.class, () -> inst.setFuel(-1));
    }

    @Test
    void optionsHaveDocumentedDefaultsAndRejectNonsense() {
        InstanceOptions d = InstanceOptions.defaults();
        assertEquals(Long.MAX_VALUE, d.fuel());
        assertEquals(10_000, d.maxCallDepth());
        assertSame(Memory.GrowPolicy.UNLIMITED, d.growPolicy());
        assertEquals(Module.MAX_MEMORY_PAGES, d.maxMemoryPages());
        assertEquals(5, d.withFuel(5).fuel());
        assertEquals(7, d.withMaxCallDepth(7).maxCallDepth());
        assertEquals(9, d.withMaxMemoryPages(9).maxMemoryPages());
        assertThrows(IllegalArgumentException.class, () -> d.withFuel(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxCallDepth(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxMemoryPages(-1));
        assertThrows(NullPointerException.class, () -> d.withGrowPolicy(null));
        Instance inst = instantiate(verified(""), d.withMaxCallDepth(123));
        assertEquals(123, inst.maxCallDepth());
    }

    @Test
    void valueTypesAreNormalizedToRegisterForm() {
        assertEquals(-1L, Instance.normalize(ValType.I32, 0xFFFFFFFFL));
        assertEquals(0xFFFFFFFFL, Instance.normalize(ValType.F32, -1L));
        assertEquals(-1L, Instance.normalize(ValType.I64, -1L));
    }

    @Test
    void tablesHoldRawReferencesWithinTheirSize() {
        Table t = new Table(ValType.EXTERNREF, 2, 4);
        t.set(0, 5);
        assertEquals(5, t.get(0));
        assertEquals(0, t.get(1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2));
        assertThrows(IllegalArgumentException.class, () -> new Table(-1));
        assertThrows(IllegalArgumentException.class, () -> new Table(ValType.I64, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Table(ValType.FUNCREF, 3, 2));
    }

    /** A resolver that provides one memory under env.mem and nothing else. */
    private static ImportResolver providing(Memory shared) {
        return new ImportResolver() {
            @Override
            public HostFunction resolve(String module, String name, FuncType type) {
                return null;
            }

            @Override
            public Memory memory(String module, String name, dev.cella.isa.module.Limits limits) {
                return module.equals("env") && name.equals("mem") ? shared : null;
            }
        };
    }

    @Test
    void anImportedMemoryIsSharedAndItsDataSegmentsWriteIntoIt() {
        Module m = verified("""
                memory 1 import "env" "mem"
                data 70000 "hi"
                """);
        // The module's binary form keeps the import.
        Module read = dev.cella.isa.format.ModuleReader.read(dev.cella.isa.format.ModuleWriter.write(m));
        assertEquals(m.memoryImport(), read.memoryImport());
        Memory shared = new Memory(2, 3);
        Instance inst = new Instance(m, providing(shared), InstanceOptions.defaults());
        assertSame(shared, inst.memory());
        assertEquals('h', shared.array()[70000]);
        assertEquals('i', shared.array()[70001]);
    }

    @Test
    void anImportedMemoryMustExistMeetItsLimitsAndHoldItsDataSegments() {
        Module m = verified("""
                memory 2 3 import "env" "mem"
                """);
        assertThrows(LinkException.class, () -> new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()));
        // Too small now, or a maximum past the import's.
        assertThrows(LinkException.class, () -> new Instance(m, providing(new Memory(1, 3)), InstanceOptions.defaults()));
        assertThrows(LinkException.class, () -> new Instance(m, providing(new Memory(2, 4)), InstanceOptions.defaults()));
        new Instance(m, providing(new Memory(3, 3)), InstanceOptions.defaults());
        Module data = verified("""
                memory 1 import "env" "mem"
                data 65535 "ab"
                """);
        assertThrows(LinkException.class, () -> new Instance(data, providing(new Memory(1, 1)), InstanceOptions.defaults()));
    }

    @Test
    void anImportedGlobalIsItsProvidersVariable() {
        Module m = verified("""
                global g: i64 mut import "env" "g"
                global own: i64 mut = 5
                """);
        Module read = dev.cella.isa.format.ModuleReader.read(dev.cella.isa.format.ModuleWriter.write(m));
        assertEquals(m.globals(), read.globals());
        assertThrows(LinkException.class, () -> new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()));
        long[] provider = {0, 41};
        Instance inst = new Instance(m, new ImportResolver() {
            @Override
            public HostFunction resolve(String module, String name, FuncType type) {
                return null;
            }

            @Override
            public GlobalCell global(String module, String name, ValType type, boolean mutable) {
                return new GlobalCell(provider, 1);
            }
        }, InstanceOptions.defaults());
        assertTrue(inst.globalLinked(0));
        assertEquals(41, inst.globalGet(0));
        inst.globalSet(0, 42);
        assertEquals(42, provider[1]);
        assertEquals(5, inst.globalGet(1));
    }
}
