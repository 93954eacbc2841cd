package dev.cella.isa.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every kind of assembly error, with the line and column it must name. */
class AssemblerErrorTest {

    /**
     * Assembles {@code source}, expects an {@link AssemblyException} at {@code line:column} whose
     * reason contains {@code fragment}, and returns it.
     */
    private static AssemblyException assertError(String source, int line, int column, String fragment) {
        AssemblyException e = assertThrows(AssemblyException.class, () -> Assembler.assemble(source, "bad.casm"));
        assertEquals("bad.casm", e.file());
        assertTrue(e.reason().contains(fragment), () -> "reason '" + e.reason() + "' lacks '" + fragment + "'");
        assertEquals(line + ":" + column, e.line() + ":" + e.column(), () -> "position of: " + e.getMessage());
        assertEquals("bad.casm:" + line + ":" + column + ": " + e.reason(), e.getMessage());
        return e;
    }

    /** A function {@code f(a: i32, x: i64)} with {@code body} as its body, starting on line 2. */
    private static String inFunction(String body) {
        return "func f(a: i32, x: i64) {\n" + body + "\n}\n";
    }

    @Test
    void rejectsAnUnknownMnemonic() {
        assertError(inFunction("    i32.addd a, a, a"), 2, 5, "unknown mnemonic 'i32.addd'");
    }

    @Test
    void rejectsTooFewOperands() {
        assertError(inFunction("    i32.add a, a"), 2, 17, "i32.add takes 3 operands (=i32 i32 i32), found 2");
        assertError(inFunction("    i32.store a, 0"), 2, 19, "i32.store takes 3 operands (i32 off i32), found 2");
    }

    @Test
    void rejectsTooManyOperands() {
        assertError(inFunction("    i32.add a, a, a, a"), 2, 20, "expected end of line after the 3 operands of i32.add");
        assertError(inFunction("    nop a"), 2, 9, "expected end of line after the 0 operands of nop, found 'a'");
    }

    @Test
    void rejectsAnOperandOfTheWrongKind() {
        assertError(inFunction("    i32.add a, 1, a"), 2, 16, "expected an i32 register as operand 2 of i32.add, found number '1'");
        assertError(inFunction("    i32.const a, a"), 2, 18, "expected an i32 literal as operand 2 of i32.const, found 'a'");
        assertError(inFunction("    i32.const a, 1.5"), 2, 18, "expected an i32 literal");
        assertError(inFunction("    i32.load a, a, x"), 2, 20, "expected a memory offset as operand 3 of i32.load");
        assertError(inFunction("    call a, a"), 2, 13, "expected '(' and a list of registers as operand 2 of call");
        assertError(inFunction("    br_table a, a, a"), 2, 17, "expected '[' and a list of labels");
        assertError(inFunction("    br \"x\""), 2, 8, "expected a label as operand 1 of br, found string \"x\"");
        assertError(inFunction("    i32.add a a, a"), 2, 15, "expected ',' before operand 2 of i32.add, found 'a'");
    }

    @Test
    void rejectsAnUndefinedLabel() {
        assertError(inFunction("    br_if a, nowhere"), 2, 14, "undefined label 'nowhere'");
    }

    @Test
    void rejectsALabelOfAnotherFunction() {
        assertError("func f() {\nthere: ret\n}\nfunc g() {\n    br there\n}\n", 5, 8, "undefined label 'there'");
    }

    @Test
    void rejectsAnUndefinedRegister() {
        assertError(inFunction("    i32.add a, a, b"), 2, 19, "undefined register 'b'");
        assertError(inFunction("    ret (a, zz)"), 2, 13, "undefined register 'zz'");
    }

    @Test
    void rejectsAnUndefinedFunction() {
        assertError(inFunction("    call g, (a)"), 2, 10, "undefined function 'g'");
        assertError("start main\n", 1, 7, "undefined function 'main'");
        assertError("table t 1\nelem t 0 [f0, nope]\n", 2, 15, "undefined function 'nope'");
        assertError("export func nope\n", 1, 13, "undefined function 'nope'");
    }

