package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 7 (the command line's part): a guest mount path with {@code ..} is a usage
 * error (64), never an internal one (70); a guest writing to a stdout whose reader has gone gets
 * EPIPE and decides what to do.
 */
class HostTruthCliTest {
    @TempDir
    Path tmp;

    @Test
    void aGuestMountPathWithDotDotIsAUsageError() {
        for (String guest : new String[] {"/a/../..", "/..", "/a/./b", "/a/.."}) {
            CliRunner.Result r = cella("run", "--mount", tmp + ":" + guest, example("hello.casm"));
            assertEquals(ExitCode.USAGE.code, r.code(), r::toString);
            assertTrue(r.err().contains("must not contain '.' or '..'"), r::toString);
            assertFalse(r.err().contains("at dev.cella"), r::toString);
        }
    }

    @Test
    void aClosedStdoutPipeIsEpipeForTheGuest() throws IOException {
        Path guest = Files.writeString(tmp.resolve("hello-errno.casm"), """
                import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                memory 1
                data 256 "hello\\n"
                export func main "_start"

                func main() {
                    reg stdout: i32, iov: i32, one: i32, buf: i32, len: i32, nwritten: i32, errno: i32
                    i32.const stdout, 1
                    i32.const one, 1
                    i32.const iov, 128
                    i32.const buf, 256
                    i32.const len, 6
                    i32.store iov, 0, buf
                    i32.store iov, 4, len
                    i32.const nwritten, 136
                    call fd_write, (stdout, iov, one, nwritten), (errno)
                    call proc_exit, (errno)
                    unreachable
                }
                """);
        OutputStream closedPipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cella.run(new String[] {"run", guest.toString()}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(closedPipe, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(64, code, () -> err.toString(StandardCharsets.UTF_8)); // the guest's exit status: EPIPE
        // A working stdout is no error (status 0).
        assertEquals(0, cella("run", guest.toString()).code());
    }
}
