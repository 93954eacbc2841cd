package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.wasi.Errno;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile guests, each stopped with the expected typed error while the host stays unharmed: its
 * files untouched, its memory bounded, the test JVM still running.
 */
class AdversarialGuestsTest {
    @TempDir
    Path tmp;

    private static CellConfig.Builder config() {
        return CellConfig.builder();
    }

    @Test
    void anInfiniteLoopIsStoppedByFuel() {
        Guests.Ran r = Guests.run("spin.casm", config().fuel(100_000));
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome());
        assertEquals(Quota.FUEL, r.quota().quota());
        assertEquals(100_000, r.quota().limit());
        assertTrue(r.quota().usage() <= 100_000 && r.quota().usage() > 99_000, "usage " + r.quota().usage());
        assertInstanceOf(Trap.class, r.quota().getCause());
        assertEquals(r.quota().usage(), r.result().accounting().fuelUsed());
    }

    @Test
    void anInfiniteLoopIsStoppedByTheDeadlineWithoutAnyHostCall() {
        Guests.Ran r = Guests.run("spin.casm", config().timeout(Duration.ofMillis(200)));
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome());
        assertEquals(Quota.TIME, r.quota().quota());
        assertEquals(200, r.quota().limit());
        assertTrue(r.quota().usage() >= 200, "usage " + r.quota().usage());
    }

    @Test
    void aMemoryGrowBombSeesGrowFailAtTheCapAndNeverPassesIt() {
        long cap = 4L << 20;
        Guests.Ran r = Guests.run("grow-bomb.casm", config().memoryLimit(cap));
        assertEquals(Outcome.TRAPPED, r.outcome());
        assertEquals(TrapKind.UNREACHABLE, ((Trap) r.result().error()).kind());
        Accounting a = r.result().accounting();
        assertTrue(a.peakMemoryBytes() <= cap, "peak " + a.peakMemoryBytes());
        assertEquals(1 + 16 + 16 + 16 << 16, a.peakMemoryBytes());
        assertEquals(1, a.memoryGrowsRefused());
    }

    @Test
    void deepRecursionIsStoppedByTheCallDepthQuota() {
        Guests.Ran r = Guests.run("recurse.casm", config().maxCallDepth(500));
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome());
        assertEquals(Quota.CALL_DEPTH, r.quota().quota());
        assertEquals(500, r.quota().limit());
        assertEquals(501, r.quota().usage());
        assertEquals(TrapKind.CALL_STACK_EXHAUSTED, ((Trap) r.quota().getCause()).kind());
    }

    @Test
    void deepRecursionWithTheDefaultDepthIsStoppedToo() {
        Guests.Ran r = Guests.run("recurse.casm", config());
        assertEquals(Quota.CALL_DEPTH, r.quota().quota());
        assertEquals(CellConfig.DEFAULT_MAX_CALL_DEPTH, r.quota().limit());
    }

    @Test
    void anOutputFloodIsStoppedAtTheOutputQuotaWithNothingPastIt() {
        Guests.Ran r = Guests.run("flood.casm", config().maxOutput(10_000));
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome());
        assertEquals(Quota.OUTPUT, r.quota().quota());
        assertEquals(10_000, r.quota().limit());
        assertEquals(10_240, r.quota().usage());
        assertEquals(9 * 1024, r.stdout().length());
        assertEquals(9 * 1024, r.result().accounting().stdoutBytesWritten());
    }

    // Open files, disk and files created are refused with an errno, not a kill: see
    // redteam.QuotaErrnoTest.

    @Test
    void creatingPathsPastTheLengthLimitEndsInNametoolong() {
        Guests.Ran r = Guests.run("create-many.casm", config().maxFilesCreated(CellConfig.DEFAULT_MAX_FILES_CREATED * 10));
        assertEquals(Outcome.EXITED, r.outcome());
        assertEquals(Errno.NAMETOOLONG, r.status());
    }

    @Test
    void dotDotAndAbsolutePathEscapesAreRefused() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(tmp.resolve("secret.txt"), "host secret");
        CellConfig.Builder c = config().mount(host, "/data", true);
        assertEquals(Errno.NOTCAPABLE, Guests.run("cat.casm", c, "4", "../secret.txt").status());
        assertEquals(Errno.NOTCAPABLE, Guests.run("cat.casm", c, "3", "data/../../secret.txt").status());
        assertEquals(Errno.NOTCAPABLE, Guests.run("cat.casm", c, "3", tmp.resolve("secret.txt").toString()).status());
        assertEquals(Errno.NOTCAPABLE, Guests.run("cat.casm", c, "4", "/etc/passwd").status());
        assertEquals(Errno.NOENT, Guests.run("cat.casm", c, "3", "data/../secret.txt").status());
        Guests.Ran none = Guests.run("cat.casm", c, "3", "etc/passwd");
        assertEquals(Errno.NOENT, none.status());
        assertEquals("", none.stdout());
    }

    @Test
    void aSymlinkPlantedInAMountedDirectoryCannotReachOutside() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("data"));
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "host secret");
        Files.createSymbolicLink(host.resolve("abs"), secret);
        Files.createSymbolicLink(host.resolve("rel"), Path.of("../secret.txt"));
        CellConfig.Builder c = config().mount(host, "/data", false);
        Guests.Ran abs = Guests.run("cat.casm", c, "4", "abs");
        assertEquals(Errno.NOTCAPABLE, abs.status());
        assertFalse(abs.stdout().contains("secret"));
        assertEquals(Errno.NOTCAPABLE, Guests.run("cat.casm", c, "4", "rel").status());
        assertEquals(Errno.NOTCAPABLE, Guests.run("write.casm", c, "4", "rel", "overwritten").status());
        assertEquals("host secret", Files.readString(secret));
    }

    @Test
    void aGuestMadeSymlinkToRootOrUpwardsIsRefused() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("data"));
        CellConfig.Builder c = config().mount(host, "/data", false);
        assertEquals(Errno.NOTCAPABLE, Guests.run("symlink.casm", c, "4", "/", "root").status());
        assertEquals(Errno.NOTCAPABLE, Guests.run("symlink.casm", c, "4", "../..", "up").status());
        assertEquals(Errno.NOTCAPABLE, Guests.run("symlink.casm", c, "3", "../..", "up").status());
        assertFalse(Files.exists(host.resolve("root"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(host.resolve("up"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, Guests.run("symlink.casm", c, "4", "inside.txt", "ok").status());
        assertTrue(Files.isSymbolicLink(host.resolve("ok")));
    }

    @Test
    void aSymlinkLoopEndsInLoop() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("data"));
        Files.createSymbolicLink(host.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(host.resolve("b"), Path.of("a"));
        assertEquals(Errno.LOOP, Guests.run("cat.casm", config().mount(host, "/data", true), "4", "a").status());
    }

    @Test
    void writingToAReadOnlyMountIsRefusedAndTheHostFileIsUnchanged() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("ro"));
        Path file = Files.writeString(host.resolve("keep.txt"), "original");
        CellConfig.Builder c = config().mount(host, "/ro", true);
        assertEquals(Errno.ROFS, Guests.run("write.casm", c, "4", "keep.txt", "changed").status());
        assertEquals(Errno.ROFS, Guests.run("write.casm", c, "4", "new.txt", "created").status());
        assertEquals(Errno.ROFS, Guests.run("write.casm", c, "3", "ro/keep.txt", "changed").status());
        assertEquals("original", Files.readString(file));
        assertFalse(Files.exists(host.resolve("new.txt")));
    }

    @Test
    void aGuestCannotUnlinkDevNullAndWritingItUsesNoQuota() {
        Module unlink = Guests.assemble("""
                import path_unlink_file "wasi_snapshot_preview1" "path_unlink_file" (i32, i32, i32) -> i32
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                memory 1
                data 256 "dev/null"
                export func main "_start"
                func main() {
                    reg root: i32, path: i32, len: i32, errno: i32
                    i32.const root, 3
                    i32.const path, 256
                    i32.const len, 8
                    call path_unlink_file, (root, path, len), (errno)
                    call proc_exit, (errno)
                    unreachable
                }
                """, "unlink-dev-null.casm");
        assertEquals(Errno.PERM, Guests.run(unlink, config()).status());
        // O_CREAT|O_TRUNC on the device, with no disk or files-created quota left to spend.
        Guests.Ran r = Guests.run("write.casm", config().diskQuota(0).maxFilesCreated(0), "3", "dev/null", "discarded");
        assertEquals(0, r.status());
        assertEquals(0, r.result().accounting().fsBytesWritten());
        assertEquals(0, r.result().accounting().filesCreated());
    }

    /** Writes "partial" to /out/log.txt on a host mount, then ends as {@code ending} says. */
    private static Module writeThen(String ending) {
        return Guests.assemble("""
                import path_open "wasi_snapshot_preview1" "path_open" (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32
                import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
                memory 1
                data 256 "out/log.txt"
                data 512 "partial"
                export func main "_start"
                func main() {
                    reg root: i32, one: i32, path: i32, len: i32, oflags: i32, zero: i32, out: i32, errno: i32, fd: i32, iov: i32, buf: i32, n: i32, rights: i64
                    i32.const root, 3
                    i32.const one, 1
                    i32.const path, 256
                    i32.const len, 11
                    i32.const oflags, 9
                    i32.const zero, 0
                    i32.const out, 300
                    i64.const rights, 0x40
                    call path_open, (root, one, path, len, oflags, rights, rights, zero, out), (errno)
                    br_if errno, failed
                    i32.load fd, out
                    i32.const iov, 320
                    i32.const buf, 512
                    i32.const n, 7
                    i32.store iov, 0, buf
                    i32.store iov, 4, n
                    call fd_write, (fd, iov, one, out), (errno)
                    br_if errno, failed
                """ + ending + """
                failed:
                    unreachable
                }
                """, "write-then.casm");
    }

    @Test
    void filesWrittenBeforeATrapAreIntactOnTheHost() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("out"));
        Guests.Ran r = Guests.run(writeThen("    unreachable\n"), config().mount(host, "/out", false));
        assertEquals(Outcome.TRAPPED, r.outcome());
        assertEquals("partial", Files.readString(host.resolve("log.txt")));
    }

    @Test
    void filesWrittenBeforeAKillAreIntactOnTheHost() throws Exception {
        Path host = Files.createDirectory(tmp.resolve("out"));
        Module m = writeThen("spin:\n    br spin\n");
        try (Cell cell = Cell.create(m, config().mount(host, "/out", false).build())) {
            Thread killer = new Thread(() -> {
                // Kill only once the write has reached the host, so the test shows it survives the kill.
                while (host.resolve("log.txt").toFile().length() < 7) {
                    Thread.onSpinWait();
                }
                cell.kill();
            });
            killer.start();
            RunResult r = cell.run();
            killer.join();
            assertInstanceOf(CellKilled.class, r.error());
        }
        assertEquals("partial", Files.readString(host.resolve("log.txt")));
    }

    @Test
    void aNulByteInAPathIsRefusedRatherThanCutShort() {
        Guests.Ran r = Guests.run("nul-path.casm", config());
        assertEquals(Outcome.EXITED, r.outcome());
        assertEquals(Errno.INVAL, r.status());
    }

    @Test
    void pointersIovecsCountsAndLengthsOutsideMemoryAreFaults() {
        Guests.Ran r = Guests.run("bad-pointers.casm", config().stdin(Stdin.of("input")));
        assertEquals(Outcome.EXITED, r.outcome());
        assertEquals(0, r.status(), "step*100+errno");
        assertEquals("", r.stdout());
    }

    @Test
    void aMemoryCapOfZeroRefusesAModuleWithMemory() {
        Module m = Guests.load("spin.casm");
        CellConfig c = config().memoryLimit(0).build();
        QuotaExceeded q = assertThrows(QuotaExceeded.class, () -> Cell.create(m, c));
        assertEquals(Quota.MEMORY, q.quota());
        assertEquals(0, q.limit());
        assertEquals(65536, q.usage());
    }

    @Test
    void aMemoryCapOfZeroLetsAModuleWithoutPagesRunButNotGrow() {
        Module m = Guests.assemble("""
                memory 0
                export func main "_start"
                func main() {
                    reg old: i32, one: i32, none: i32
                    i32.const one, 1
                    i32.const none, -1
                    memory.grow old, one
                    i32.br_eq old, none, refused
                    ret
                refused:
                    unreachable
                }
                """, "zero.casm");
        Guests.Ran r = Guests.run(m, config().memoryLimit(0));
        assertEquals(Outcome.TRAPPED, r.outcome());
        assertEquals(0, r.result().accounting().peakMemoryBytes());
        assertEquals(1, r.result().accounting().memoryGrowsRefused());
        assertNotNull(r.result().error());
    }
}