    @Test
    void rejectsAnUndefinedGlobalTypeOrTable() {
        assertError(inFunction("    i32.global_get a, counter"), 2, 23, "undefined global 'counter'");
        assertError(inFunction("    call_indirect sig, tab0, a"), 2, 19, "undefined type 'sig'");
        assertError(inFunction("    call_indirect t0, funcs, a"), 2, 23, "undefined table 'funcs'");
        assertError("elem funcs 0 []\n", 1, 6, "undefined table 'funcs'");
        assertError("export global g\n", 1, 15, "undefined global 'g'");
    }

    @Test
    void rejectsDuplicateNames() {
        assertError(inFunction("l:\nl:  ret"), 3, 1, "duplicate label name 'l' (first declared at line 2, column 1)");
        assertError(inFunction("    reg a: i32"), 2, 9, "duplicate register name 'a' (first declared at line 1, column 8)");
        assertError("func f(a: i32, a: i64) {\n}\n", 1, 16, "duplicate register name 'a'");
        assertError("import f \"m\" \"f\" ()\nfunc f() {\n}\n", 2, 6, "duplicate function name 'f'");
        assertError("global g: i32 = 0\nglobal g: i64 = 0\n", 2, 8, "duplicate global name 'g'");
        assertError("table t 1\ntable t 2\n", 2, 7, "duplicate table name 't'");
        assertError("type t ()\ntype t (i32)\n", 2, 6, "duplicate type name 't'");
    }

    @Test
    void rejectsANameThatIsAnotherIndexsDefault() {
        assertError(inFunction("    reg r1: i32"), 2, 9, "'r1' is the default name of register 1 and cannot name register 2");
        assertError("func f1() {\n}\n", 1, 6, "'f1' is the default name of function 1 and cannot name function 0");
        assertError("global g: i32 = 0\nglobal g0: i32 = 0\n", 2, 8, "default name of global 0");
    }

    @Test
    void rejectsIntegerLiteralsOutOfRange() {
        assertError(inFunction("    i32.const a, 0x1_0000_0000"), 2, 18, "i32 literal 0x1_0000_0000 out of range (-2^31 .. 2^32-1)");
        assertError(inFunction("    i32.const a, -2147483649"), 2, 18, "i32 literal -2147483649 out of range");
        assertError(inFunction("    i64.const x, 18446744073709551616"), 2, 18, "i64 literal 18446744073709551616 out of range");
        assertError(inFunction("    i64.const x, -0x8000000000000001"), 2, 18, "out of range (-2^63 .. 2^64-1)");
        assertError(inFunction("    i32.load a, a, -1"), 2, 20, "literal -1 out of range (0 .. 2^32-1) for a memory offset as operand 3 of i32.load");
        assertError("memory 0x100000000\n", 1, 8, "out of range (0 .. 2^32-1)");
    }

    @Test
    void rejectsFloatLiteralsOutOfRange() {
        assertError(inFunction("    reg p: f32\n    f32.const p, 1e39"), 3, 18, "f32 literal 1e39 out of range");
        assertError(inFunction("    reg p: f64\n    f64.const p, -1e309"), 3, 18, "f64 literal -1e309 out of range");
        assertError(inFunction("    reg p: f32\n    f32.const p, nan:0x800000"), 3, 18, "NaN payload 0x800000 out of range (1 .. 2^23-1)");
        assertError(inFunction("    reg p: f64\n    f64.const p, -nan:0x0"), 3, 18, "NaN payload 0x0 out of range (1 .. 2^52-1)");
    }

    @Test
    void rejectsMalformedNumbers() {
        assertError(inFunction("    i32.const a, 12abc"), 2, 18, "expected an i32 literal as operand 2 of i32.const, found number '12abc'");
        assertError(inFunction("    i32.const a, 1__0"), 2, 18, "found number '1__0'");
        assertError(inFunction("    reg p: f32\n    f32.const p, 1.5f"), 3, 18, "expected an f32 literal");
        assertError(inFunction("    reg p: f32\n    f32.const p, -infinity"), 3, 18, "expected an f32 literal");
    }

