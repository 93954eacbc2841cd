package dev.cella.vm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.vm.conformance.Script.ModuleCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the conformance suite honest: every script is listed and parses, and every instruction of
 * the ISA runs in at least one module of the suite, so coverage cannot silently drop when an
 * opcode is added or a script is edited.
 */
class ConformanceCoverageTest {
    /** The scripts' source folder, relative to the module's base directory (surefire's working directory). */
    private static final Path SOURCE_DIR = Path.of("src/test/resources/conformance");

    @Test
    void indexListsEveryScriptInTheSourceFolderExactlyOnce() throws IOException {
        List<String> listed = ConformanceSuite.scriptNames();
        assertEquals(listed.size(), Set.copyOf(listed).size(), "INDEX lists a script twice: " + listed);
        Set<String> onDisk = new TreeSet<>();
        try (Stream<Path> files = Files.list(SOURCE_DIR)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cst")).forEach(onDisk::add);
        }
        assertEquals(onDisk, new TreeSet<>(listed), "INDEX must list exactly the .cst files of " + SOURCE_DIR);
    }

    @Test
    void everyScriptParsesAndChecksSomething() {
        for (String name : ConformanceSuite.scriptNames()) {
            Script script = ConformanceSuite.load(name);
            assertTrue(script.assertionCount() > 0, name + " has no assertions");
        }
    }

    @Test
    void everyOpcodeRunsInSomeConformanceModule() {
        Set<Opcode> seen = EnumSet.noneOf(Opcode.class);
        for (String name : ConformanceSuite.scriptNames()) {
            for (Script.Command c : ConformanceSuite.load(name).commands()) {
                if (c instanceof ModuleCommand m) {
                    Module module = Assembler.assemble(m.source(), name);
                    for (Function f : module.functions()) {
                        CodeReader reader = new CodeReader(f.code(), 0);
                        while (reader.hasNext()) {
                            seen.add(reader.next().opcode());
                        }
                    }
                }
            }
        }
        Set<Opcode> missing = EnumSet.complementOf(EnumSet.copyOf(seen));
        assertTrue(missing.isEmpty(), "opcodes that no conformance module uses: "
                + missing.stream().map(op -> op.mnemonic).toList());
    }
}
