package dev.cella.isa.text;

import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.Opcode;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeWriter;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text the disassembler prints, and that it reads back to the same module. */
class DisassemblerTest {

    private static Module module(List<FuncType> types, List<Import> imports, List<Function> functions,
            List<Export> exports, List<DataSegment> data, Names names) {
        Limits memory = data.isEmpty() ? null : new Limits(1, Limits.NONE);
        return new Module(types, imports, functions, List.of(), memory, List.of(), exports, -1, List.of(), data, names);
    }

    private static Function function(int type, List<ValType> regs, CodeWriter w) {
        return new Function(type, regs, w.toByteArray());
    }

    @Test
    void printsAWholeModuleInItsDocumentedForm() {
        String source = """
                type binop (i32, i32) -> i32
                import print "env" "print" (i32)
                memory 1 2
                table funcs 1
                global count: i64 mut = -1
                global scale: f32 = nan:0x1
                export func main "main"
                export memory "memory"
                start main
                elem funcs 0 [main]
                data 8 "hi\\n"
                func main(n: i32) -> i32 {
                    reg a: i32, p: i32
                top:
                    i32.load a, p
                    i32.store p, 4, a
                    call print, (a)
                    i32.br_gt_s n, a, top
                    call_indirect binop, funcs, n, (n, n), (a)
                    ret a
                }
                """;
        String expected = """
                ; Cella module: 3 types, 1 import, 1 function

                type t0 (i32, i32) -> (i32)
                type t1 (i32)
                type t2 (i32) -> (i32)

                import print "env" "print" (i32)

                memory 1 2
                table tab0 1
                global count: i64 mut = -1
                global scale: f32 = nan:0x1

                export func main "main"
                export memory "memory"
                start main

                elem tab0 0 [main]
                data 8 "hi\\n"

                func main(n: i32) -> (i32) {
                    reg a: i32, p: i32
                L0:
                    i32.load a, p
                    i32.store p, 4, a
                    call print, (a)
                    i32.br_gt_s n, a, L0
                    call_indirect t0, tab0, n, (n, n), (a)
                    ret a
                }
                """;
        assertEquals(expected, Disassembler.disassemble(Assembler.assemble(source, "m.casm")));
    }

    @Test
    void printsLabelsOnlyWhereBranchesTarget() {
        String text = Disassembler.disassemble(Assembler.assemble("""
                func f(a: i32) {
                unused:
                    nop
                    br_if a, next
                next:
                    nop
                    br_table a, [end, next], end
                end:
                }
                """, "m.casm"));
        assertTrue(text.contains("""
                func f(a: i32) {
                    nop
                    br_if a, L7
                L7:
                    nop
                    br_table a, [L23, L7], L23
                L23:
                }
                """), text);
    }

    @Test
    void printsBranchTargetsThatAreNoInstructionAsPcs() {
        CodeWriter w = new CodeWriter();
        w.write(Opcode.BR, new long[] {2}, new int[1][]);
        w.write(Opcode.BR_TABLE, new long[] {0, 2, 0xFFFFFFFFL}, new int[][] {null, {5, -2}, null});
        Module m = module(List.of(new FuncType(List.of(), List.of())), List.of(),
                List.of(function(0, List.of(I32), w)), List.of(), List.of(), Names.EMPTY);
        String text = TextRoundTripTest.assertRoundTrips(m);
        assertTrue(text.contains("    br 2\nL5:\n    br_table r0, [L5, 4294967294], 4294967295\n"), text);
    }

    @Test
    void quotesNamesThatAreNotIdentifiers() {
        CodeWriter w = new CodeWriter();
        w.write(Opcode.CALL, new long[] {0, 1, 0}, new int[][] {null, {0}, {}});
        Names names = new Names(Map.of(0, "std::fmt<T>"), Map.of(0, Map.of(0, "a \"b\"", 1, "9lives")), Map.of());
        Module m = module(List.of(new FuncType(List.of(I32), List.of())), List.of(),
                List.of(function(0, List.of(I32, I64), w)), List.of(), List.of(), names);
        String text = TextRoundTripTest.assertRoundTrips(m);
        assertTrue(text.contains("func $\"std::fmt<T>\"($\"a \\\"b\\\"\": i32) {\n    reg $\"9lives\": i64\n"
                + "    call $\"std::fmt<T>\", ($\"a \\\"b\\\"\")\n"), text);
    }

