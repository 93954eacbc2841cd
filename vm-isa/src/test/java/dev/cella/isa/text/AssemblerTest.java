package dev.cella.isa.text;

import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.F64;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the assembler makes of each statement, literal and convenience of {@code docs/assembly.md}. */
class AssemblerTest {

    static Module asm(String source) {
        return Assembler.assemble(source, "test.casm");
    }

    /** The instructions of defined function {@code i}. */
    static List<Instruction> code(Module m, int i) {
        CodeReader r = new CodeReader(m.functions().get(i).code(), 0);
        List<Instruction> out = new ArrayList<>();
        while (r.hasNext()) {
            out.add(r.next());
        }
        return out;
    }

    /** The operands of the only instruction of the only function whose body is {@code line}. */
    static long[] operandsOf(String regs, String line) {
        List<Instruction> insns = code(asm("func f() {\n" + regs + "\n" + line + "\n}\n"), 0);
        assertEquals(1, insns.size());
        return insns.get(0).operands();
    }

    @Test
    void assemblesTheFibonacciExampleOfTheDocumentation() {
        Module m = asm("""
                func fib(n: i32) -> i32 {
                    reg a: i32, b: i32, two: i32      ; registers after the parameters, in order
                    i32.const two, 2
                    i32.br_lt_s n, two, small         ; compare-and-branch
                    i32.const a, 1
                    i32.sub a, n, a
                    call fib, (a), (a)                ; call FUNCTION, (ARGS), (RESULTS)
                    i32.sub b, n, two
                    call fib, (b), (b)
                    i32.add a, a, b
                    ret a
                small:
                    ret n
                }
                """);
        assertEquals(List.of(new FuncType(List.of(I32), List.of(I32))), m.types());
        assertEquals(List.of(I32, I32, I32, I32), m.functions().get(0).registers());
        List<Instruction> insns = code(m, 0);
        assertEquals(List.of(Opcode.I32_CONST, Opcode.I32_BR_LT_S, Opcode.I32_CONST, Opcode.I32_SUB, Opcode.CALL,
                Opcode.I32_SUB, Opcode.CALL, Opcode.I32_ADD, Opcode.RET, Opcode.RET),
                insns.stream().map(Instruction::opcode).toList());
        assertArrayEquals(new long[] {0, 3, insns.get(9).pc()}, insns.get(1).operands());
        assertArrayEquals(new long[] {0, 1, 1}, insns.get(4).operands());
        assertArrayEquals(new int[] {1}, insns.get(4).list(1));
        assertArrayEquals(new int[] {1}, insns.get(4).list(2));
        assertArrayEquals(new int[] {0}, insns.get(9).list(0));
        assertEquals(Map.of(0, "fib"), m.names().functions());
        assertEquals(Map.of(0, Map.of(0, "n", 1, "a", 2, "b", 3, "two")), m.names().registers());
    }

    @Test
    void resolvesForwardAndBackwardLabels() {
        Module m = asm("""
                func f(n: i32) {
                top:
                    br_if n, out      ; forward
                    br top            ; backward
                out: ret
                }
                """);
        List<Instruction> insns = code(m, 0);
        assertEquals(insns.get(2).pc(), insns.get(0).operands()[1]);
        assertEquals(0, insns.get(1).operands()[0]);
    }

    @Test
    void putsALabelAtTheEndOfTheBodyAtTheBodysLength() {
        Module m = asm("func f() {\n    br end\nend:\n}\n");
        assertEquals(m.functions().get(0).code().length, code(m, 0).get(0).operands()[0]);
    }

    @Test
    void acceptsALabelWrittenAsAPc() {
        assertArrayEquals(new long[] {7}, operandsOf("", "br 7"));
        List<Instruction> insns = code(asm("func f(a: i32) {\n    br_table a, [0, 0x10], 3\n}\n"), 0);
        assertArrayEquals(new int[] {0, 16}, insns.get(0).list(1));
        assertEquals(3, insns.get(0).operands()[2]);
    }

    @Test
    void readsBranchTablesWithEmptyAndFullLists() {
        Module m = asm("""
                func f(a: i32) {
                x:  br_table a, [], x
                y:  br_table a, [x, y, z], y
                z:  ret
                }
                """);
        List<Instruction> insns = code(m, 0);
        assertArrayEquals(new int[0], insns.get(0).list(1));
        assertArrayEquals(new int[] {0, insns.get(1).pc(), insns.get(2).pc()}, insns.get(1).list(1));
    }

