package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Guests;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.wasi.Errno;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 7 (the sandbox's part): what the host tells a guest must not leak what the
 * guest was not given (the host clock, through a mounted file's times), and must not hide a
 * failure the guest should see (a closed stdout pipe is EPIPE, not silence).
 */
class HostTruthTest {
    /** 2000-01-01T00:00:00Z, where the virtual clock starts (docs/host-abi.md). */
    private static final long VIRTUAL_EPOCH_NANOS = 946_684_800L * 1_000_000_000L;

    @TempDir
    Path tmp;

    private String mtimeSeenByGuest(CellConfig.Builder config) throws IOException {
        Path host = Files.createDirectories(tmp.resolve("m"));
        Path f = Files.writeString(host.resolve("f"), "x");
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2024-05-06T07:08:09Z")));
        Guests.Ran r = Guests.run("stat-mtime.casm", config.mount(host, "/m", false), "4", "f");
        assertEquals(Outcome.EXITED, r.outcome(), r.result()::toString);
        assertEquals(0, r.status(), r::toString);
        return r.stdout().trim();
    }

    @Test
    void aMountedFilesTimesAreVirtualWithoutTheHostClock() throws IOException {
        assertEquals(Long.toString(VIRTUAL_EPOCH_NANOS), mtimeSeenByGuest(CellConfig.builder()));
    }

    @Test
    void theHostClockShowsTheHostsTimes() throws IOException {
        long host = Instant.parse("2024-05-06T07:08:09Z").getEpochSecond() * 1_000_000_000L;
        assertEquals(Long.toString(host), mtimeSeenByGuest(CellConfig.builder().allowClock(true)));
    }

    /** A stream whose reader has gone, as the host sees a closed pipe. */
    private static final class ClosedPipe extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            throw new IOException("Broken pipe");
        }
    }

    private static RunResult runHello(OutputStream stdout) {
        Module m = Guests.load("hello-errno.casm");
        try (Cell cell = Cell.create(m, CellConfig.builder().args(List.of("hello")).stdout(stdout).build())) {
            return cell.run();
        }
    }

    @Test
    void writingToAClosedPipeIsEpipe() {
        RunResult r = runHello(new ClosedPipe());
        assertEquals(Outcome.EXITED, r.outcome(), r::toString);
        assertEquals(Errno.PIPE, r.exitStatus());
    }

    @Test
    void aPrintStreamThatSwallowedTheFailureIsEpipeToo() {
        RunResult r = runHello(new PrintStream(new ClosedPipe(), true));
        assertEquals(Outcome.EXITED, r.outcome(), r::toString);
        assertEquals(Errno.PIPE, r.exitStatus());
    }

    @Test
    void aWorkingStdoutIsNoError() {
        RunResult r = runHello(OutputStream.nullOutputStream());
        assertEquals(0, r.exitStatus(), r::toString);
    }
}