    @Test
    void fallsBackToDefaultNamesWhereAStoredNameCannotBeKept() {
        CodeWriter w = new CodeWriter();
        w.write(Opcode.RET, new long[] {0}, new int[][] {{}});
        // f1 is the default name of another function; "dup" is taken twice; function 9 does not exist.
        Names names = new Names(Map.of(0, "f1", 1, "dup", 2, "dup", 9, "ghost"), Map.of(), Map.of());
        FuncType unit = new FuncType(List.of(), List.of());
        Module m = module(List.of(unit), List.of(), List.of(function(0, List.of(), w), function(0, List.of(), w),
                function(0, List.of(), w)), List.of(), List.of(), names);
        String text = Disassembler.disassemble(m);
        assertTrue(text.contains("func f0() {") && text.contains("func dup() {") && text.contains("func f2() {"), text);
        Module back = Assembler.assemble(text, "d.casm");
        assertEquals(Map.of(1, "dup"), back.names().functions());
    }

    @Test
    void keepsImportAndExportStringsOfAnyUnicode() {
        String odd = "a\"b\\c\n\t\r\0\u0001\u007f\u00e9\u2192\uD83D\uDE00";
        Module m = module(List.of(new FuncType(List.of(), List.of())), List.of(new Import(odd, "", 0)), List.of(),
                List.of(new Export(odd, ExportKind.FUNC, 0), new Export("", ExportKind.MEMORY, 0)),
                List.of(new DataSegment(3, new byte[] {0, (byte) 0xFF, '"'})), Names.EMPTY);
        String text = TextRoundTripTest.assertRoundTrips(m);
        assertTrue(text.contains("import f0 \"a\\\"b\\\\c\\n\\t\\r\\0\\x01\\x7f\\xc3\\xa9\\xe2\\x86\\x92\\xf0\\x9f\\x98\\x80\" \"\" ()"),
                text);
        assertTrue(text.contains("data 3 \"\\0\\xff\\\"\""), text);
    }

    @Test
    void printsFloatImmediatesThatReadBackToTheSameBits() {
        CodeWriter w = new CodeWriter();
        long[] bits = {0x7FC00000L, 0xFFC00000L, 0x7F800001L, 0xFF800000L, 0x80000000L, 1, 0x7F7FFFFFL, 0x3DCCCCCDL};
        for (long b : bits) {
            w.write(Opcode.F32_CONST, new long[] {0, b}, new int[2][]);
        }
        Module m = module(List.of(new FuncType(List.of(), List.of())), List.of(), List.of(function(0, List.of(F32), w)),
                List.of(), List.of(), Names.EMPTY);
        String text = TextRoundTripTest.assertRoundTrips(m);
        assertTrue(text.contains("""
                    f32.const r0, nan
                    f32.const r0, -nan
                    f32.const r0, nan:0x1
                    f32.const r0, -inf
                    f32.const r0, -0.0
                    f32.const r0, 1.4E-45
                    f32.const r0, 3.4028235E38
                    f32.const r0, 0.1
                """), text);
    }

    @Test
    void notesFunctionsThatTheTextCannotExpress() {
        CodeWriter w = new CodeWriter();
        Module m = module(List.of(new FuncType(List.of(I32, I64), List.of())), List.of(),
                List.of(function(0, List.of(I64), w), function(5, List.of(), w)), List.of(), List.of(), Names.EMPTY);
        String text = Disassembler.disassemble(m);
        assertTrue(text.contains("; the registers [i64] do not begin with the parameters [i32, i64]\n"), text);
        assertTrue(text.contains("; type index 5 does not exist: the signature below is a placeholder\nfunc f1() {"),
                text);
    }
}