    @Test
    void ignoresCommentsBlankLinesAndCarriageReturns() {
        Module m = asm("; a module\r\n\r\n  ; nothing but comments\r\nfunc f() { ; body\r\n    nop ;; twice\r\n}\r\n");
        assertEquals(1, m.functions().size());
        assertEquals(List.of(Opcode.NOP), code(m, 0).stream().map(Instruction::opcode).toList());
    }

    @Test
    void readsIntegerLiteralsSignedOrUnsigned() {
        assertEquals(-1, operandsOf("reg a: i32", "i32.const a, 0xFFFFFFFF")[1]);
        assertEquals(-1, operandsOf("reg a: i32", "i32.const a, -1")[1]);
        assertEquals(Integer.MIN_VALUE, operandsOf("reg a: i32", "i32.const a, -2147483648")[1]);
        assertEquals(Integer.MIN_VALUE, operandsOf("reg a: i32", "i32.const a, 0x8000_0000")[1]);
        assertEquals(1_000_000, operandsOf("reg a: i32", "i32.const a, +1_000_000")[1]);
        assertEquals(31, operandsOf("reg a: i32", "i32.const a, 0x1F")[1]);
        assertEquals(-1L, operandsOf("reg a: i64", "i64.const a, 0xFFFF_FFFF_FFFF_FFFF")[1]);
        assertEquals(Long.MIN_VALUE, operandsOf("reg a: i64", "i64.const a, -9223372036854775808")[1]);
        assertEquals(4294967296L, operandsOf("reg a: i64", "i64.const a, 4294967296")[1]);
    }

    private static long f32(String literal) {
        return operandsOf("reg a: f32", "f32.const a, " + literal)[1];
    }

    private static long f64(String literal) {
        return operandsOf("reg a: f64", "f64.const a, " + literal)[1];
    }

    @Test
    void readsF32LiteralsToTheirExactBits() {
        assertEquals(0x3FC00000L, f32("1.5"));
        assertEquals(0x80000000L, f32("-0.0"));
        assertEquals(Float.floatToRawIntBits(6.02e23f) & 0xFFFFFFFFL, f32("6.02e23"));
        assertEquals(Float.floatToRawIntBits(1e-5f) & 0xFFFFFFFFL, f32("1.0E-5"));
        assertEquals(0x41400000L, f32("0x1.8p3"));
        assertEquals(0x3F400000L, f32("0x0.C"));
        assertEquals(0x40400000L, f32("3"));
        assertEquals(0x4F800000L, f32("0xFFFFFFFF"));
        assertEquals(0x7F800000L, f32("inf"));
        assertEquals(0xFF800000L, f32("-inf"));
        assertEquals(0x7FC00000L, f32("nan"));
        assertEquals(0xFFC00000L, f32("-nan"));
        assertEquals(0x7F800001L, f32("nan:0x1"));
        assertEquals(0xFFFFFFFFL, f32("-nan:0x7fffff"));
        assertEquals(1L, f32("1.4E-45"));
    }

    @Test
    void readsF64LiteralsToTheirExactBits() {
        assertEquals(Double.doubleToRawLongBits(1.5), f64("1.5"));
        assertEquals(Long.MIN_VALUE, f64("-0.0"));
        assertEquals(Double.doubleToRawLongBits(Math.PI), f64("3.141592653589793"));
        assertEquals(Double.doubleToRawLongBits(-Math.PI), f64("-0x1.921fb54442d18p1"));
        assertEquals(Double.doubleToRawLongBits(6.02e23), f64("6.02E+23"));
        assertEquals(Double.doubleToRawLongBits(1e6), f64("1_000_000.0"));
        assertEquals(0x7FF0000000000000L, f64("+inf"));
        assertEquals(0x7FF8000000000000L, f64("nan"));
        assertEquals(0xFFF8000000000000L, f64("-nan"));
        assertEquals(0x7FF4000000000000L, f64("nan:0x4000000000000"));
        assertEquals(1L, f64("4.9E-324"));
    }

    @Test
    void readsStringEscapesAndUtf8() {
        Module m = asm("memory 1\ndata 8 \"a\\n\\t\\r\\0\\\\\\\"\\'\\x41\\xfFé\" \"\" \"z\"\n");
        DataSegment d = m.data().get(0);
        assertEquals(8, d.offset());
        byte[] want = {'a', '\n', '\t', '\r', 0, '\\', '"', '\'', 0x41, (byte) 0xFF, (byte) 0xC3, (byte) 0xA9, 'z'};
        assertArrayEquals(want, d.bytes());
    }

