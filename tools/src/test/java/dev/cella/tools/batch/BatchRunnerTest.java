package dev.cella.tools.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.text.AssemblyException;
import dev.cella.sandbox.sched.SchedulerException;
import dev.cella.tools.FileAccessException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cella batch} end to end: guests on disk, a batch file, the progress and the final report. */
class BatchRunnerTest {
    private static final String WORK = """
            export func main "_start"
            func main() {
                reg i: i32, one: i32, n: i32
                i32.const one, 1
                i32.const n, 1500000
            loop:
                i32.add i, i, one
                i32.br_lt_s i, n, loop
                ret
            }
            """;
    private static final String HELLO = """
            import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
            memory 1
            data 16 "hello\\n"
            export func main "_start"
            func main() {
                reg iov: i32, text: i32, len: i32, fd: i32, count: i32, nw: i32, errno: i32
                i32.const iov, 0
                i32.const text, 16
                i32.const len, 6
                i32.store iov, 0, text
                i32.store iov, 4, len
                i32.const fd, 1
                i32.const count, 1
                i32.const nw, 8
                call fd_write, (fd, iov, count, nw), (errno)
                ret
            }
            """;
    private static final String TRAP = """
            export func main "_start"
            func main() {
                unreachable
            }
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void writeGuests() throws IOException {
        Files.writeString(dir.resolve("work.casm"), WORK);
        Files.writeString(dir.resolve("hello.casm"), HELLO);
        Files.writeString(dir.resolve("trap.casm"), TRAP);
        Files.writeString(dir.resolve("broken.casm"), "func main() {\n    i32.add\n}\n");
    }

    private record Ran(int code, String out) {}

    private Ran run(String batch, boolean terminal) throws IOException {
        Path f = dir.resolve("batch.txt");
        Files.writeString(f, batch);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = BatchRunner.run(f, out, terminal);
        return new Ran(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private static double jain(String out) {
        Matcher m = Pattern.compile("fairness: Jain's index ([0-9.]+)").matcher(out);
        assertTrue(m.find(), "no fairness summary in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void runsEveryGuestAndEndsWithAccountingAndFairness() throws IOException {
        Ran r = run("""
                scheduler threads=1 slice=65536
                name=light binary=work.casm weight=1
                name=middle binary=work.casm weight=2
                name=heavy binary=work.casm weight=4
                """, false);
        assertEquals(BatchRunner.OK, r.code(), r.out());
        for (String name : new String[] {"light", "middle", "heavy"}) {
            assertTrue(Pattern.compile("(?m)^\\[ *[0-9.]+s\\] " + name + " exited after 3,000,00\\d fuel$")
                    .matcher(r.out()).find(), "a finished line for " + name + " in:\n" + r.out());
            assertTrue(Pattern.compile("(?m)^" + name + " +exited +0 ").matcher(r.out()).find(),
                    "an accounting row for " + name + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("cell                 outcome          status weight"), r.out());
        assertTrue(jain(r.out()) >= 0.99, r.out());
        assertTrue(r.out().contains("first window, 3 busy cells"), r.out());
        Matcher heavy = Pattern.compile("heavy ([0-9.]+)% \\(due 57\\.1%\\)").matcher(r.out());
        assertTrue(heavy.find(), r.out());
        assertEquals(1.0, Double.parseDouble(heavy.group(1)) / 57.1, 0.05, "weight 4 of 7 got its share");
        assertFalse(r.out().contains("\033["), "no escapes when not on a terminal");
    }

    @Test
    void onATerminalTheProgressTableIsRedrawnInPlace() throws IOException {
        Ran r = run("""
                scheduler threads=1 slice=65536
                name=a binary=work.casm copies=2
                """, true);
        assertEquals(BatchRunner.OK, r.code());
        assertTrue(r.out().contains("cella batch: 2 cells on 1 threads, fair share"), r.out());
        assertTrue(r.out().contains("a-1 "), r.out());
        assertTrue(r.out().contains("0 running, 0 waiting, 0 suspended, 2 finished"), r.out());
        int tables = r.out().split("cella batch: 2 cells", -1).length - 1;
        int redraws = r.out().split("\033\\[\\d+F\033\\[J", -1).length - 1;
        assertEquals(tables - 1, redraws, "every table after the first is drawn over the previous one");
    }

    @Test
    void failingGuestsAreReportedAndTheExitCodeSaysSo() throws IOException {
        Ran r = run("""
                name=ok binary=work.casm
                name=bad binary=trap.casm
                name=starved binary=work.casm fuel=1000
                """, false);
        assertEquals(BatchRunner.SOME_FAILED, r.code());
        assertTrue(Pattern.compile("(?m)^bad +trapped +- ").matcher(r.out()).find(), r.out());
        assertTrue(Pattern.compile("(?m)^starved +quota: fuel +- ").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("bad: trap: unreachable in main (function 0) at pc 0"), r.out());
        assertTrue(r.out().contains("starved: quota exceeded: fuel"), r.out());
        assertTrue(Pattern.compile("(?m)^ok +exited +0 ").matcher(r.out()).find(), r.out());
    }

    @Test
    void guestOutputGoesToTheFileTheBatchNamesSharedByCopies() throws IOException {
        Ran r = run("name=h binary=hello.casm copies=3 stdout=out/hello.txt\n".replace("out/", ""), false);
        assertEquals(BatchRunner.OK, r.code(), r.out());
        assertEquals("hello\nhello\nhello\n", Files.readString(dir.resolve("hello.txt")));
    }

    @Test
    void aMissingGuestBinaryIsMissingInputNamingTheLine() {
        BatchFileException e = assertThrows(BatchFileException.class,
                () -> run("name=a binary=work.casm\nname=b binary=nowhere.casm\n", false));
        assertInstanceOf(FileAccessException.class, e.getCause(), "mapped to exit 66 as for cella run");
        assertTrue(e.getMessage().contains("batch.txt:2: guest b: " + dir.resolve("nowhere.casm") + ": no such file"),
                e.getMessage());
    }

    @Test
    void aGuestThatDoesNotAssembleCarriesTheAssemblyError() {
        BatchFileException e = assertThrows(BatchFileException.class,
                () -> run("name=x binary=broken.casm\n", false));
        assertInstanceOf(AssemblyException.class, e.getCause());
        assertTrue(e.getMessage().contains("batch.txt:1: guest x: broken.casm"), e.getMessage());
        assertFalse(e.missingInput());
    }

    @Test
    void staticSharesOverOneAreRejectedBeforeAnythingRuns() {
        BatchFileException e = assertThrows(BatchFileException.class, () -> run("""
                scheduler policy=static
                name=a binary=work.casm share=60%
                name=b binary=work.casm share=60%
                """, false));
        assertInstanceOf(SchedulerException.class, e.getCause());
        assertTrue(e.getMessage().contains("batch.txt:3: guest b: cell b: CPU share 0.6000 does not fit"),
                e.getMessage());
    }

    @Test
    void staticSharesRunWithTheirFairnessMeasuredPerShare() throws IOException {
        Ran r = run("""
                scheduler threads=1 slice=65536 policy=static
                name=a binary=work.casm share=50%
                name=b binary=work.casm share=25%
                name=c binary=work.casm share=25%
                """, false);
        assertEquals(BatchRunner.OK, r.code(), r.out());
        assertTrue(r.out().contains("over fuel/share"), r.out());
        assertTrue(jain(r.out()) >= 0.99, r.out());
        assertTrue(Pattern.compile("(?m)^a +exited +0 +50% ").matcher(r.out()).find(), r.out());
    }
}
