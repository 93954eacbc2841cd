package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Guests;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.wasi.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 5: running out of descriptors, disk quota or files created is something a
 * program can cope with (save its work, clean up, report), so the guest gets the errno a POSIX
 * system gives (EMFILE, EDQUOT) and goes on; it is never killed for it.
 */
class QuotaErrnoTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskLetsTheGuestWriteItsReportAndLosesNothing() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("out"));
        Guests.Ran r = Guests.run("disk-fill-report.casm", CellConfig.builder().diskQuota(100_000)
                .mount(host, "/out", false), "4");
        assertEquals(Outcome.EXITED, r.outcome(), r.result()::toString);
        assertEquals(0, r.status(), r::toString);
        assertEquals(Errno.DQUOT + "\n", r.stdout());
        // Every block that was accepted is in the file; the refused one wrote nothing.
        byte[] kept = Files.readAllBytes(host.resolve("fill.bin"));
        assertEquals(48 * 2048, kept.length);
        for (byte b : kept) {
            assertEquals('D', b);
        }
        assertEquals("full\n", Files.readString(host.resolve("report.txt")));
        assertEquals(48 * 2048 + 5, r.result().accounting().fsBytesWritten());
        assertNull(r.result().accounting().quota());
    }

    @Test
    void aFullInMemoryDiskToo() {
        Guests.Ran r = Guests.run("disk-fill-report.casm", CellConfig.builder().diskQuota(10_000), "3");
        assertEquals(Outcome.EXITED, r.outcome(), r.result()::toString);
        assertEquals(0, r.status());
        assertEquals(Errno.DQUOT + "\n", r.stdout());
        assertEquals(4 * 2048 + 5, r.result().accounting().fsBytesWritten());
    }

    @Test
    void runningOutOfDescriptorsIsEmfile() {
        Guests.Ran r = Guests.run("fd-hog.casm", CellConfig.builder().maxOpenFiles(20));
        assertEquals(Outcome.EXITED, r.outcome(), r.result()::toString);
        assertEquals(Errno.MFILE, r.status());
        assertEquals(20, r.result().accounting().filesOpened());
    }

    @Test
    void runningOutOfFilesToCreateIsEdquot() {
        Guests.Ran r = Guests.run("create-many.casm", CellConfig.builder().maxFilesCreated(30));
        assertEquals(Outcome.EXITED, r.outcome(), r.result()::toString);
        assertEquals(Errno.DQUOT, r.status());
        assertEquals(30, r.result().accounting().filesCreated());
    }
}
