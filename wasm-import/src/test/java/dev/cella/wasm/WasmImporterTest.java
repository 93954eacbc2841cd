package dev.cella.wasm;

import java.nio.charset.StandardCharsets;
import static dev.cella.wasm.WasmBinary.END;
import static dev.cella.wasm.WasmBinary.I32;
import static dev.cella.wasm.WasmBinary.body;
import static dev.cella.wasm.WasmBinary.bytes;
import static dev.cella.wasm.WasmBinary.funcType;
import static dev.cella.wasm.WasmBinary.module;
import static dev.cella.wasm.WasmBinary.section;
import static dev.cella.wasm.WasmBinary.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ValType;
import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.text.Disassembler;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The importer's module-level mapping and its errors; instruction semantics are tested by the .wast suite. */
class WasmImporterTest {
    private static final int[] NONE = {};
    private static final int[] ONE_I32 = {I32};

    private static long call(Module m, String export, long... args) {
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        long[] r = new Interpreter(m).invoke(instance, instance.exportedFunction(export), args);
        return r.length == 0 ? 0 : r[0];
    }

    @Test
    void translatesToAModuleThatSurvivesTheCellaBinaryAndTextFormats() {
        Module m = WasmImporter.translate(TranslationQualityTest.resource("/wast/calls/calls.1.wasm"),
                (mod, name, type) -> mod.equals("spectest") ? 666L : 7L);
        Module read = ModuleReader.read(ModuleWriter.write(m));
        String text = Disassembler.disassemble(m);
        assertEquals(text, Disassembler.disassemble(read));
        assertEquals(text, Disassembler.disassemble(Assembler.assemble(text, "calls.casm")));
    }

    @Test
    void aTableImportBecomesATableTheModuleImportsAndItsSegmentsAreCheckedAtInstantiation() {
        // (import "env" "t" (table 2 4 funcref)) (table 1 externref) (func) (elem (i32.const 3) func 0):
        // the segment does not fit the import's minimum, but the table provided may be larger.
        byte[] wasm = module(
                section(1, vec(funcType(NONE, NONE))),
                section(2, vec(bytes("env", "t", 0x01, 0x70, 0x01, 0x02, 0x04))),
                section(3, vec(bytes(0x00))),
                section(4, vec(bytes(0x6F, 0x00, 0x01))),
                section(9, vec(bytes(0x00, 0x41, 0x03, END, vec(bytes(0x00))))),
                section(10, vec(body(END))));
        Module m = WasmImporter.translate(wasm);
        assertEquals("env", m.tableImport(0).module());
        assertEquals("t", m.tableImport(0).name());
        assertEquals(new Limits(2, 4), m.tables().get(0));
        assertEquals(null, m.tableImport(1));
        assertEquals(ValType.EXTERNREF, m.tableType(1));
        String text = Disassembler.disassemble(m);
        assertTrue(text.contains("table tab0 2 4 import \"env\" \"t\""), text);
        assertEquals(text, Disassembler.disassemble(ModuleReader.read(ModuleWriter.write(m))));
        assertEquals(text, Disassembler.disassemble(Assembler.assemble(text, "t.casm")));
    }

    @Test
    void anImmutableReferenceGlobalImportBecomesAGlobalImportAndACopyOfItTheSameImport() {
        // (import "env" "f" (global funcref)) (global funcref (global.get 0))
        byte[] wasm = module(
                section(2, vec(bytes("env", "f", 0x03, 0x70, 0x00))),
                section(6, vec(bytes(0x70, 0x00, 0x23, 0x00, END))));
        Module m = WasmImporter.translate(wasm);
        for (int g = 0; g < 2; g++) {
            assertTrue(m.globals().get(g).imported(), "global " + g);
            assertEquals("env.f", m.globals().get(g).importModule() + "." + m.globals().get(g).importName());
            assertEquals(false, m.globals().get(g).mutable());
        }
    }

