package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The training run of a class-data archive ({@link ArchiveTraining}) must really run WebAssembly
 * on the JIT and on {@code auto}: an archive is only as good as the classes its run loaded.
 */
class ArchiveTrainingTest {
    @Test
    void trainingRunsTheProgramOnEveryEngineItNames() {
        List<String> reports = ArchiveTraining.train();
        assertEquals(ArchiveTraining.ENGINES.size(), reports.size(), reports.toString());
        for (String report : reports) {
            assertTrue(report.startsWith("0\n"), "exit status 0: " + report);
            assertTrue(report.contains("module          translated"), "a WebAssembly module, translated: " + report);
            assertTrue(report.contains(": compiled"), "some function ran compiled: " + report);
        }
    }
}
