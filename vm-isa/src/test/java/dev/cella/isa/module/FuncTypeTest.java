package dev.cella.isa.module;

import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;
import static dev.cella.isa.ValType.V128;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.text.Disassembler;
import dev.cella.isa.verify.Verifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Signatures with v128 values: two i64 values a call passes, marked so that the type stays its own. */
class FuncTypeTest {
    @Test
    void aDeclaredV128BecomesAMarkedPairOfI64Values() {
        FuncType t = FuncType.declared(List.of(I32, V128, F32), List.of(V128));
        assertEquals(List.of(I32, I64, I64, F32), t.params());
        assertEquals(List.of(I64, I64), t.results());
        assertEquals(List.of(1, 4), t.vectors());
        assertEquals(List.of(I32, V128, F32), t.declaredParams());
        assertEquals(List.of(V128), t.declaredResults());
        assertEquals("(i32, v128, f32) -> (v128)", t.toString());
        assertEquals(new FuncType(List.of(I32), List.of()), FuncType.declared(List.of(I32), List.of()));
    }

    @Test
    void aV128AndTwoI64ValuesAreDifferentSignatures() {
        FuncType vector = FuncType.declared(List.of(V128), List.of(I32));
        FuncType pair = new FuncType(List.of(I64, I64), List.of(I32));
        assertEquals(pair.params(), vector.params());
        assertNotEquals(pair, vector);
        assertNotEquals(FuncType.declared(List.of(), List.of(V128)), new FuncType(List.of(), List.of(I64, I64)));
    }

    @Test
    void rejectsMarksThatDoNotNameAPairOfI64Values() {
        List<List<Integer>> bad = List.of(List.of(1), List.of(0, 1), List.of(-1), List.of(2), List.of(4), List.of(3, 0));
        for (List<Integer> vectors : bad) {
            // params (i64, i64, i32), results (i64, i64): only 0 and 3 start a pair, and at most one of each.
            assertThrows(IllegalArgumentException.class,
                    () -> new FuncType(List.of(I64, I64, I32), List.of(I64, I64, F32), vectors), vectors::toString);
        }
        assertEquals(List.of(V128, I32), new FuncType(List.of(I64, I64, I32), List.of(I64, I64), List.of(0, 3))
                .declaredParams());
    }

    private static final String TEXT = """
            type tv (v128) -> (i32)
            type tp (i64, i64) -> (i32)
            table tab 2
            func fv(v: v128, n: i32) -> v128 {
                reg x: i64
                i64.mov x, r1
                ret v, x
            }
            func fp(a: i64, b: i64) -> (i32) {
                reg x: i32
                call_indirect tv, tab, x, (a, b), (x)
                ret x
            }
            elem tab 0 [fp, fv]
            """;

    @Test
    void theBinaryAndTextFormatsKeepTheMarksAndTheVerifierTheTypesApart() {
        Module m = Assembler.assemble(TEXT, "v.casm");
        Verifier.verify(m);
        assertEquals(List.of(FuncType.declared(List.of(V128), List.of(I32)), new FuncType(List.of(I64, I64), List.of(I32)),
                FuncType.declared(List.of(V128, I32), List.of(V128))), m.types());
        assertEquals(List.of(I64, I64, I32, I64), m.functions().get(0).registers());
        byte[] bytes = ModuleWriter.write(m);
        Module read = ModuleReader.read(bytes);
        assertEquals(m.types(), read.types());
        String text = Disassembler.disassemble(m);
        assertTrue(text.contains("type t0 (v128) -> (i32)"), text);
        assertTrue(text.contains("func fv(v: v128, n: i32) -> (v128) {"), text);
        assertTrue(text.contains("i64.mov x, r1"), text);
        assertEquals(text, Disassembler.disassemble(read));
        assertEquals(text, Disassembler.disassemble(Assembler.assemble(text, "v2.casm")));
        assertTrue(java.util.Arrays.equals(bytes, ModuleWriter.write(Assembler.assemble(text, "v2.casm"))));
    }
}