    @Test
    void numbersImportsBeforeDefinedFunctionsWhateverTheTextOrder() {
        Module m = asm("""
                func main() {
                    call log, ()
                    call main
                    ret
                }
                import log "env" "log" () -> ()
                import now "wasi" "clock" () -> i64
                """);
        assertEquals(List.of(new Import("env", "log", 0), new Import("wasi", "clock", 1)), m.imports());
        List<Instruction> insns = code(m, 0);
        assertEquals(0, insns.get(0).operands()[0]);
        assertEquals(2, insns.get(1).operands()[0]);
        assertEquals(Map.of(0, "log", 1, "now", 2, "main"), m.names().functions());
    }

    @Test
    void internsEachSignatureOnceWithTypeStatementsFirst() {
        Module m = asm("""
                func a(x: i64) -> (f32, f64) {
                    ret
                }
                import h "m" "h" (i64) -> (f32, f64)
                func b() {
                    ret
                }
                type unary (i32) -> i32
                type same (i32) -> (i32)
                type (f64)
                func c(y: i32) -> i32 {
                    ret y
                }
                """);
        assertEquals(List.of(new FuncType(List.of(I32), List.of(I32)), new FuncType(List.of(F64), List.of()),
                new FuncType(List.of(I64), List.of(F32, F64)), new FuncType(List.of(), List.of())), m.types());
        assertEquals(2, m.imports().get(0).typeIndex());
        assertEquals(List.of(2, 3, 0), m.functions().stream().map(f -> f.typeIndex()).toList());
    }

    @Test
    void resolvesTypeAndTableNamesInCallIndirect() {
        Module m = asm("""
                type unused ()
                type binop (i32, i32) -> i32
                table first 1
                table second 2 2
                func f(a: i32) -> i32 {
                    call_indirect binop, second, a, (a, a), (a)
                    call_indirect t1, tab0, a, (a, a), (a)
                    ret a
                }
                """);
        List<Instruction> insns = code(m, 0);
        assertEquals(1, insns.get(0).operands()[0]);
        assertEquals(1, insns.get(0).operands()[1]);
        assertEquals(0, insns.get(1).operands()[1]);
        assertEquals(List.of(new Limits(1, Limits.NONE), new Limits(2, 2)), m.tables());
    }

    @Test
    void assemblesGlobalsOfEveryType() {
        Module m = asm("""
                global a: i32 = -5
                global b: i64 mut = 0x8000_0000_0000_0000
                global c: f32 mut = -nan:0x2
                global d: f64 = 2.5
                """);
        assertEquals(List.of(new Global(I32, false, -5), new Global(I64, true, Long.MIN_VALUE),
                new Global(F32, true, 0xFF800002L), new Global(F64, false, Double.doubleToRawLongBits(2.5))),
                m.globals());
        assertEquals(Map.of(0, "a", 1, "b", 2, "c", 3, "d"), m.names().globals());
    }

