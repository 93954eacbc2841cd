package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The engine debugging options: --stats shows where functions ran, --dump-jit prints bytecode. */
class EngineOptionsTest {
    @Test
    void statsShowWhereEachFunctionRan() {
        CliRunner.Result r = cella("run", "--engine", "jit", "--stats", example("fib.casm"), "10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("functions (where each ran):"), r.err());
        assertTrue(r.err().contains("fib") && r.err().contains("compiled"), r.err());
    }

    @Test
    void dumpJitPrintsTheGeneratedBytecodeOfTheNamedFunction() {
        CliRunner.Result r = cella("run", "--engine", "jit", "--dump-jit", "fib", example("fib.casm"), "10");
        assertEquals(0, r.code(), r.err());
        assertEquals("55\n", r.out());
        assertTrue(r.err().contains("INVOKESTATIC") || r.err().contains("IRETURN") || r.err().contains("LRETURN"),
                r.err());
    }

    @Test
    void dumpJitOnTheInterpreterIsAUsageError() {
        CliRunner.Result r = cella("run", "--dump-jit", "fib", example("fib.casm"), "10");
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
    }

    @Test
    void dumpJitOfAnUnknownFunctionIsAUsageError() {
        CliRunner.Result r = cella("run", "--engine", "jit", "--dump-jit", "nope", example("fib.casm"), "10");
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
    }
}