    @Test
    void rejectsABadEscape() {
        assertError("memory 1\ndata 0 \"ab\\q\"\n", 2, 11, "unknown escape \\q: expected one of");
        assertError("memory 1\ndata 0 \"\\x4\"\n", 2, 9, "bad escape: expected two hex digits after \\x");
    }

    @Test
    void rejectsAnUnterminatedString() {
        assertError("memory 1\ndata 0 \"abc\ndata 1 \"x\"\n", 2, 8, "unterminated string");
        assertError("import f \"env", 1, 10, "unterminated string");
    }

    @Test
    void rejectsAnImportNameThatIsNotUtf8() {
        assertError("import f \"env\" \"\\xff\" ()\n", 1, 16, "a name must be valid UTF-8");
        assertError("func $\"\\xc3\"() {\n}\n", 1, 6, "a quoted name must be valid UTF-8");
    }

    @Test
    void rejectsAnUnexpectedCharacter() {
        assertError("memory 1 # 2\n", 1, 10, "unexpected character '#'");
        assertError("memory 1\u0007\n", 1, 9, "unexpected character U+0007");
    }

    @Test
    void rejectsAnUnknownStatement() {
        assertError("\n\nfunction f() {\n}\n", 3, 1, "expected a statement (type, import, memory, global, table, elem, "
                + "data, export, start or func), found 'function'");
        assertError("42\n", 1, 1, "expected a statement");
    }

    @Test
    void rejectsAStatementThatDoesNotEndAtTheEndOfTheLine() {
        assertError("memory 1 2 3\n", 1, 12, "expected end of line, found number '3'");
        assertError("func f() { nop\n}\n", 1, 12, "expected end of line, found 'nop'");
    }

    @Test
    void rejectsABadType() {
        assertError("global x: i33 = 0\n", 1, 11, "expected a type (i32, i64, f32 or f64), found 'i33'");
        assertError("type (i32, ) -> i32\n", 1, 12, "expected a type");
        assertError("func f(a) {\n}\n", 1, 9, "expected ':' and the parameter's type, found ')'");
    }

    @Test
    void rejectsMalformedGlobals() {
        assertError("global x i32 = 0\n", 1, 10, "expected ':' and the global's type");
        assertError("global x: i32 0\n", 1, 15, "expected 'mut', '=' or 'import'");
        assertError("global x: f32 = y\n", 1, 17, "expected an f32 literal, found 'y'");
    }

    @Test
    void rejectsASecondMemoryAndASecondStart() {
        assertError("memory 1\nmemory 2\n", 2, 1, "a module has at most one memory (the first is at line 1)");
        assertError("func f() {\n}\nstart f\nstart f\n", 4, 1, "at most one start function (the first is at line 3)");
    }

    @Test
    void rejectsRegDeclarationsAfterTheFirstInstruction() {
        assertError(inFunction("    nop\n    reg b: i32"), 3, 5, "reg declarations must come before the first label or instruction");
        assertError(inFunction("top:\n    reg b: i32"), 3, 5, "reg declarations must come before");
    }

    @Test
    void rejectsAFunctionWithoutItsClosingBrace() {
        assertError("func f() {\n    nop\n", 3, 1, "expected '}' to close func f (line 1), found end of file");
        assertError("func f() {\n    ret\n\nfunc g() {\n}\n", 4, 1, "expected '}' to close func f (line 1), found another func");
        assertError("func f()\n", 1, 9, "expected '{' to open the function body");
    }

    @Test
    void rejectsAMalformedExport() {
        assertError("export function f\n", 1, 8, "expected func, memory, global or table, found 'function'");
        assertError("export memory\n", 1, 14, "expected the export name in quotes, found end of line");
        assertError("export func f 3\n", 1, 15, "expected end of line, found number '3'");
    }

    @Test
    void rejectsMalformedSegments() {
        assertError("data 0\n", 1, 7, "expected a string, found end of line");
        assertError("data 0 \"a\" 1\n", 1, 12, "expected end of line, found number '1'");
        assertError("table t 1\nelem t 0 [f0 f1]\n", 2, 14, "expected ',' or ']', found 'f1'");
    }
}