    @Test
    void assemblesMemoryTablesSegmentsExportsAndStart() {
        Module m = asm("""
                export func main
                export func main "run"
                export memory "mem"
                export global counter
                export table tab "functions"
                start init
                elem tab 1 [main, init, f0]
                elem tab 0 []
                data 0x100 "hi"
                memory 1 0x10
                table tab 4
                global counter: i32 mut = 0
                func init() {
                    ret
                }
                func main() {
                    ret
                }
                """);
        assertEquals(new Limits(1, 16), m.memory());
        assertEquals(List.of(new Export("main", ExportKind.FUNC, 1), new Export("run", ExportKind.FUNC, 1),
                new Export("mem", ExportKind.MEMORY, 0), new Export("counter", ExportKind.GLOBAL, 0),
                new Export("functions", ExportKind.TABLE, 0)), m.exports());
        assertEquals(0, m.start());
        ElementSegment e = m.elements().get(0);
        assertEquals(0, e.table());
        assertEquals(1, e.offset());
        assertArrayEquals(new int[] {1, 0, 0}, e.functions());
        assertArrayEquals(new int[0], m.elements().get(1).functions());
        assertEquals(0x100, m.data().get(0).offset());
        assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), m.data().get(0).bytes());
    }

    @Test
    void leavesOutMemoryAndStartWhenAbsent() {
        Module m = asm("");
        assertEquals(null, m.memory());
        assertEquals(-1, m.start());
        assertEquals(true, m.names().isEmpty());
    }

    @Test
    void acceptsDefaultNamesForAnyIndex() {
        Module m = asm("""
                global counter: i32 mut = 0
                func f(a: i32, b: i64) {
                    i32.global_set g0, r0
                    i64.mov r1, b
                    call f0, (r0, r1)
                    i32.mov r9, r0
                    ret
                }
                """);
        List<Instruction> insns = code(m, 0);
        assertArrayEquals(new long[] {0, 0}, insns.get(0).operands());
        assertArrayEquals(new long[] {1, 1}, insns.get(1).operands());
        assertArrayEquals(new int[] {0, 1}, insns.get(2).list(1));
        assertArrayEquals(new long[] {9, 0}, insns.get(3).operands());
    }

    @Test
    void keepsOnlyNamesThatDifferFromTheDefaults() {
        Module m = asm("""
                global g0: i32 = 0
                global count: i32 = 0
                func f0(r0: i32, x: i32) {
                    reg r2: i32, y: i32
                    ret
                }
                """);
        assertEquals(Map.of(), m.names().functions());
        assertEquals(Map.of(1, "count"), m.names().globals());
        assertEquals(Map.of(0, Map.of(1, "x", 3, "y")), m.names().registers());
    }

    @Test
    void acceptsQuotedNamesThatAreNotIdentifiers() {
        Module m = asm("""
                func $"std::fmt<T>"($"a b": i32) {
                    call $"std::fmt<T>", ($"a b")
                    ret
                }
                export func $"std::fmt<T>"
                """);
        assertEquals(Map.of(0, "std::fmt<T>"), m.names().functions());
        assertEquals(Map.of(0, Map.of(0, "a b")), m.names().registers());
        assertEquals("std::fmt<T>", m.exports().get(0).name());
    }

    @Test
    void treatsADollarSignAsPartOfAName() {
        Module m = asm("func $x(x: i32, $y: i32) {\n    i32.add $y, x, $y\n    ret\n}\n");
        assertEquals(Map.of(0, "$x"), m.names().functions());
        assertArrayEquals(new long[] {1, 0, 1}, code(m, 0).get(0).operands());
    }

    @Test
    void acceptsRetWithoutParentheses() {
        Module m = asm("func f(a: i32, b: i64) -> (i32, i64) {\n    ret a, b\n    ret (a, b)\n    ret b\n}\n");
        List<Instruction> insns = code(m, 0);
        assertArrayEquals(new int[] {0, 1}, insns.get(0).list(0));
        assertArrayEquals(new int[] {0, 1}, insns.get(1).list(0));
        assertArrayEquals(new int[] {1}, insns.get(2).list(0));
    }

    @Test
    void readsOmittedTrailingRegisterListsAsEmpty() {
        Module m = asm("""
                table t 1
                func f(a: i32) {
                    ret
                    call f, (a)
                    call g
                    call_indirect t0, t, a
                    call_indirect t0, t, a, (a)
                }
                func g() {
                    ret
                }
                """);
        List<Instruction> insns = code(m, 0);
        assertEquals(0, insns.get(0).list(0).length);
        assertArrayEquals(new int[] {0}, insns.get(1).list(1));
        assertEquals(0, insns.get(1).list(2).length);
        assertEquals(0, insns.get(2).list(1).length);
        assertEquals(0, insns.get(2).list(2).length);
        assertEquals(0, insns.get(3).list(3).length);
        assertEquals(0, insns.get(3).list(4).length);
        assertArrayEquals(new int[] {0}, insns.get(4).list(3));
    }

    @Test
    void readsAnOmittedTrailingOffsetAsZero() {
        assertArrayEquals(new long[] {0, 1, 0}, operandsOf("reg a: i32, p: i32", "i32.load a, p"));
        assertArrayEquals(new long[] {0, 1, 0xFFFFFFFFL}, operandsOf("reg a: i32, p: i32", "i32.load a, p, 0xFFFFFFFF"));
        assertArrayEquals(new long[] {1, 12, 0}, operandsOf("reg a: i64, p: i32", "i64.store p, 12, a"));
    }

    @Test
    void acceptsResultTypesWithAndWithoutParentheses() {
        Module m = asm("""
                type a () -> i64
                type b () -> (i64)
                type c (i32, f32) -> ()
                type d (i32, f32)
                import h "m" "n" (f64) -> (i32, i32)
                """);
        assertEquals(List.of(new FuncType(List.of(), List.of(I64)), new FuncType(List.of(I32, F32), List.of()),
                new FuncType(List.of(F64), List.of(I32, I32))), m.types());
    }

    @Test
    void acceptsAnEmptyFunctionBodyAndManyRegLines() {
        Module m = asm("func f() {\n}\nfunc g(a: f32) {\n    reg b: f64\n    reg c: i64, d: i32\n}\n");
        assertEquals(0, m.functions().get(0).code().length);
        assertEquals(List.of(F32, F64, I64, I32), m.functions().get(1).registers());
    }
}
