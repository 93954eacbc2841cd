package dev.cella.isa.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/assembly.md} true: every block fenced as {@code casm} is a complete module that
 * assembles and verifies, and a block that starts with the disassembler's header line is exactly
 * what the disassembler prints for the block before it.
 */
class AssemblyDocTest {
    private static final String HEADER = "; Cella module:";

    /** The {@code casm} blocks of the document, in order. */
    private static List<String> casmBlocks() throws IOException {
        Path doc = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && doc == null; dir = dir.getParent()) {
            Path p = dir.resolve("docs").resolve("assembly.md");
            doc = Files.isRegularFile(p) ? p : null;
        }
        assertNotNull(doc, "docs/assembly.md not found above " + Path.of("").toAbsolutePath());
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : Files.readAllLines(doc)) {
            if (block == null && line.equals("```casm")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    @Test
    void everyCasmBlockOfTheDocumentAssemblesAndVerifies() throws IOException {
        List<String> blocks = casmBlocks();
        assertTrue(blocks.size() >= 3, "expected the fib example, its disassembly and the worked example");
        for (int i = 0; i < blocks.size(); i++) {
            Module m = Assembler.assemble(blocks.get(i), "assembly.md block " + (i + 1));
            Verifier.verify(m);
        }
    }

    @Test
    void documentedDisassemblyIsWhatTheDisassemblerPrints() throws IOException {
        List<String> blocks = casmBlocks();
        int checked = 0;
        for (int i = 1; i < blocks.size(); i++) {
            if (blocks.get(i).startsWith(HEADER)) {
                Module m = Assembler.assemble(blocks.get(i - 1), "assembly.md");
                assertEquals(blocks.get(i), Disassembler.disassemble(m));
                checked++;
            }
        }
        assertTrue(checked > 0, "no documented disassembly found");
    }

    @Test
    void workedExampleHasTheDocumentedIndices() throws IOException {
        List<String> blocks = casmBlocks();
        Module m = Assembler.assemble(blocks.get(blocks.size() - 1), "calc.casm");
        assertEquals(3, m.types().size());
        assertEquals("(i32, i32) -> (i32)", m.types().get(0).toString());
        assertEquals("() -> (i32)", m.types().get(1).toString());
        assertEquals("() -> ()", m.types().get(2).toString());
        assertEquals(List.of("main", "add", "sub", "mul", "count"),
                List.of(0, 1, 2, 3, 4).stream().map(i -> m.names().function(i)).toList());
        assertEquals(List.of(1, 0, 0, 0, 2), m.functions().stream().map(f -> f.typeIndex()).toList());
    }
}