    @Test
    void keepsImportNamesSoWasiCallsReachTheHostAbi() {
        byte[] wasm = module(
                section(1, vec(funcType(new int[] {I32, I32, I32, I32}, ONE_I32))),
                section(2, vec(bytes("wasi_snapshot_preview1", "fd_write", 0x00, 0x00))));
        Module m = WasmImporter.translate(wasm);
        assertEquals(List.of(new Import("wasi_snapshot_preview1", "fd_write", 0)), m.imports());
        assertEquals(new FuncType(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32)),
                m.types().get(0));
    }

    @Test
    void listsEachSignatureOnceAsCellaRequires() {
        byte[] wasm = module(
                section(1, vec(funcType(NONE, ONE_I32), funcType(NONE, ONE_I32))),
                section(3, vec(0x00, 0x01)),
                section(10, vec(body(0x41, 0x01, END), body(0x41, 0x02, END))));
        Module m = WasmImporter.translate(wasm);
        assertEquals(1, m.types().size());
        assertEquals(0, m.functions().get(1).typeIndex());
    }

    @Test
    void lowersAMemoryMaximumAboveCellasLimitToTheLimit() {
        byte[] wasm = module(section(5, vec(bytes(0x01, 0x01, 0x80, 0x80, 0x04))));
        assertEquals(new Limits(1, Module.MAX_MEMORY_PAGES), WasmImporter.translate(wasm).memory());
    }

    @Test
    void rejectsAnInitialMemoryLargerThanCellaSupports() {
        byte[] wasm = module(section(5, vec(bytes(0x00, 0x80, 0x80, 0x02))));
        WasmException e = assertThrows(WasmException.class, () -> WasmImporter.translate(wasm));
        assertEquals(WasmException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.reason().contains("32768 pages"), e.getMessage());
    }

    @Test
    void bindsAnImmutableGlobalImportToTheValueGiven() {
        byte[] wasm = module(
                section(1, vec(funcType(NONE, ONE_I32))),
                section(2, vec(bytes("env", "limit", 0x03, I32, 0x00))),
                section(3, vec(0x00)),
                section(7, vec(bytes("get", 0x00, 0x00), bytes("limit", 0x03, 0x00))),
                section(10, vec(body(0x23, 0x00, END))));
        Module m = WasmImporter.translate(wasm, (mod, name, type) -> mod.equals("env") && name.equals("limit")
                && type == ValType.I32 ? 1234L : null);
        assertEquals(1234, call(m, "get"));
        assertEquals(0, m.export("limit", ExportKind.GLOBAL).index());
        WasmException unbound = assertThrows(WasmException.class, () -> WasmImporter.translate(wasm));
        assertEquals(WasmException.Kind.UNSUPPORTED, unbound.kind());
        assertTrue(unbound.reason().contains("global import env.limit"), unbound.getMessage());
    }

    @Test
    void exportsAMutableGlobalThatFunctionsUpdate() {
        byte[] wasm = module(
                section(1, vec(funcType(NONE, NONE))),
                section(3, vec(0x00)),
                section(6, vec(bytes(I32, 0x01, 0x41, 0x05, END))),
                section(7, vec(bytes("bump", 0x00, 0x00), bytes("g", 0x03, 0x00))),
                section(10, vec(body(0x23, 0x00, 0x41, 0x01, 0x6A, 0x24, 0x00, END))));
        Module m = WasmImporter.translate(wasm);
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        new Interpreter(m).invoke(instance, instance.exportedFunction("bump"));
        assertEquals(6, instance.globals()[m.export("g", ExportKind.GLOBAL).index()]);
        assertTrue(m.globals().get(0).mutable());
    }

    @Test
    void givesFunctionsAndLocalsTheirNamesFromTheNameSection() {
        byte[] names = bytes("name", 0x01, 0x07, vec(bytes(0x00, "main")), 0x02, 0x06, vec(bytes(0x00, vec(bytes(0x00, "x")))));
        byte[] wasm = module(
                section(1, vec(funcType(ONE_I32, NONE))),
                section(3, vec(0x00)),
                section(10, vec(body(0x00, END))),
                section(0, names));
        Module m = WasmImporter.translate(wasm);
        assertEquals("main", m.names().function(0));
        assertEquals("x", m.names().register(0, 0));
        Trap t = assertThrows(Trap.class, () -> new Interpreter(m).invoke(
                new Instance(m, ImportResolver.NONE, InstanceOptions.defaults()), 0, 1));
        assertEquals(TrapKind.UNREACHABLE, t.kind());
        assertEquals("main", t.functionName());
    }

    @Test
    void reportsTheOffsetOfAnIllTypedInstruction() {
        byte[] wasm = WasmBinary.oneFunction(ONE_I32, 0x41, 0x00, 0x42, 0x00, 0x6A, END);
        int add = WasmBinary.oneFunctionCodeOffset(ONE_I32) + 4;
        WasmException e = assertThrows(WasmException.class, () -> WasmImporter.translate(wasm));
        assertEquals(WasmException.Kind.INVALID, e.kind());
        assertEquals(add, e.offset());
        assertEquals(0x6A, wasm[add] & 0xFF);
        assertTrue(e.getMessage().startsWith("invalid wasm module at offset " + add + " (0x"), e.getMessage());
        assertTrue(e.reason().contains("type mismatch"), e.getMessage());
    }

    @Test
    void reportsTheOffsetOfAMalformedHeader() {
        WasmException e = assertThrows(WasmException.class,
                () -> WasmImporter.translate(bytes(0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00)));
        assertEquals(WasmException.Kind.MALFORMED, e.kind());
        assertEquals(4, e.offset());
        assertTrue(e.reason().contains("unknown binary version"), e.getMessage());
    }

    @Test
    void reportsASegmentThatCanNeverFitAsUninstantiable() {
        byte[] wasm = module(section(5, vec(bytes(0x00, 0x01))),
                section(11, vec(bytes(0x00, 0x41, 0x80, 0x80, 0x04, END, vec(0x01)))));
        WasmException e = assertThrows(WasmException.class, () -> WasmImporter.translate(wasm));
        assertEquals(WasmException.Kind.UNINSTANTIABLE, e.kind());
        assertTrue(e.reason().contains("out of bounds memory access"), e.getMessage());
    }

    @Test
    void translatesTheStartFunction() {
        byte[] wasm = module(
                section(1, vec(funcType(NONE, NONE))),
                section(3, vec(0x00, 0x00)),
                section(8, 0x01),
                section(10, vec(body(END), body(END))));
        assertEquals(1, WasmImporter.translate(wasm).start());
    }

    @Test
    void copiesPassiveSegmentBytesOnlyWhenMemoryInitRuns() {
        // (memory 1) (data $d passive "xyz") (func (export "f") (result i32)
        //   (memory.init $d (i32.const 10) (i32.const 1) (i32.const 2)) (i32.load16_u (i32.const 10)))
        byte[] wasm = module(
                section(1, vec(funcType(NONE, ONE_I32))),
                section(3, vec(0x00)),
                section(5, vec(bytes(0x00, 0x01))),
                section(7, vec(bytes("f", 0x00, 0x00))),
                section(12, 0x01),
                section(10, vec(body(0x41, 0x0A, 0x41, 0x01, 0x41, 0x02, 0xFC, 0x08, 0x00, 0x00,
                        0x41, 0x0A, 0x2F, 0x01, 0x00, END))),
                section(11, vec(bytes(0x01, vec(0x78, 0x79, 0x7A)))));
        Module m = WasmImporter.translate(wasm);
        assertTrue(m.data().isEmpty(), "a passive segment must not be placed in memory at instantiation");
        assertEquals(0x7A79, call(m, "f"));
        assertEquals("memory.init$0", m.names().function(1));
    }

    @Test
    void keepsTheNaNPayloadOfAConstant() {
        byte[] wasm = WasmBinary.oneFunction(new int[] {WasmBinary.F32}, 0x43, 0x01, 0x00, 0xA0, 0x7F, END);
        assertArrayEquals(new long[] {0x7FA00001L},
                new long[] {call(WasmImporter.translate(wasm), "f")});
    }

    @Test
    void rejectsAnOperandStackDeeperThanAFunctionCanHoldRegistersFor() {
        Object[] code = new Object[2 * (BodyTranslator.MAX_DEPTH + 2) + 1];
        for (int i = 0; i + 1 < code.length; i += 2) {
            code[i] = 0x41;
            code[i + 1] = 0x00;
        }
        code[code.length - 1] = END;
        WasmException e = assertThrows(WasmException.class,
                () -> WasmImporter.translate(WasmBinary.module(section(1, vec(funcType(NONE, NONE))),
                        section(3, vec(0x00)), section(10, vec(body(code))))));
        assertEquals(WasmException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.reason().contains("deeper than"), e.getMessage());
    }

    @Test
    void recognizesWasmByItsMagicNumber() {
        assertTrue(WasmImporter.isWasm(WasmBinary.module()));
        assertTrue(!WasmImporter.isWasm(bytes(0x00, 0x61, 0x73)));
        assertTrue(!WasmImporter.isWasm("func main() {}".getBytes(StandardCharsets.UTF_8)));
    }
}
