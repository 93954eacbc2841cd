package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.format.Section;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** asm, disasm, verify and inspect on the examples, and their failures. */
class ModuleToolsTest {
    private static final List<String> EXAMPLES = List.of("hello.casm", "fib.casm", "sieve.casm", "args.casm", "trap.casm");

    @TempDir
    Path tmp;

    private static Module assembled(String example) throws Exception {
        return Assembler.assemble(Files.readString(Path.of(example(example))), example);
    }

    @Test
    void asmWritesTheBinaryTheAssemblerProduces() throws Exception {
        for (String name : EXAMPLES) {
            Path out = tmp.resolve(name + ".cel");
            CliRunner.Result r = cella("asm", example(name), "-o", out.toString());
            assertEquals(0, r.code(), r::toString);
            assertEquals("", r.out() + r.err());
            assertArrayEquals(ModuleWriter.write(assembled(name)), Files.readAllBytes(out), name);
        }
    }

    @Test
    void asmWithoutOutputReplacesTheExtension() throws Exception {
        Path src = tmp.resolve("hello.casm");
        Files.copy(Path.of(example("hello.casm")), src);
        assertEquals(0, cella("asm", src.toString()).code());
        assertTrue(Files.isRegularFile(tmp.resolve("hello.cel")));
        assertEquals("x.txt.cel", ModuleCommands.ToBinary.defaultOutput("x.txt", ".casm"));
    }

    @Test
    void asmRefusesABinaryInputAsAUsageError() throws Exception {
        Path bin = tmp.resolve("hello.cel");
        assertEquals(0, cella("asm", example("hello.casm"), "-o", bin.toString()).code());
        CliRunner.Result r = cella("asm", bin.toString(), "-o", tmp.resolve("again.cel").toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r::toString);
        assertTrue(r.err().startsWith("cella: " + bin + " is a binary module already"), r::toString);
        assertTrue(Files.notExists(tmp.resolve("again.cel")));
    }

    @Test
    void disassemblyAssemblesBackToTheSameBytes() throws Exception {
        for (String name : EXAMPLES) {
            Path binary = tmp.resolve(name + ".cel");
            Path text = tmp.resolve(name + ".dis.casm");
            Path again = tmp.resolve(name + ".again.cel");
            assertEquals(0, cella("asm", example(name), "-o", binary.toString()).code());
            assertEquals(0, cella("disasm", binary.toString(), "-o", text.toString()).code());
            assertEquals(0, cella("asm", text.toString(), "-o", again.toString()).code());
            assertArrayEquals(Files.readAllBytes(binary), Files.readAllBytes(again), name);
            CliRunner.Result toStdout = cella("disasm", binary.toString());
            assertEquals(0, toStdout.code(), toStdout::toString);
            assertEquals(Files.readString(text), toStdout.out(), name);
        }
    }

