package dev.cella.isa.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ModuleGen;
import dev.cella.isa.module.ExportKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps docs/binary-format.md honest: its example and its tables must match the code. */
class BinaryFormatDocTest {
    private static final Path DOC = Path.of("..", "docs", "binary-format.md");

    private static List<String> doc() throws IOException {
        return Files.readAllLines(DOC);
    }

    /**
     * The bytes of the {@code hexdump} block. Each line is {@code OFFSET  BYTES | meaning}; the
     * offset column must equal the number of bytes before the line.
     */
    private static byte[] hexdump(List<String> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = lines.indexOf("```hexdump");
        assertTrue(start >= 0, "no ```hexdump block in " + DOC);
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.equals("```")) {
                return out.toByteArray();
            }
            int bar = line.indexOf('|');
            assertTrue(bar > 0, "hexdump line without '|': " + line);
            String[] fields = line.substring(0, bar).trim().split("\\s+");
            assertEquals(out.size(), Integer.parseInt(fields[0], 16), "offset column of: " + line);
            for (int i = 1; i < fields.length; i++) {
                out.write(HexFormat.fromHexDigits(fields[i]));
            }
        }
        throw new AssertionError("unterminated ```hexdump block in " + DOC);
    }

    @Test
    void exampleHexDumpIsWhatTheWriterProduces() throws IOException {
        byte[] documented = hexdump(doc());
        byte[] written = ModuleWriter.write(SampleModules.tiny());
        assertEquals(HexFormat.ofDelimiter(" ").formatHex(written), HexFormat.ofDelimiter(" ").formatHex(documented));
        assertNull(ModuleGen.difference(SampleModules.tiny(), ModuleReader.read(documented)));
        assertTrue(doc().contains("is these " + written.length + " bytes (offset, bytes, meaning):"));
    }

    @Test
    void sectionTableListsEverySectionWithItsId() throws IOException {
        List<String> lines = doc();
        for (Section s : Section.values()) {
            String row = String.format("| %-2d | %-7s |", s.id, s.title);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(row)), "missing section row " + row);
        }
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("| " + (Section.values().length + 1) + " ")),
                "the section table lists an id past the last section");
    }

    @Test
    void exportKindCodesMatchTheDocument() throws IOException {
        String doc = String.join("\n", doc());
        for (ExportKind k : ExportKind.values()) {
            String word = k == ExportKind.FUNC ? "function" : k.name().toLowerCase(java.util.Locale.ROOT);
            assertTrue(doc.contains(String.format("%02X %s", k.code, word)), "export kind " + k + " not documented");
        }
    }
}
