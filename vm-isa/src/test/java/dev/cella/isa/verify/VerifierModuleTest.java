package dev.cella.isa.verify;

import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.F64;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Module-level rejections (types, imports, exports, start, tables, memory, segments, globals). */
class VerifierModuleTest {
    private final ModuleBuilder m = new ModuleBuilder();

    private void assertAccepted() {
        assertDoesNotThrow(() -> Verifier.verify(m.build()));
    }

    @Test
    void acceptsAnEmptyModule() {
        assertAccepted();
    }

    @Test
    void rejectsANullModule() {
        assertThrows(NullPointerException.class, () -> Verifier.verify(null));
    }

    @Test
    void rejectsTheSameSignatureListedTwice() {
        m.rawType(List.of(I32), List.of(I64));
        m.rawType(List.of(F32), List.of());
        m.rawType(List.of(I32), List.of(I64));
        m.assertRejected("type 2 (i32) -> (i64) duplicates type 0");
    }

    @Test
    void rejectsAnImportWithATypeIndexOutOfRange() {
        m.type(List.of(), List.of());
        m.imports.add(new dev.cella.isa.module.Import("env", "f", 3));
        m.assertRejected("import 0 (env.f) has type index 3, out of range (the module has 1 type)");
    }

    @Test
    void rejectsAHostImportWithTwoResults() {
        m.importFunction("env", "divmod", List.of(I32, I32), List.of(I32, I32));
        m.assertRejected("import 0 (env.divmod) has type (i32, i32) -> (i32, i32) with 2 results, "
                + "but a host function returns at most one value");
    }

    @Test
    void acceptsADefinedFunctionWithTwoResults() {
        m.function(List.of(I32, I64), List.of(I64, I32), List.of(), new Body().ret(1, 0).bytes());
        assertAccepted();
    }

    @Test
    void rejectsAnImportWithoutAName() {
        m.type(List.of(), List.of());
        m.imports.add(new dev.cella.isa.module.Import("env", null, 0));
        m.assertRejected("import 0 has no module or field name");
    }

    @Test
    void rejectsTwoExportsWithTheSameName() {
        int f = m.emptyFunction();
        m.global(I32, false, 0);
        m.export("x", ExportKind.FUNC, f).export("x", ExportKind.GLOBAL, 0);
        m.assertRejected("export \"x\" is exported twice");
    }

    @Test
    void rejectsExportOfAFunctionOutOfRange() {
        m.emptyFunction();
        m.export("main", ExportKind.FUNC, 1);
        m.assertRejected("export \"main\" names function 1, out of range (the module has 1 function)");
    }

    @Test
    void rejectsExportOfATableOutOfRange() {
        m.export("t", ExportKind.TABLE, 0);
        m.assertRejected("export \"t\" names table 0, out of range (the module has 0 tables)");
    }

    @Test
    void rejectsExportOfAGlobalOutOfRange() {
        m.global(I32, false, 0);
        m.export("g", ExportKind.GLOBAL, -1);
        m.assertRejected("export \"g\" names global -1, out of range (the module has 1 global)");
    }

    @Test
    void rejectsExportOfAMemoryWhenThereIsNone() {
        m.export("memory", ExportKind.MEMORY, 0);
        m.assertRejected("export \"memory\" names a memory but the module has none");
    }

    @Test
    void rejectsExportOfMemoryOne() {
        m.memory(1, Limits.NONE).export("memory", ExportKind.MEMORY, 1);
        m.assertRejected("export \"memory\" names memory 1; only memory 0 exists");
    }

    @Test
    void acceptsExportsOfEveryKind() {
        int f = m.emptyFunction();
        m.table(1, 1);
        m.global(F64, false, 0);
        m.memory(1, 2).export("f", ExportKind.FUNC, f).export("t", ExportKind.TABLE, 0)
                .export("g", ExportKind.GLOBAL, 0).export("m", ExportKind.MEMORY, 0);
        assertAccepted();
    }

    @Test
    void rejectsAStartFunctionOutOfRange() {
        m.emptyFunction();
        m.start = 1;
        m.assertRejected("the start function is function 1, out of range (the module has 1 function)");
    }

    @Test
    void rejectsANegativeStartFunctionOtherThanNone() {
        m.start = -2;
        m.assertRejected("the start function is function -2, out of range");
    }

    @Test
    void rejectsAStartFunctionWithParameters() {
        m.start = m.function(List.of(I32), List.of(), List.of(), new Body().ret().bytes());
        m.assertRejected("the start function 0 has type (i32) -> () but must have type () -> ()");
    }

    @Test
    void rejectsAStartFunctionWithResults() {
        m.start = m.importFunction("env", "init", List.of(), List.of(I32));
        m.assertRejected("the start function 0 has type () -> (i32)");
    }

    @Test
    void acceptsAnImportedStartFunction() {
        m.start = m.importFunction("env", "init", List.of(), List.of());
        assertAccepted();
    }

    @Test
    void rejectsATableWhoseMaximumIsBelowItsMinimum() {
        m.table(1, 1);
        m.table(3, 2);
        m.assertRejected("table 1 has maximum size 2 below its minimum size 3");
    }

    @Test
    void rejectsATableOverTheSizeLimit() {
        m.table(Verifier.MAX_TABLE_SIZE + 1, Limits.NONE);
        m.assertRejected("table 0 has minimum size 10000001 elements, over the limit of 10000000 elements");
    }

