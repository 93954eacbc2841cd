package dev.cella.tools;

import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process entry point: exit codes reach the operating system, and a terminated run exits with KILLED. */
class ProcessExitTest {
    @TempDir
    Path tmp;

    private static Process start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", CliRunner.childClassPath(), Cella.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    private static int finish(Process p) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cella did not end");
        return p.exitValue();
    }

    @Test
    void theProcessExitsWithTheGuestStatusOrTheFailureCode() throws Exception {
        Process ok = start("run", example("fib.casm"), "12");
        assertEquals(0, finish(ok));
        assertEquals("144\n", new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        Process trap = start("run", example("trap.casm"));
        assertEquals(ExitCode.TRAP.code, finish(trap));
        String err = new String(trap.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(err.startsWith("cella: ") && err.contains("integer divide by zero"), err);

        Process usage = start("run", "--fuel", "x", example("hello.casm"));
        assertEquals(ExitCode.USAGE.code, finish(usage));
    }

    @Test
    void terminatingARunningGuestKillsItsCellAndExitsWithKilled() throws Exception {
        Path loop = tmp.resolve("loop.casm");
        Files.writeString(loop, """
                import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
                memory 1
                data 16 "ready\\n"
                export func main "_start"
                func main() {
                    reg iov: i32, text: i32, len: i32, fd: i32, one: i32, nw: i32, e: i32
                    i32.const iov, 0
                    i32.const text, 16
                    i32.const len, 6
                    i32.store iov, 0, text
                    i32.store iov, 4, len
                    i32.const fd, 1
                    i32.const one, 1
                    i32.const nw, 8
                    call fd_write, (fd, iov, one, nw), (e)
                again:
                    br again
                }
                """);
        Process p = start("run", loop.toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            // The guest is inside its endless loop once its one line has arrived.
            assertEquals("ready", out.readLine());
            p.toHandle().destroy(); // SIGTERM, leaving our ends of the pipes open
            assertEquals(ExitCode.KILLED.code, finish(p));
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("cella: " + loop + ": cell killed by the host\n", err);
        } finally {
            p.destroyForcibly();
        }
    }
}
