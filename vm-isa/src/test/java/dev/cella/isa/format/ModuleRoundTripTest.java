package dev.cella.isa.format;

import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.F64;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ModuleGen;
import dev.cella.isa.ValType;
import dev.cella.isa.code.ByteInput;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleRoundTripTest {

    /** Writes {@code m}, reads it back, and checks that nothing changed, including the bytes. */
    private static Module roundTrip(Module m) {
        byte[] bytes = ModuleWriter.write(m);
        Module back = ModuleReader.read(bytes);
        assertNull(ModuleGen.difference(m, back));
        assertArrayEquals(bytes, ModuleWriter.write(back));
        return back;
    }

    /** The section ids of a well-formed binary, in order. */
    private static List<Integer> sectionIds(byte[] bytes) {
        List<Integer> ids = new ArrayList<>();
        ByteInput in = new ByteInput(bytes);
        in.position(Section.HEADER_SIZE);
        while (in.hasRemaining()) {
            ids.add(in.u8());
            int size = (int) in.u32();
            in.position(in.position() + size);
        }
        return ids;
    }

    @Test
    void roundTripsAModuleThatUsesEverySection() {
        Module back = roundTrip(SampleModules.full());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), sectionIds(ModuleWriter.write(back)));
    }

    @Test
    void writesAnEmptyModuleAsTheHeaderAlone() {
        byte[] bytes = ModuleWriter.write(SampleModules.empty());
        assertArrayEquals(new byte[] {0x00, 0x43, 0x45, 0x4C, 1, 0, 0, 0}, bytes);
        roundTrip(SampleModules.empty());
    }

    @Test
    void leavesOutEmptySections() {
        Module m = SampleModules.tiny();
        assertEquals(List.of(1, 4, 6, 9, 11), sectionIds(ModuleWriter.write(m)));
        roundTrip(m);
    }

    @Test
    void keepsTheExactBitsOfEveryGlobalValue() {
        List<Global> globals = new ArrayList<>();
        long[] i32s = {0, 1, -1, 63, 64, -64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE};
        long[] i64s = {0, -1, 1L << 32, -(1L << 40), Long.MAX_VALUE, Long.MIN_VALUE};
        long[] f32s = {0, 0x80000000L, 0x7FC00000L, 0xFFC00000L, 0x7F800001L, 0xFFBFFFFFL, 0x7F800000L,
            Float.floatToRawIntBits(1.5f) & 0xFFFFFFFFL};
        long[] f64s = {0, 0x8000000000000000L, 0x7FF8000000000000L, 0xFFF0000000000001L, 0x7FF4000000000000L,
            Double.doubleToRawLongBits(Math.PI)};
        for (long v : i32s) {
            globals.add(new Global(I32, false, v));
        }
        for (long v : i64s) {
            globals.add(new Global(I64, true, v));
        }
        for (long v : f32s) {
            globals.add(new Global(F32, false, v));
        }
        for (long v : f64s) {
            globals.add(new Global(F64, true, v));
        }
        Module m = new Module(List.of(), List.of(), List.of(), List.of(), null, globals, List.of(), -1, List.of(),
                List.of(), Names.EMPTY);
        assertEquals(globals, roundTrip(m).globals());
    }

    @Test
    void keepsEmptyAndNonAsciiStrings() {
        Module back = roundTrip(SampleModules.full());
        assertEquals(new Import("", "", 1), back.imports().get(0));
        assertEquals(new Import("\u00e9\u2192\ud83d\ude00", "x\0y", 3), back.imports().get(2));
        assertEquals(new Export("", ExportKind.GLOBAL, 0), back.exports().get(1));
        assertEquals("", back.names().function(4));
        assertEquals("d\u00e9j\u00e0", back.names().register(3, 4));
    }

    @Test
    void keepsLimitsAndOffsetsUpToTheLargestUnsigned32BitValue() {
        long max = 0xFFFFFFFFL;
        Module m = new Module(List.of(), List.of(), List.of(), List.of(new Limits(max, max), new Limits(0, Limits.NONE)),
                new Limits(max, Limits.NONE), List.of(), List.of(), -1,
                List.of(new ElementSegment(Integer.MAX_VALUE, max, new int[] {Integer.MAX_VALUE, 0})),
                List.of(new DataSegment(max, new byte[] {1, 2})), Names.EMPTY);
        Module back = roundTrip(m);
        assertEquals(new Limits(max, max), back.tables().get(0));
        assertEquals(max, back.data().get(0).offset());
    }

    @Test
    void keepsOutOfRangeIndicesForTheVerifierToReject() {
        Function f = new Function(7, List.of(), new byte[0]);
        Module m = new Module(List.of(), List.of(new Import("m", "n", 99)), List.of(f), List.of(), null, List.of(),
                List.of(new Export("e", ExportKind.GLOBAL, 5)), 12, List.of(), List.of(), Names.EMPTY);
        Module back = roundTrip(m);
        assertEquals(7, back.functions().get(0).typeIndex());
        assertEquals(99, back.imports().get(0).typeIndex());
        assertEquals(12, back.start());
    }

    @Test
    void roundTripsAFunctionWithTheMostRegistersAllowed() {
        List<ValType> registers = new ArrayList<>(Collections.nCopies(CodeReader.MAX_REGISTERS, F64));
        Module m = new Module(List.of(), List.of(), List.of(new Function(0, registers, new byte[] {0x01})), List.of(),
                null, List.of(), List.of(), -1, List.of(), List.of(), Names.EMPTY);
        assertEquals(CodeReader.MAX_REGISTERS, roundTrip(m).functions().get(0).registers().size());
    }

    @Test
    void dropsDefaultNamesWhenWriting() {
        Names names = new Names(Map.of(0, "f0", 1, "f2"), Map.of(0, Map.of(3, "r3")), Map.of(0, "g0", 1, "g"));
        Module m = new Module(List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of(), -1, List.of(),
                List.of(), names);
        Module back = ModuleReader.read(ModuleWriter.write(m));
        assertEquals(new Names(Map.of(1, "f2"), Map.of(), Map.of(1, "g")), back.names());
    }

    @Test
    void writesNoNamesSectionWhenOnlyDefaultNamesAreGiven() {
        Names names = new Names(Map.of(2, "f2"), Map.of(2, Map.of(0, "r0")), Map.of(5, "g5"));
        Module m = new Module(List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of(), -1, List.of(),
                List.of(), names);
        assertEquals(Section.HEADER_SIZE, ModuleWriter.write(m).length);
    }

    @Test
    void refusesValuesTheFormatCannotRepresent() {
        Module base = SampleModules.empty();
        List<Module> bad = List.of(
                with(base, List.of(new Import("m", "n", -1)), base.globals(), base.memory()),
                with(base, base.imports(), List.of(new Global(I32, false, 1L << 31)), base.memory()),
                with(base, base.imports(), List.of(new Global(F32, false, -1)), base.memory()),
                with(base, base.imports(), base.globals(), new Limits(1L << 32, Limits.NONE)),
                with(base, base.imports(), base.globals(), new Limits(0, -2)),
                with(base, List.of(new Import("\ud800", "n", 0)), base.globals(), base.memory()));
        for (Module m : bad) {
            assertThrows(IllegalArgumentException.class, () -> ModuleWriter.write(m), ModuleGen.describe(m));
        }
        List<ValType> tooMany = Collections.nCopies(CodeReader.MAX_REGISTERS + 1, I32);
        Module big = new Module(List.of(), List.of(), List.of(new Function(0, tooMany, new byte[0])), List.of(), null,
                List.of(), List.of(), -1, List.of(), List.of(), Names.EMPTY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModuleWriter.write(big));
        assertTrue(e.getMessage().contains("65537 registers"), e.getMessage());
    }

    private static Module with(Module m, List<Import> imports, List<Global> globals, Limits memory) {
        return new Module(m.types(), imports, m.functions(), m.tables(), memory, globals, m.exports(), m.start(),
                m.elements(), m.data(), m.names());
    }
}
