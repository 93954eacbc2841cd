package dev.cella.vm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ValType;
import dev.cella.vm.conformance.Script.AssertGlobal;
import dev.cella.vm.conformance.Script.AssertRejected;
import dev.cella.vm.conformance.Script.AssertReturn;
import dev.cella.vm.conformance.Script.AssertTrap;
import dev.cella.vm.conformance.Script.Invoke;
import dev.cella.vm.conformance.Script.ModuleCommand;
import dev.cella.vm.conformance.Script.Stage;
import dev.cella.vm.conformance.Script.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The script reader: every command form, value literals, and errors that name the line. */
class ConformanceScriptReaderTest {

    @Test
    void readsEveryCommandForm() {
        String text = """
                ;; a comment
                (module   ; trailing comment
                    func f(a: i32) -> i32 {   ; assembly comments are kept
                        ret a
                    }
                )
                invoke f(i32:1)
                assert_return f(i32:-1) = i32:0xffffffff
                assert_return g()
                assert_return fuel 23 h(i32:1, f64:nan) = i64:1, f32:-0.0 fuel_used 23 fuel_left 0
                assert_trap f(i32:0) "integer divide by zero" pc 4 in f fuel_left 2
                assert_trap fuel 0 f(i32:0) "fuel ; exhausted"
                assert_global counter = f64:0x1p-1074
                assert_invalid (module
                    func f() {
                    }
                ) "falls off"
                """;
        List<Script.Command> c = ScriptReader.read("t.cst", text).commands();
        assertEquals(9, c.size());
        ModuleCommand m = assertInstanceOf(ModuleCommand.class, c.get(0));
        assertEquals(2, m.line());
        assertEquals("\n\n    func f(a: i32) -> i32 {   ; assembly comments are kept\n        ret a\n    }\n", m.source());
        Invoke inv = assertInstanceOf(Invoke.class, c.get(1));
        assertEquals(new Script.Call("f", List.of(new Value(ValType.I32, 1)), -1), inv.call());
        AssertReturn r = assertInstanceOf(AssertReturn.class, c.get(2));
        assertEquals(List.of(new Value(ValType.I32, -1)), r.results());
        assertEquals(Script.FuelCheck.NONE, r.fuel());
        assertEquals("assert_return f(i32:-1) = i32:0xffffffff", r.text());
        assertEquals(List.of(), assertInstanceOf(AssertReturn.class, c.get(3)).results());
        AssertReturn fuel = assertInstanceOf(AssertReturn.class, c.get(4));
        assertEquals(23, fuel.call().fuel());
        assertEquals(List.of(new Value(ValType.I32, 1), new Value(ValType.F64, 0x7ff8000000000000L)), fuel.call().args());
        assertEquals(List.of(new Value(ValType.I64, 1), new Value(ValType.F32, 0x80000000L)), fuel.results());
        assertEquals(new Script.FuelCheck(0, 23), fuel.fuel());
        AssertTrap t = assertInstanceOf(AssertTrap.class, c.get(5));
        assertEquals("integer divide by zero", t.message());
        assertEquals(4, t.pc());
        assertEquals("f", t.function());
        assertEquals(new Script.FuelCheck(2, -1), t.fuel());
        AssertTrap t2 = assertInstanceOf(AssertTrap.class, c.get(6));
        assertEquals("fuel ; exhausted", t2.message());
        assertEquals(0, t2.call().fuel());
        assertEquals(-1, t2.pc());
        AssertGlobal g = assertInstanceOf(AssertGlobal.class, c.get(7));
        assertEquals(new Value(ValType.F64, 1), g.value());
        AssertRejected rej = assertInstanceOf(AssertRejected.class, c.get(8));
        assertEquals(Stage.INVALID, rej.stage());
        assertEquals("falls off", rej.reason());
        assertEquals(14, rej.line());
        assertTrue(rej.source().startsWith("\n".repeat(14) + "    func f() {"));
    }

    @Test
    void readsValueLiteralsAsRawBits() {
        assertEquals(0x80000000L, Literal.value("f32:-0.0").bits());
        assertEquals(0x7fc00000L, Literal.value("f32:nan").bits());
        assertEquals(0xffc00000L, Literal.value("f32:-nan").bits());
        assertEquals(0x7f800001L, Literal.value("f32:nan:0x1").bits());
        assertEquals(0xff800000L, Literal.value("f32:-inf").bits());
        assertEquals(1L, Literal.value("f32:0x1p-149").bits());
        assertEquals(0x41400000L, Literal.value("f32:0x1.8p3").bits());
        assertEquals(0x3f800000L, Literal.value("f32:1").bits());
        assertEquals(0x41800000L, Literal.value("f32:0x10").bits());
        // 0x1.fffffep-127 lies exactly between two subnormals: ties to even gives the smallest normal
        assertEquals(0x00800000L, Literal.value("f32:0x1.fffffep-127").bits());
        assertEquals(0x3fb999999999999aL, Literal.value("f64:0.1").bits());
        assertEquals(0xfff0000000000001L, Literal.value("f64:-nan:0x1").bits());
        assertEquals(-1L, Literal.value("i32:0xffffffff").bits());
        assertEquals(Integer.MIN_VALUE, Literal.value("i32:-2147483648").bits());
        assertEquals(1_000_000L, Literal.value("i32:1_000_000").bits());
        assertEquals(-1L, Literal.value("i64:18446744073709551615").bits());
        assertEquals(Long.MIN_VALUE, Literal.value("i64:-0x8000000000000000").bits());
    }

    @Test
    void rejectsMalformedValues() {
        for (String bad : List.of("i32:0x100000000", "i32:-2147483649", "i64:0x10000000000000000", "i32:1.5",
                "f32:nan:0x800000", "f32:nan:0", "f32:nan:5", "f64:1e", "x32:1", "7", "f32:", "i32:")) {
            assertThrows(IllegalArgumentException.class, () -> Literal.value(bad), bad);
        }
    }

    @Test
    void errorsNameTheFileAndLine() {
        assertError("\n\nassert_return f(i32:0x100000000)\n", 3, "out of range");
        assertError("frobnicate f()\n", 1, "unknown command 'frobnicate'");
        assertError("(module\n    func f() {\n", 1, "never closed");
        assertError("assert_trap f()\n", 1, "the trap message in double quotes");
        assertError("assert_trap f() \"unreachable\" pc -1\n", 1, "a pc must be in 0..");
        assertError("assert_return f() = i32:1 pc 3\n", 1, "expected fuel_left N or fuel_used N");
        assertError("assert_trap f() \"unreachable\n", 1, "string is not closed");
        assertError("assert_return f(i32:1\n", 1, "expected ')'");
        assertError("(module\n)\n) trailing\n", 3, "expected a command, found ')'");
        assertError("(module extra\n)\n", 1, "at the end of the line");
        assertError("assert_invalid (module\n) no-quotes\n", 2, "in double quotes");
    }

    private static void assertError(String text, int line, String reason) {
        ScriptFormatException e = assertThrows(ScriptFormatException.class, () -> ScriptReader.read("bad.cst", text));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad.cst:" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