    @Test
    void verifyPrintsOkWithASummaryOfEachExample() throws Exception {
        for (String name : EXAMPLES) {
            Module m = assembled(name);
            CliRunner.Result r = cella("verify", example(name));
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().startsWith("OK " + example(name) + ": "), r::toString);
            assertTrue(r.out().contains(m.functionCount() + " functions (" + m.imports().size() + " imported, "
                    + m.functions().size() + " defined"), r::toString);
            long codeBytes = m.functions().stream().mapToLong(f -> f.code().length).sum();
            assertTrue(r.out().contains(" in " + codeBytes + " code bytes"), r::toString);
        }
    }

    @Test
    void verifyRejectsAnInvalidBinaryThatAsmWroteWithoutVerifying() throws Exception {
        Path src = tmp.resolve("invalid.casm");
        Files.writeString(src, "export func main \"_start\"\nfunc main() {\n    reg a: i32, b: f64\n"
                + "    f64.const b, 1.5\n    i32.add a, a, b\n    ret\n}\n");
        Path bin = tmp.resolve("invalid.cel");
        CliRunner.Result refused = cella("asm", src.toString(), "-o", bin.toString());
        assertEquals(ExitCode.INVALID_PROGRAM.code, refused.code(), refused::toString);
        assertTrue(Files.notExists(bin));
        assertEquals(0, cella("asm", "--no-verify", src.toString(), "-o", bin.toString()).code());
        CliRunner.Result r = cella("verify", bin.toString());
        assertEquals(ExitCode.INVALID_PROGRAM.code, r.code(), r::toString);
        assertTrue(r.err().startsWith("cella: " + bin + ": invalid main (function 0) at pc "), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void inspectListsSectionsWithTheirSizes() throws Exception {
        for (String name : EXAMPLES) {
            Path binary = tmp.resolve(name + ".cel");
            assertEquals(0, cella("asm", example(name), "-o", binary.toString()).code());
            byte[] bytes = Files.readAllBytes(binary);
            List<ModuleReport.SectionExtent> sections = ModuleReport.sections(bytes);
            long end = Section.HEADER_SIZE;
            for (ModuleReport.SectionExtent s : sections) {
                assertEquals(end, s.headerOffset(), name);
                end = s.payloadOffset() + s.size();
            }
            assertEquals(bytes.length, end, name);
            CliRunner.Result r = cella("inspect", binary.toString());
            assertEquals(0, r.code(), r::toString);
            for (ModuleReport.SectionExtent s : sections) {
                assertTrue(r.out().matches("(?s).*\\n  " + s.section().title + " +" + s.headerOffset() + " +"
                        + s.payloadOffset() + " +" + s.size()
                        + "\\n.*"), () -> s + " missing in\n" + r.out());
            }
        }
    }

    @Test
    void inspectDescribesFunctionsMemoryGlobalsDataAndExports() throws Exception {
        Module m = assembled("fib.casm");
        CliRunner.Result r = cella("inspect", example("fib.casm"));
        assertEquals(0, r.code(), r::toString);
        String out = r.out();
        int binarySize = ModuleWriter.write(m).length;
        assertTrue(out.startsWith(example("fib.casm") + ": assembly text, "
                + Files.size(Path.of(example("fib.casm"))) + " bytes (" + binarySize + " bytes as binary)"), out);
        assertTrue(out.contains("imports: 4\n"), out);
        assertTrue(out.contains("\"wasi_snapshot_preview1\" \"fd_write\""), out);
        assertTrue(out.contains("functions: " + m.functionCount() + " (4 imported, " + m.functions().size() + " defined)"), out);
        for (int i = m.imports().size(); i < m.functionCount(); i++) {
            Function f = m.function(i);
            String row = String.format("  f%-4d %-24s %9d", i, m.names().function(i), f.registers().size());
            assertTrue(out.contains(row), () -> row + " missing in\n" + out);
        }
        assertTrue(out.contains("memory: min 1 page, max none (65536 bytes initially)"), out);
        assertTrue(out.contains("globals: 2\n"), out);
        assertTrue(out.contains("argv_base                i32 = 4096"), out);
        assertTrue(out.contains("heap                     i32 mut = 4096"), out);
        assertTrue(out.contains("data segments: 2\n"), out);
        assertTrue(out.contains("exports: 2\n"), out);
        assertTrue(out.contains("\"_start\""), out);
        assertTrue(out.contains("start: none"), out);
    }

    @Test
    void inspectCountsInstructionsOfEachFunction() throws Exception {
        Module m = assembled("hello.casm");
        String out = cella("inspect", example("hello.casm")).out();
        // hello's main has 10 instructions: 7 constants, 2 stores, call... see the file.
        String text = Files.readString(Path.of(example("hello.casm")));
        long expected = text.lines().map(String::strip)
                .filter(l -> l.startsWith("i32.") || l.startsWith("call ") || l.equals("ret")).count();
        Function main = m.function(m.imports().size());
        String row = String.format("  f%-4d %-24s %9d %6s %10d %12d", 1, "main", main.registers().size(), "0",
                main.code().length, expected);
        assertTrue(out.contains(row), () -> row + " missing in\n" + out);
    }

    @Test
    void inspectOfAMalformedBinaryNamesTheOffset() throws Exception {
        Path bin = tmp.resolve("hello.cel");
        assertEquals(0, cella("asm", example("hello.casm"), "-o", bin.toString()).code());
        byte[] bytes = Files.readAllBytes(bin);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        Files.write(bin, truncated);
        CliRunner.Result r = cella("inspect", bin.toString());
        assertEquals(ExitCode.MALFORMED_BINARY.code, r.code(), r::toString);
        assertTrue(r.err().startsWith("cella: " + bin + ": malformed binary at offset "), r::toString);
    }

    @Test
    void writingIntoAMissingDirectoryCannotWrite() {
        String out = tmp.resolve("no/such/dir/x.cel").toString();
        CliRunner.Result r = cella("asm", example("hello.casm"), "-o", out);
        assertEquals(ExitCode.CANNOT_WRITE.code, r.code(), r::toString);
        assertEquals("cella: " + out + ": cannot write: no such directory\n", r.err());
    }

    @Test
    void disasmOfABinaryReadsWhatTheWriterWrote() throws Exception {
        Path bin = tmp.resolve("sieve.cel");
        assertEquals(0, cella("asm", example("sieve.casm"), "-o", bin.toString()).code());
        Module read = ModuleReader.read(Files.readAllBytes(bin));
        String text = cella("disasm", bin.toString()).out();
        Module again = Assembler.assemble(text, "again");
        assertArrayEquals(ModuleWriter.write(read), ModuleWriter.write(again));
        assertTrue(text.contains("func count_primes"), text);
        assertTrue(new String(Files.readAllBytes(bin), StandardCharsets.ISO_8859_1).contains("count_primes"));
    }
}
