package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of failure of `cella run` ends with its own exit code and one clear line. */
class RunFailuresTest {
    @TempDir
    Path tmp;

    private String write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p.toString();
    }

    private String write(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p.toString();
    }

    /** The error output is exactly one line starting with "cella: " and contains no stack trace. */
    private static String oneLine(CliRunner.Result r) {
        assertTrue(r.err().startsWith("cella: "), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
        return r.err();
    }

    @Test
    void aMissingProgramExitsWithNoInput() {
        String missing = tmp.resolve("nothing-here.casm").toString();
        CliRunner.Result r = cella("run", missing);
        assertEquals(ExitCode.NO_INPUT.code, r.code(), r::toString);
        assertEquals("cella: " + missing + ": no such file\n", oneLine(r));
    }

    @Test
    void aDirectoryAsProgramExitsWithNoInput() {
        CliRunner.Result r = cella("run", tmp.toString());
        assertEquals(ExitCode.NO_INPUT.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("is a directory"), r::toString);
    }

    @Test
    void aMalformedBinaryNamesTheOffset() throws Exception {
        String bad = write("bad.cel", new byte[] {0x00, 0x43, 0x45, 0x4C, 0x01, 0x00, 0x00, 0x00, 0x01, 0x7F});
        CliRunner.Result r = cella("run", bad);
        assertEquals(ExitCode.MALFORMED_BINARY.code, r.code(), r::toString);
        assertTrue(oneLine(r).startsWith("cella: " + bad + ": malformed binary at offset "), r::toString);
    }

    @Test
    void aCelFileWithoutTheMagicIsMalformedAtOffsetZero() throws Exception {
        String bad = write("text.cel", "hello");
        CliRunner.Result r = cella("run", bad);
        assertEquals(ExitCode.MALFORMED_BINARY.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("malformed binary at offset 0 "), r::toString);
    }

    @Test
    void anAssemblyErrorNamesFileLineAndColumn() throws Exception {
        String src = write("bad.casm", "memory 1\nexport func main \"_start\"\nfunc main() {\n    i32.frobnicate\n    ret\n}\n");
        CliRunner.Result r = cella("run", src);
        assertEquals(ExitCode.ASSEMBLY_ERROR.code, r.code(), r::toString);
        assertTrue(oneLine(r).startsWith("cella: " + src + ":4:5: "), r::toString);
    }

    @Test
    void assemblyTextThatIsNotUtf8NamesTheLine() throws Exception {
        byte[] text = "; ok\n; bad \u0000\n".getBytes(StandardCharsets.UTF_8);
        text[text.length - 2] = (byte) 0xFF;
        String src = write("latin.casm", text);
        CliRunner.Result r = cella("run", src);
        assertEquals(ExitCode.ASSEMBLY_ERROR.code, r.code(), r::toString);
        assertTrue(oneLine(r).startsWith("cella: " + src + ":2:7: invalid UTF-8"), r::toString);
    }

    @Test
    void anInvalidProgramNamesTheFunctionAndPc() throws Exception {
        String src = write("invalid.casm", "export func main \"_start\"\nfunc main() {\n    reg a: i32, b: i64\n"
                + "    i32.const a, 1\n    i32.add a, a, b\n    ret\n}\n");
        CliRunner.Result r = cella("run", src);
        assertEquals(ExitCode.INVALID_PROGRAM.code, r.code(), r::toString);
        String line = oneLine(r);
        assertTrue(line.startsWith("cella: " + src + ": invalid main (function 0) at pc "), r::toString);
    }

    @Test
    void aMissingImportIsALinkError() throws Exception {
        String src = write("link.casm", "import nope \"wasi_snapshot_preview1\" \"no_such_call\" () -> ()\n"
                + "export func main \"_start\"\nfunc main() {\n    call nope\n    ret\n}\n");
        CliRunner.Result r = cella("run", src);
        assertEquals(ExitCode.LINK_ERROR.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("no_such_call"), r::toString);
    }

    @Test
    void aModuleWithNothingToRunIsALinkError() throws Exception {
        String src = write("lib.casm", "export func f\nfunc f() {\n    ret\n}\n");
        CliRunner.Result r = cella("run", src);
        assertEquals(ExitCode.LINK_ERROR.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("nothing to run"), r::toString);
    }

    @Test
    void runningOutOfFuelIsAQuotaNamingLimitAndPlace() {
        CliRunner.Result r = cella("run", "--fuel", "1000", example("fib.casm"));
        assertEquals(ExitCode.QUOTA_EXCEEDED.code, r.code(), r::toString);
        String line = oneLine(r);
        assertTrue(line.contains("quota exceeded: fuel (limit 1000 units"), r::toString);
        assertTrue(line.contains("fib (function "), r::toString);
        assertTrue(line.contains(" at pc "), r::toString);
    }

    @Test
    void deepRecursionPastTheCallDepthIsAQuota() {
        CliRunner.Result r = cella("run", "--max-call-depth", "10", example("fib.casm"), "20");
        assertEquals(ExitCode.QUOTA_EXCEEDED.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("call depth (limit 10 frames"), r::toString);
    }

    @Test
    void outputPastItsQuotaStopsTheGuest() {
        CliRunner.Result r = cella("run", "--max-output", "4", example("hello.casm"));
        assertEquals(ExitCode.QUOTA_EXCEEDED.code, r.code(), r::toString);
        assertTrue(r.err().contains("quota exceeded: output (limit 4 bytes"), r::toString);
    }

    @Test
    void anInitialMemoryAboveTheMemoryQuotaIsRefused() {
        CliRunner.Result r = cella("run", "--memory", "32K", example("hello.casm"));
        assertEquals(ExitCode.QUOTA_EXCEEDED.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("quota exceeded: memory (limit 32768 bytes, usage 65536 bytes)"), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void anEndlessLoopIsStoppedByTheTimeout() throws Exception {
        String src = write("loop.casm", "export func main \"_start\"\nfunc main() {\nagain:\n    br again\n}\n");
        CliRunner.Result r = cella("run", "--timeout", "200ms", src);
        assertEquals(ExitCode.QUOTA_EXCEEDED.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("quota exceeded: time (limit 200 ms"), r::toString);
    }

    @Test
    void theGuestExitStatusBecomesTheExitCode() throws Exception {
        String src = write("exit.casm", "import proc_exit \"wasi_snapshot_preview1\" \"proc_exit\" (i32) -> ()\n"
                + "export func main \"_start\"\nfunc main() {\n    reg s: i32\n    i32.const s, 42\n"
                + "    call proc_exit, (s)\n    unreachable\n}\n");
        CliRunner.Result r = cella("run", src);
        assertEquals(42, r.code(), r::toString);
        assertEquals("", r.err());
    }

    @Test
    void aGuestExitStatusOver255IsReportedAndBecomes255() throws Exception {
        String src = write("exit.casm", "import proc_exit \"wasi_snapshot_preview1\" \"proc_exit\" (i32) -> ()\n"
                + "export func main \"_start\"\nfunc main() {\n    reg s: i32\n    i32.const s, 256\n"
                + "    call proc_exit, (s)\n    unreachable\n}\n");
        CliRunner.Result r = cella("run", src);
        assertEquals(255, r.code(), r::toString);
        assertTrue(oneLine(r).contains("status 256 does not fit 0-255"), r::toString);
    }

    @Test
    void debugAddsTheStackTrace() {
        CliRunner.Result plain = cella("run", example("trap.casm"));
        CliRunner.Result debug = cella("--debug", "run", example("trap.casm"));
        CliRunner.Result debugAfter = cella("run", "--debug", example("trap.casm"));
        assertFalse(plain.err().contains("\tat "), plain::toString);
        for (CliRunner.Result r : new CliRunner.Result[] {debug, debugAfter}) {
            assertEquals(ExitCode.TRAP.code, r.code(), r::toString);
            assertTrue(r.err().startsWith(plain.err()), r::toString);
            assertTrue(r.err().contains("dev.cella.vm.Trap: trap: integer divide by zero"), r::toString);
            assertTrue(r.err().contains("\tat "), r::toString);
        }
    }

    @Test
    void aMissingStdinFileIsNoInput() {
        String missing = tmp.resolve("input.txt").toString();
        CliRunner.Result r = cella("run", "--stdin", missing, example("hello.casm"));
        assertEquals(ExitCode.NO_INPUT.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains(missing), r::toString);
    }

    @Test
    void aMissingMountDirectoryIsNoInput() {
        String missing = tmp.resolve("no-dir").toString();
        CliRunner.Result r = cella("run", "--mount", missing + ":/data", example("hello.casm"));
        assertEquals(ExitCode.NO_INPUT.code, r.code(), r::toString);
        assertTrue(oneLine(r).contains("cannot mount: no such directory"), r::toString);
    }
}
