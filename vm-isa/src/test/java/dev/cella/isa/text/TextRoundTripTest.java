package dev.cella.isa.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.cella.isa.ModuleGen;
import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.CodeWriter;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import dev.cella.isa.verify.Verifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Text round trips: module to text and back gives identical bytes; text to module to text is stable. */
class TextRoundTripTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    static String allInstructionsText() {
        try (InputStream in = TextRoundTripTest.class.getResourceAsStream("/all-instructions.casm")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Disassembles {@code m}, assembles the text and checks that the result writes the same bytes
     * and is the same module; returns the text.
     */
    static String assertRoundTrips(Module m) {
        String text = Disassembler.disassemble(m);
        Module back = Assembler.assemble(text, "disassembly.casm");
        assertNull(ModuleGen.difference(m, back), () -> "round trip changed the module; text:\n" + text);
        assertArrayEquals(ModuleWriter.write(m), ModuleWriter.write(back), () -> "bytes differ; text:\n" + text);
        return text;
    }

    @Test
    void allInstructionsFileHoldsEveryOpcode() {
        Module m = Assembler.assemble(allInstructionsText(), "all-instructions.casm");
        Set<Opcode> seen = EnumSet.noneOf(Opcode.class);
        for (Function f : m.functions()) {
            CodeReader r = new CodeReader(f.code(), 0);
            while (r.hasNext()) {
                seen.add(r.next().opcode());
            }
        }
        for (Opcode op : Opcode.values()) {
            assertTrue(seen.contains(op), () -> "all-instructions.casm lacks " + op.mnemonic);
        }
    }

    @Test
    void allInstructionsFileRoundTripsToIdenticalBytes() {
        Module m = Assembler.assemble(allInstructionsText(), "all-instructions.casm");
        String text = assertRoundTrips(m);
        // Disassembling the re-assembled module gives the same text again: the printer is stable.
        assertEquals(text, Disassembler.disassemble(Assembler.assemble(text, "again.casm")));
    }

    @Test
    void allInstructionsFilePassesTheVerifier() {
        Verifier.verify(Assembler.assemble(allInstructionsText(), "all-instructions.casm"));
    }

    @Test
    void everyOpcodeRoundTripsThroughText() {
        for (Opcode op : Opcode.values()) {
            CodeWriter w = new CodeWriter();
            List<Operand> kinds = op.operands();
            long[] operands = new long[kinds.size()];
            int[][] lists = new int[kinds.size()][];
            for (int i = 0; i < operands.length; i++) {
                operands[i] = switch (kinds.get(i).kind()) {
                    case DEF, USE -> i % 4;
                    case I32_IMM -> Integer.MIN_VALUE;
                    case I64_IMM -> Long.MIN_VALUE + 1;
                    case F32_IMM -> 0xFFC00001L;
                    case F64_IMM -> 0x7FF0000000000001L;
                    case LABEL, FUNC, TYPE, GLOBAL, TABLE, ELEM -> 0;
                    case OFFSET -> 0xFFFFFFFFL;
                    case LABELS, USES, DEFS -> {
                        lists[i] = new int[] {0, 0};
                        yield 2;
                    }
                };
            }
            w.write(op, operands, lists);
            List<ValType> regs = List.of(ValType.I32, ValType.I64, ValType.F32, ValType.F64);
            Module m = new Module(List.of(new FuncType(List.of(), List.of())), List.of(),
                    List.of(new Function(0, regs, w.toByteArray())), List.of(new Limits(1, Limits.NONE)),
                    new Limits(1, 1), List.of(new Global(ValType.I32, true, 0)), List.of(), -1, List.of(), List.of(),
                    Names.EMPTY);
            String text = assertRoundTrips(m);
            assertTrue(text.contains("    " + op.mnemonic), () -> op + " is missing from\n" + text);
        }
    }

    @Test
    void generatedModulesRoundTripToIdenticalBytes() {
        qt().withExamples(EXAMPLES).forAll(ModuleGen.modules()).checkAssert(m -> {
            String text = assertRoundTrips(m);
            assertEquals(text, Disassembler.disassemble(Assembler.assemble(text, "again.casm")));
        });
    }
}
