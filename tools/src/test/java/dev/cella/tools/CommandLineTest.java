package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Help, version, usage errors and the mapping of `cella run` options onto the sandbox configuration. */
class CommandLineTest {
    @TempDir
    Path tmp;

    private static void assertUsageError(CliRunner.Result r, String expected) {
        assertEquals(ExitCode.USAGE.code, r.code(), r::toString);
        assertTrue(r.err().startsWith("cella: "), r::toString);
        assertTrue(r.err().contains(expected), r::toString);
        assertTrue(r.err().contains("--help' for more information"), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void helpListsEveryCommandAndEveryExitCode() {
        CliRunner.Result r = cella("--help");
        assertEquals(0, r.code(), r::toString);
        for (String command : new String[] {"run", "asm", "disasm", "verify", "inspect"}) {
            assertTrue(r.out().contains("  " + command + " ") || r.out().contains("  " + command + "\n"), command);
        }
        assertTrue(r.out().contains("Exit codes:"), r::toString);
        for (ExitCode c : ExitCode.values()) {
            assertTrue(r.out().matches("(?s).*\\n  " + c.code + " +" + java.util.regex.Pattern.quote(c.meaning) + "\\n.*"),
                    () -> "missing exit code " + c + " in\n" + r.out());
        }
        assertTrue(r.out().replaceAll("\\s+", " ").contains("Guests should use statuses 0-63"), r::toString);
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"run", "asm", "disasm", "verify", "inspect"}) {
            CliRunner.Result r = cella(command, "--help");
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().startsWith("Usage: cella " + command), r::toString);
            assertEquals("", r.err());
        }
    }

    @Test
    void runHelpDescribesEverySandboxOption() {
        String help = cella("run", "--help").out();
        for (String option : new String[] {"--fuel", "--memory", "--timeout", "--max-call-depth", "--max-output",
            "--max-open-files", "--disk-quota", "--max-files", "--mount", "--env", "--stdin", "--allow-clock",
            "--allow-random", "--seed", "--engine", "--stats", "--debug"}) {
            assertTrue(help.contains(option), () -> option + " missing from\n" + help);
        }
    }

    @Test
    void versionNamesTheProjectVersion() {
        CliRunner.Result r = cella("--version");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().matches("(?s)cella \\d+\\.\\d+\\.\\d+.*"), r::toString);
    }

    @Test
    void noCommandIsAUsageError() {
        assertUsageError(cella(), "missing command");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertUsageError(cella("frobnicate"), "frobnicate");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertUsageError(cella("run", "--no-such-option", example("hello.casm")), "--no-such-option");
    }

    @Test
    void runWithoutAProgramIsAUsageError() {
        assertUsageError(cella("run"), "FILE");
    }

    @Test
    void badOptionValuesAreUsageErrorsNamingTheOption() {
        String hello = example("hello.casm");
        assertUsageError(cella("run", "--memory", "12Q", hello), "'12Q' is not a size");
        assertUsageError(cella("run", "--timeout", "2", hello), "'2' is not a duration");
        assertUsageError(cella("run", "--fuel", "lots", hello), "--fuel");
        assertUsageError(cella("run", "--fuel", "-5", hello), "fuel must not be negative");
        assertUsageError(cella("run", "--max-call-depth", "0", hello), "max call depth must be from 1 to 4194304");
        assertUsageError(cella("run", "--engine", "turbo", hello), "'turbo' is not an engine");
        assertUsageError(cella("run", "--env", "NOEQUALS", hello), "NAME=VALUE");
        assertUsageError(cella("run", "--mount", "/tmp", hello), "HOST:GUEST");
        assertUsageError(cella("run", "--stats=xml", hello), "'xml' is not a stats format");
    }

    @Test
    void everyEngineRunsTheExamplesWithTheSameOutputAndFuel() {
        CliRunner.Result reference = cella("run", "--stats=json", example("fib.casm"), "15");
        assertEquals(0, reference.code(), reference::toString);
        for (String engine : new String[] {"interp", "jit", "auto", "JIT"}) {
            CliRunner.Result r = cella("run", "--engine", engine, "--stats=json", example("fib.casm"), "15");
            assertEquals(0, r.code(), r::toString);
            assertEquals(reference.out(), r.out(), engine);
            assertEquals(fuelUsed(reference.err()), fuelUsed(r.err()), engine);
        }
    }

    @Test
    void everyEngineReportsATrapAlike() {
        CliRunner.Result reference = cella("run", example("trap.casm"));
        for (String engine : new String[] {"jit", "auto"}) {
            CliRunner.Result r = cella("run", "--engine", engine, example("trap.casm"));
            assertEquals(reference.code(), r.code(), engine);
            assertEquals(reference.out(), r.out(), engine);
            assertEquals(reference.err(), r.err(), engine);
        }
    }

    private static long fuelUsed(String json) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"fuelUsed\":(\\d+)").matcher(json);
        assertTrue(m.find(), json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void statsPrintTheAccountingAfterTheGuestOutput() {
        CliRunner.Result text = cella("run", "--stats", example("hello.casm"));
        assertEquals(0, text.code(), text::toString);
        assertEquals("Hello, world!\n", text.out());
        assertTrue(text.err().contains("outcome         exited (status 0)"), text::toString);
        assertTrue(text.err().contains("stdout written  14 bytes"), text::toString);

        CliRunner.Result json = cella("run", "--stats=json", example("hello.casm"));
        assertEquals(0, json.code(), json::toString);
        assertTrue(json.err().startsWith("{\"outcome\":\"EXITED\""), json::toString);
        assertTrue(json.err().contains("\"stdoutBytesWritten\":14"), json::toString);
        assertTrue(!json.err().contains("\"functions\""), "the interpreter has no engine report: " + json);
    }

    @Test
    void jsonStatsOfTheJitAndAutoIncludeWhereEachFunctionRan() {
        CliRunner.Result jit = cella("run", "--engine", "jit", "--stats=json", example("fib.casm"), "15");
        assertEquals(0, jit.code(), jit::toString);
        assertTrue(jit.err().strip().endsWith("]}"), jit::toString);
        assertTrue(jit.err().contains("{\"function\":4,\"name\":\"main\",\"tier\":\"compiled\""), jit::toString);
        assertTrue(jit.err().contains("\"name\":\"fd_write\",\"tier\":\"host\""), jit::toString);
        // Long enough (about 480 fuel windows) for the background compilation to finish before the loop ends.
        CliRunner.Result auto = cella("run", "--engine", "auto", "--stats=json", example("sieve.casm"), "2000000");
        assertEquals(0, auto.code(), auto::toString);
        assertTrue(auto.err().contains("on-stack replacements"), auto::toString);
    }

    @Test
    void statsArePrintedForAFailedRunToo() {
        CliRunner.Result r = cella("run", "--stats=json", "--fuel", "100", example("fib.casm"));
        assertEquals(ExitCode.QUOTA_EXCEEDED.code, r.code(), r::toString);
        assertTrue(r.err().contains("\"quota\":\"FUEL\""), r::toString);
        java.util.regex.Matcher fuel = java.util.regex.Pattern.compile("\"fuelUsed\":(\\d+)").matcher(r.err());
        assertTrue(fuel.find(), r::toString);
        long used = Long.parseLong(fuel.group(1));
        assertTrue(used > 0 && used <= 100, r::toString);
        assertTrue(r.err().contains("cella: "), r::toString);
    }

    @Test
    void argumentsAfterTheProgramBelongToTheGuest() {
        CliRunner.Result r = cella("run", example("args.casm"), "--fuel", "1", "--help");
        assertEquals(0, r.code(), r::toString);
        assertEquals(example("args.casm") + "\n--fuel\n1\n--help\n", r.out());
    }

    /** A guest that copies its standard input to its standard output. */
    private static final String CAT = """
            import fd_read "wasi_snapshot_preview1" "fd_read" (i32, i32, i32, i32) -> i32
            import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
            memory 1
            export memory "memory"
            export func main "_start"
            func main() {
                reg iov: i32, buf: i32, size: i32, one: i32, nread: i32, n: i32, errno: i32, stdin: i32, stdout: i32, nw: i32
                i32.const iov, 0
                i32.const buf, 1024
                i32.const size, 4096
                i32.const one, 1
                i32.const nread, 8
                i32.const stdin, 0
                i32.const stdout, 1
                i32.const nw, 12
            more:
                i32.store iov, 0, buf
                i32.store iov, 4, size
                call fd_read, (stdin, iov, one, nread), (errno)
                br_if errno, done
                i32.load n, nread
                br_unless n, done
                i32.store iov, 4, n
                call fd_write, (stdout, iov, one, nw), (errno)
                br more
            done:
                ret
            }
            """;

    @Test
    void theGuestSeesNoInputUnlessGivenSome() throws Exception {
        Path cat = tmp.resolve("cat.casm");
        Files.writeString(cat, CAT);
        CliRunner.Result r = CliRunner.cellaWithInput("typed".getBytes(), "run", cat.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void stdinDashPassesCellasOwnInputToTheGuest() throws Exception {
        Path cat = tmp.resolve("cat.casm");
        Files.writeString(cat, CAT);
        CliRunner.Result r = CliRunner.cellaWithInput("typed\ninput".getBytes(), "run", "--stdin", "-", cat.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("typed\ninput", r.out());
    }

    @Test
    void stdinFileIsTheGuestsInput() throws Exception {
        Path cat = tmp.resolve("cat.casm");
        Files.writeString(cat, CAT);
        Path input = tmp.resolve("input.txt");
        byte[] bytes = new byte[10_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        Files.write(input, bytes);
        CliRunner.Result r = cella("run", "--stdin", input.toString(), cat.toString());
        assertEquals(0, r.code(), r::toString);
        assertArrayEquals(bytes, r.outBytes());
    }

    @Test
    void everyRunOptionReachesTheSandboxConfiguration() {
        RunCommand run = parseRun("--fuel", "123", "--memory", "2M", "--timeout", "1500ms", "--max-call-depth", "77",
                "--max-output", "3K", "--max-open-files", "5", "--disk-quota", "1G", "--max-files", "9",
                "--mount", tmp + ":/data", "--mount", tmp + ":/out:rw", "--env", "A=1", "--env", "B=x=y",
                "--allow-clock", "--allow-random", "--seed", "42", "--engine", "interp",
                "prog.casm", "first", "second");
        CellConfig c = run.config();
        assertEquals(123, c.fuel());
        assertEquals(2L << 20, c.memoryLimit());
        assertEquals(Duration.ofMillis(1500), c.timeout());
        assertEquals(77, c.maxCallDepth());
        assertEquals(3L << 10, c.maxOutput());
        assertEquals(5, c.maxOpenFiles());
        assertEquals(1L << 30, c.diskQuota());
        assertEquals(9, c.maxFilesCreated());
        assertEquals(2, c.mounts().size());
        assertEquals("/data", c.mounts().get(0).guestPath());
        assertTrue(c.mounts().get(0).readOnly());
        assertEquals("/out", c.mounts().get(1).guestPath());
        assertTrue(!c.mounts().get(1).readOnly());
        assertEquals(Map.of("A", "1", "B", "x=y"), c.env());
        assertTrue(c.allowClock());
        assertTrue(c.allowRandom());
        assertEquals(42, c.randomSeed());
        assertEquals(EngineKind.INTERP, c.engine());
        assertEquals(List.of("prog.casm", "first", "second"), c.args());
    }

    @Test
    void optionsNotGivenKeepTheSandboxDefaults() {
        CellConfig c = parseRun("prog.casm").config();
        CellConfig defaults = CellConfig.builder().build();
        assertEquals(defaults.fuel(), c.fuel());
        assertEquals(defaults.memoryLimit(), c.memoryLimit());
        assertEquals(defaults.timeout(), c.timeout());
        assertEquals(defaults.maxCallDepth(), c.maxCallDepth());
        assertEquals(defaults.maxOutput(), c.maxOutput());
        assertEquals(defaults.maxOpenFiles(), c.maxOpenFiles());
        assertEquals(defaults.diskQuota(), c.diskQuota());
        assertEquals(defaults.maxFilesCreated(), c.maxFilesCreated());
        assertEquals(defaults.randomSeed(), c.randomSeed());
        assertTrue(c.mounts().isEmpty());
        assertTrue(c.env().isEmpty());
        assertTrue(!c.allowClock() && !c.allowRandom());
        assertEquals(EngineKind.INTERP, c.engine());
        assertEquals(List.of("prog.casm"), c.args());
    }

    private static RunCommand parseRun(String... args) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        CommandLine cl = Cella.commandLine(new Cella.Console(new ByteArrayInputStream(new byte[0]), sink, sink));
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        cl.parseArgs(all);
        return cl.getSubcommands().get("run").getCommand();
    }
}
