package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cella batch}: runs a batch file end to end and maps its failures to exit codes. */
class BatchCommandTest {
    @TempDir
    Path tmp;

    private Path batch(String text) throws IOException {
        Path file = tmp.resolve("batch.txt");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void runsEveryGuestAndPrintsTheAccountingAndFairness() throws IOException {
        Path file = batch("scheduler threads=1 slice=10k\n"
                + "name=a binary=" + example("fib.casm") + " args=\"18\" weight=1\n"
                + "name=b binary=" + example("fib.casm") + " args=\"18\" weight=3 stdout=b.out\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fairness: Jain's index"), r.out());
        Matcher rows = Pattern.compile("(?m)^(a|b)\\s+exited\\s+0\\s").matcher(r.out());
        int exited = 0;
        while (rows.find()) {
            exited++;
        }
        assertEquals(2, exited, r.out());
        assertEquals("2584\n", Files.readString(tmp.resolve("b.out")), "b's stdout went to its file");
    }

    @Test
    void aGuestThatFailsMakesTheBatchExitWithOne() throws IOException {
        Path file = batch("name=t binary=" + example("trap.casm") + "\nname=h binary=" + example("hello.casm") + "\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(1, r.code(), r.out() + r.err());
    }

    @Test
    void aMissingBatchFileIsReportedAsMissingInput() {
        CliRunner.Result r = cella("batch", tmp.resolve("absent.txt").toString());
        assertEquals(ExitCode.NO_INPUT.code, r.code());
        assertTrue(r.err().startsWith("cella: "), r.err());
    }

    @Test
    void aLineThatDoesNotParseIsAUsageErrorNamingTheLine() throws IOException {
        Path file = batch("name=x binary=" + example("hello.casm") + " weight=lots\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
        assertTrue(r.err().contains("batch.txt:1:"), r.err());
    }

    @Test
    void aNulInABinaryPathIsAUsageErrorNotAnInternalOne() throws IOException {
        Path file = batch("binary=hello\u0000.casm\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
        assertTrue(r.err().contains("batch.txt:1: binary is not a valid path"), r.err());
    }

    @Test
    void aBinaryThatNamesNoFileIsAUsageErrorNotAnInternalOne() throws IOException {
        CliRunner.Result r = cella("batch", batch("binary=/\n").toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
        assertTrue(r.err().contains("batch.txt:1: binary '/' names no file"), r.err());
    }

    @Test
    void anEmptyNameIsAUsageErrorNotAnInternalOne() throws IOException {
        CliRunner.Result r = cella("batch", batch("name= binary=" + example("hello.casm") + "\n").toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
        assertTrue(r.err().contains("batch.txt:1: name must not be empty"), r.err());
    }

    @Test
    void aGuestThatDoesNotAssembleKeepsItsOwnExitCode() throws IOException {
        Files.writeString(tmp.resolve("bad.casm"), "func _start() {\n    i32.bogus\n}\n");
        Path file = batch("binary=bad.casm\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(ExitCode.ASSEMBLY_ERROR.code, r.code(), r.err());
    }

    @Test
    void aWasmGuestRunsAsCellaRunRunsIt() throws IOException {
        Files.writeString(tmp.resolve("words.txt"), "pear\napple\nfig\n");
        Path file = batch("name=w binary=" + example("wasm/sortlines.wasm") + " stdin=words.txt stdout=sorted.txt\n"
                + "name=j binary=" + example("wasm/sortlines.wasm") + " engine=jit stdin=words.txt stdout=j.txt\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("apple\nfig\npear\n", Files.readString(tmp.resolve("sorted.txt")));
        assertEquals("apple\nfig\npear\n", Files.readString(tmp.resolve("j.txt")));
    }

    @Test
    void aMountWithoutASuffixIsReadOnlyAsForCellaRun() throws IOException {
        Files.createDirectories(tmp.resolve("ro"));
        Files.createDirectories(tmp.resolve("rw"));
        String upper = "binary=" + example("cat-upper.casm") + " args=\"/in/hello.casm /out/HELLO.txt\" mount="
                + Path.of(example("hello.casm")).getParent() + ":/in";
        Path file = batch("name=ro " + upper + " mount=ro:/out\nname=rw " + upper + " mount=rw:/out:rw\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(1, r.code(), "the read-only guest fails: " + r.out() + r.err());
        assertTrue(Files.notExists(tmp.resolve("ro/HELLO.txt")), "nothing written through the read-only mount");
        assertTrue(Files.readString(tmp.resolve("rw/HELLO.txt")).contains("EXPORT FUNC"), "written through :rw");
        Matcher rw = Pattern.compile("(?m)^rw\\s+exited\\s+0\\s").matcher(r.out());
        assertTrue(rw.find(), r.out());
    }

    @Test
    void aMountOfAMissingDirectoryIsMissingInputAsForCellaRun() throws IOException {
        Path file = batch("binary=" + example("hello.casm") + " mount=absent:/data\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(ExitCode.NO_INPUT.code, r.code(), r.err());
        assertTrue(r.err().contains("batch.txt:1: guest hello#1: " + tmp.resolve("absent") + ": cannot mount"), r.err());
    }
}