    @Test
    void acceptsATableWithAMaximumAboveTheSizeLimit() {
        m.table(Verifier.MAX_TABLE_SIZE, 0xFFFF_FFFFL);
        assertAccepted();
    }

    @Test
    void rejectsATableWithANegativeMinimum() {
        m.table(-1, Limits.NONE);
        m.assertRejected("table 0 has a negative minimum size -1");
    }

    @Test
    void rejectsAMemoryWhoseMaximumIsBelowItsMinimum() {
        m.memory(2, 1);
        m.assertRejected("the memory has maximum size 1 below its minimum size 2");
    }

    @Test
    void rejectsAMemoryMaximumOverTheLimit() {
        m.memory(1, Module.MAX_MEMORY_PAGES + 1);
        m.assertRejected("the memory has maximum size 32768 pages, over the limit of 32767 pages");
    }

    @Test
    void rejectsAMemoryMinimumOverTheLimit() {
        m.memory(Module.MAX_MEMORY_PAGES + 1, Limits.NONE);
        m.assertRejected("the memory has minimum size 32768 pages, over the limit of 32767 pages");
    }

    @Test
    void acceptsAMemoryOfTheLargestSize() {
        m.memory(Module.MAX_MEMORY_PAGES, Module.MAX_MEMORY_PAGES);
        assertAccepted();
    }

    @Test
    void rejectsAnElementSegmentForATableOutOfRange() {
        int f = m.emptyFunction();
        m.elements.add(new ElementSegment(0, 0, new int[] {f}));
        m.assertRejected("element segment 0 initializes table 0, out of range (the module has 0 tables)");
    }

    @Test
    void rejectsAnElementSegmentNamingAFunctionOutOfRange() {
        int f = m.emptyFunction();
        m.table(4, Limits.NONE);
        m.elements.add(new ElementSegment(0, 0, new int[] {f, 5}));
        m.assertRejected("element segment 0 entry 1 names function 5, out of range (the module has 1 function)");
    }

    @Test
    void rejectsAnElementSegmentPastTheTablesMinimumSize() {
        int f = m.emptyFunction();
        m.table(4, 100);
        m.elements.add(new ElementSegment(0, 3, new int[] {f, f}));
        m.assertRejected("element segment 0 (offset 3, 2 elements) does not fit in the 4 elements of table 0");
    }

    @Test
    void rejectsAnElementSegmentAtAHugeOffset() {
        int f = m.emptyFunction();
        m.table(4, Limits.NONE);
        m.elements.add(new ElementSegment(0, Long.MAX_VALUE, new int[] {f}));
        m.assertRejected("does not fit in the 4 elements of table 0");
    }

    @Test
    void acceptsAnElementSegmentThatExactlyFillsTheTable() {
        int f = m.emptyFunction();
        m.table(4, Limits.NONE);
        m.elements.add(new ElementSegment(0, 1, new int[] {f, f, f}));
        m.elements.add(new ElementSegment(0, 4, new int[0]));
        assertAccepted();
    }

    @Test
    void rejectsADataSegmentWithoutAMemory() {
        m.data.add(new DataSegment(0, new byte[] {1}));
        m.assertRejected("data segment 0 initializes memory but the module has none");
    }

    @Test
    void rejectsADataSegmentPastTheMemorysMinimumSize() {
        m.memory(1, 10);
        m.data.add(new DataSegment(0, new byte[] {1}));
        m.data.add(new DataSegment(65535, new byte[] {1, 2}));
        m.assertRejected("data segment 1 (offset 65535, 2 bytes) does not fit in the 65536 bytes of the memory");
    }

    @Test
    void rejectsADataSegmentAtANegativeOffset() {
        m.memory(1, Limits.NONE);
        m.data.add(new DataSegment(-1, new byte[] {1}));
        m.assertRejected("data segment 0 (offset -1, 1 byte) does not fit");
    }

    @Test
    void acceptsDataSegmentsThatExactlyFillTheMemory() {
        m.memory(2, Limits.NONE);
        m.data.add(new DataSegment(0, new byte[65536]));
        m.data.add(new DataSegment(65536, new byte[65536]));
        m.data.add(new DataSegment(131072, new byte[0]));
        assertAccepted();
    }

    @Test
    void rejectsAnI32GlobalWhoseBitsAreNotSignExtended() {
        m.global(I32, false, -1);
        m.global(I32, false, 0xFFFF_FFFFL);
        m.assertRejected("global 1 of type i32 has initial bits 0xffffffff that are not a valid i32 value "
                + "(an i32 is held sign-extended)");
    }

    @Test
    void rejectsAnF32GlobalWiderThan32Bits() {
        m.global(F32, true, 0xFFFF_FFFFL);
        m.global(F32, true, 0x1_0000_0000L);
        m.assertRejected("global 1 of type f32 has initial bits 0x100000000 that are not a valid f32 value");
    }

    @Test
    void acceptsAnyBitsInI64AndF64Globals() {
        m.global(I64, false, -1);
        m.global(F64, false, 0x7FF0_0000_0000_0001L);
        m.global(I32, false, Integer.MIN_VALUE);
        m.global(F32, false, 0x7FC0_0000L);
        assertAccepted();
    }

    @Test
    void rejectsAGlobalWithoutAType() {
        m.global(null, false, 0);
        m.assertRejected("global 0 has no type");
    }
}
