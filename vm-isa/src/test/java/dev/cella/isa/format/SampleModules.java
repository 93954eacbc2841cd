package dev.cella.isa.format;

import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.F64;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.CodeWriter;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Hand-built modules for the binary format tests. */
final class SampleModules {
    private SampleModules() {}

    /** A module with no items at all. */
    static Module empty() {
        return new Module(List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of(), -1, List.of(),
                List.of(), Names.EMPTY);
    }

    /**
     * The module of the hex dump in {@code docs/binary-format.md}: {@code func inc(x: i32) ->
     * i32 { reg one: i32; i32.const one, 1; i32.add x, x, one; ret x }}, exported as "inc", with a
     * one-page memory.
     */
    static Module tiny() {
        CodeWriter w = new CodeWriter();
        w.write(Opcode.I32_CONST, new long[] {1, 1}, new int[2][]);
        w.write(Opcode.I32_ADD, new long[] {0, 0, 1}, new int[3][]);
        w.write(Opcode.RET, new long[] {1}, new int[][] {{0}});
        return new Module(List.of(new FuncType(List.of(I32), List.of(I32))), List.of(),
                List.of(new Function(0, List.of(I32, I32), w.toByteArray())), List.of(), new Limits(1, Limits.NONE),
                List.of(), List.of(new Export("inc", ExportKind.FUNC, 0)), -1, List.of(), List.of(),
                new Names(Map.of(0, "inc"), Map.of(0, Map.of(0, "x", 1, "one")), Map.of()));
    }

    /**
     * A module that fills every section and uses every kind of value: empty and non-ASCII
     * strings, NaN payloads, negative and extreme integers, limits with and without a maximum,
     * the largest unsigned 32-bit offsets, labels and label lists, calls with register lists.
     */
    static Module full() {
        List<FuncType> types = List.of(
                new FuncType(List.of(I32, I64), List.of(F32)),
                new FuncType(List.of(), List.of()),
                new FuncType(List.of(F64), List.of(I32, I64)),
                new FuncType(List.of(I32), List.of(I32)));
        List<Import> imports = List.of(
                new Import("", "", 1),
                new Import("wasi_snapshot_preview1", "fd_write", 0),
                new Import("\u00e9\u2192\ud83d\ude00", "x\0y", 3));
        List<Global> globals = List.of(
                new Global(I32, true, -1),
                new Global(I64, false, Long.MIN_VALUE),
                new Global(F32, true, 0xFFA00001L),
                new Global(F64, false, 0x7FF0000000000001L),
                new Global(F32, false, 0x80000000L),
                new Global(I32, false, Integer.MIN_VALUE),
                new Global(I64, true, Long.MAX_VALUE),
                new Global(F64, true, Double.doubleToRawLongBits(-0.0)));
        List<Export> exports = List.of(
                new Export("inc", ExportKind.FUNC, 3),
                new Export("", ExportKind.GLOBAL, 0),
                new Export("mem", ExportKind.MEMORY, 0),
                new Export("tab", ExportKind.TABLE, 1),
                new Export("\u00fcn\u00ef", ExportKind.FUNC, 4));
        List<ElementSegment> elements = List.of(
                new ElementSegment(1, 0, new int[] {3, 4, 0}),
                new ElementSegment(0, 0xFFFFFFFFL, new int[0]));
        List<DataSegment> data = List.of(
                new DataSegment(0, "hello".getBytes(StandardCharsets.UTF_8)),
                new DataSegment(0xFFFFFFFFL, new byte[0]),
                new DataSegment(16, new byte[] {0, (byte) 0xFF, (byte) 0x80, 0x7F}));
        Names names = new Names(Map.of(1, "fd_write", 3, "inc", 4, ""),
                Map.of(3, Map.of(0, "x", 1, "one", 4, "d\u00e9j\u00e0"), 4, Map.of(0, "zero")),
                Map.of(1, "min", 2, "nan"));
        return new Module(types, imports, List.of(inc(), driver()), List.of(new Limits(0, Limits.NONE),
                new Limits(2, 0xFFFFFFFFL)), new Limits(1, Module.MAX_MEMORY_PAGES), globals, exports, 4, elements,
                data, names);
    }

    /** Function 3, (i32) -> i32: constants of every type, a loop, a br_table. */
    private static Function inc() {
        CodeWriter w = new CodeWriter();
        int top = w.pc();
        w.write(Opcode.I32_CONST, new long[] {1, -5}, new int[2][]);
        w.write(Opcode.I64_CONST, new long[] {2, Long.MIN_VALUE}, new int[2][]);
        w.write(Opcode.F32_CONST, new long[] {3, 0x7FA00001L}, new int[2][]);
        w.write(Opcode.F64_CONST, new long[] {4, 0xFFF0000000000123L}, new int[2][]);
        int add = w.pc();
        w.write(Opcode.I32_ADD, new long[] {0, 0, 1}, new int[3][]);
        w.write(Opcode.I32_BR_LT_S, new long[] {0, 1, add}, new int[3][]);
        w.write(Opcode.I32_LOAD, new long[] {1, 0, 0xFFFFFFFFL}, new int[3][]);
        w.write(Opcode.BR_TABLE, new long[] {1, 3, top}, new int[][] {null, {top, add, top}, null});
        return new Function(3, List.of(I32, I32, I64, F32, F64), w.toByteArray());
    }

    /** Function 4, () -> (): memory instructions, globals, direct and indirect calls. */
    private static Function driver() {
        CodeWriter w = new CodeWriter();
        w.write(Opcode.I32_CONST, new long[] {0, 0}, new int[2][]);
        w.write(Opcode.I32_STORE8, new long[] {0, 7, 0}, new int[3][]);
        w.write(Opcode.MEMORY_SIZE, new long[] {0}, new int[1][]);
        w.write(Opcode.I32_GLOBAL_SET, new long[] {0, 0}, new int[2][]);
        w.write(Opcode.F64_GLOBAL_GET, new long[] {1, 3}, new int[2][]);
        w.write(Opcode.CALL, new long[] {2, 1, 1}, new int[][] {null, {0}, {0}});
        w.write(Opcode.CALL_INDIRECT, new long[] {1, 1, 0, 0, 0}, new int[][] {null, null, null, {}, {}});
        w.write(Opcode.RET, new long[] {0}, new int[][] {{}});
        return new Function(1, List.of(I32, F64, I64), w.toByteArray());
    }
}
