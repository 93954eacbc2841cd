package dev.cella.isa.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.doc.IsaDoc.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps docs/isa.md identical to what {@link IsaDoc} generates from {@link Opcode}, and checks the generator. */
class IsaDocTest {
    /** Tests run with the module directory (vm-isa) as working directory. */
    private static final Path DOC = Path.of("..", "docs", "isa.md");

    @Test
    void committedDocumentMatchesTheGeneratedOne() throws IOException {
        String expected = IsaDoc.generate();
        String actual = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : null;
        if (expected.equals(actual)) {
            return;
        }
        String how = "docs/isa.md is out of date with the Opcode enum; regenerate it from the project root with\n    "
                + IsaDoc.REGENERATE + "\n(after compiling vm-isa; a build with -Dcella.target=T puts the classes in vm-isa/T/classes).";
        if (actual == null) {
            fail("docs/isa.md is missing. " + how);
        }
        String[] want = expected.split("\n", -1);
        String[] have = actual.split("\n", -1);
        int line = 0;
        while (line < want.length && line < have.length && want[line].equals(have[line])) {
            line++;
        }
        fail(how + "\nFirst difference at line " + (line + 1) + ":\n  generated: "
                + (line < want.length ? want[line] : "(end of document)") + "\n  committed: "
                + (line < have.length ? have[line] : "(end of document)"));
    }

    @Test
    void mainWritesTheDocumentToTheGivenPath(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("isa.md");
        IsaDoc.main(new String[] {out.toString()});
        assertEquals(IsaDoc.generate(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void everyOpcodeHasExactlyOneRow() {
        List<String> lines = IsaDoc.generate().lines().toList();
        for (Opcode op : Opcode.values()) {
            String row = String.format("| 0x%02X | `%s` |", op.code, op.mnemonic);
            long rows = lines.stream().filter(l -> l.startsWith(row)).count();
            assertEquals(1, rows, op.mnemonic);
        }
        long allRows = lines.stream().filter(l -> l.matches("\\| 0x[0-9A-F]{2,} \\| `.*")).count();
        assertEquals(Opcode.values().length, allRows);
    }

    @Test
    void statesTheTotalAndEachFamilysCount() {
        String doc = IsaDoc.generate();
        assertTrue(doc.contains("Cella has " + Opcode.values().length + " instructions in " + Family.values().length
                + " families."), "total");
        int sum = 0;
        for (Family f : Family.values()) {
            long n = Arrays.stream(Opcode.values()).filter(op -> Family.of(op) == f).count();
            assertTrue(n > 0, f + " is empty");
            assertTrue(doc.contains("## " + f.title + "\n\n" + n + " instruction"), f.title);
            sum += (int) n;
        }
        assertEquals(Opcode.values().length, sum);
    }

    @Test
    void familiesDerivedFromCodeRangesAgreeWithTheOpcodesThemselves() {
        for (Opcode op : Opcode.values()) {
            Family family = Family.of(op);
            List<Operand> operands = op.operands();
            String what = op.mnemonic + " in " + family;
            assertEquals(op.usesMemory(), family == Family.MEMORY, what);
            assertEquals(op.isBranch() && !op.isTerminator() && operands.size() == 3,
                    family == Family.COMPARE_AND_BRANCH, what);
            if (family == Family.CONTROL) {
                assertTrue(op.endsBlock() || operands.isEmpty(), what);
            }
            if (family == Family.COMPARISONS) {
                assertEquals(new Operand(OperandKind.DEF, ValType.I32), operands.get(0), what);
            }
            if (family == Family.INTEGER_ARITHMETIC || family == Family.FLOAT_ARITHMETIC) {
                boolean integer = family == Family.INTEGER_ARITHMETIC;
                for (Operand o : operands) {
                    assertEquals(integer, o.type() == ValType.I32 || o.type() == ValType.I64, what);
                }
            }
            if (family == Family.CONVERSIONS) {
                assertEquals(List.of(OperandKind.DEF, OperandKind.USE), operands.stream().map(Operand::kind).toList(), what);
            }
        }
    }

    @Test
    void placeholdersFollowTheTextSyntax() {
        assertEquals(List.of("d", "a", "b"), IsaDoc.placeholders(Opcode.I32_ADD));
        assertEquals(List.of("d", "a", "b", "c"), IsaDoc.placeholders(Opcode.F64_SELECT));
        assertEquals(List.of("a", "off", "v"), IsaDoc.placeholders(Opcode.I64_STORE32));
        assertEquals(List.of("d", "a", "off"), IsaDoc.placeholders(Opcode.I32_LOAD));
        assertEquals(List.of("a", "[Ls]", "L"), IsaDoc.placeholders(Opcode.BR_TABLE));
        assertEquals(List.of("t", "tab", "a", "(args)", "(results)"), IsaDoc.placeholders(Opcode.CALL_INDIRECT));
        assertEquals(List.of("g", "a"), IsaDoc.placeholders(Opcode.F32_GLOBAL_SET));
        assertEquals(List.of("d", "k"), IsaDoc.placeholders(Opcode.I64_CONST));
    }

    @Test
    void typesColumnGivesEveryTypedOperandInOrder() {
        assertEquals("`d: i32, a: f64, b: f64`", IsaDoc.types(Opcode.F64_LT));
        assertEquals("`a: i32, off: u32, v: f32`", IsaDoc.types(Opcode.F32_STORE));
        assertEquals("`g: mut i64, a: i64`", IsaDoc.types(Opcode.I64_GLOBAL_SET));
        assertEquals("`d: f32, g: f32`", IsaDoc.types(Opcode.F32_GLOBAL_GET));
        assertEquals("`a: i32, (args), (results): as t`", IsaDoc.types(Opcode.CALL_INDIRECT));
        assertEquals("`(args): as the function's results`", IsaDoc.types(Opcode.RET));
        assertEquals("", IsaDoc.types(Opcode.BR));
    }

    @Test
    void everyOperandIsNamedInItsOpcodesMeaning() {
        for (Opcode op : Opcode.values()) {
            for (String placeholder : IsaDoc.placeholders(op)) {
                String name = placeholder.replaceAll("[\\[\\]()]", "");
                Pattern word = Pattern.compile("(?<![A-Za-z])" + Pattern.quote(name) + "(?![A-Za-z])");
                assertTrue(word.matcher(op.meaning).find(), op.mnemonic + ": \"" + name + "\" not in: " + op.meaning);
            }
        }
    }

    @Test
    void flagsListEveryPropertyOfTheOpcode() {
        assertEquals(List.of("branch", "terminator"), IsaDoc.flags(Opcode.BR_TABLE));
        assertEquals(List.of("call", "traps"), IsaDoc.flags(Opcode.CALL));
        assertEquals(List.of("memory", "traps"), IsaDoc.flags(Opcode.MEMORY_FILL));
        assertEquals(List.of("memory"), IsaDoc.flags(Opcode.MEMORY_GROW));
        assertEquals(List.of(), IsaDoc.flags(Opcode.NOP));
    }

    @Test
    void tableCellsEscapeTheColumnSeparator() {
        String row = IsaDoc.generate().lines().filter(l -> l.contains("`i64.or`")).findFirst().orElseThrow();
        assertTrue(row.contains("a \\| b"), row);
        // Six cells between the leading and trailing bars: eight pieces when split on unescaped bars.
        assertEquals(8, row.split("(?<!\\\\)\\|", -1).length, row);
    }
}
