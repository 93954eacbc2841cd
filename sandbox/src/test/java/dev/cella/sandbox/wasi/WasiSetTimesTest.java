package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.WasiHarness.CREAT;
import static dev.cella.sandbox.wasi.WasiHarness.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * path_filestat_set_times and fd_filestat_set_times (issue 14, item 6): tools such as bzip2 copy
 * a file's times to what they write, and gave up when the calls returned ENOSYS. "Now" is the
 * cell's clock, virtual unless granted.
 */
class WasiSetTimesTest {
    private static final int ATIM = 1, ATIM_NOW = 2, MTIM = 4, MTIM_NOW = 8;

    @TempDir
    Path tmp;

    private static long[] times(WasiHarness h, int dirfd, String path) {
        int buf = h.alloc(64);
        assertEquals(Errno.SUCCESS, h.call("path_filestat_get", dirfd, 0, h.str(path), WasiHarness.len(path), buf));
        return new long[] {h.u64(buf + 40), h.u64(buf + 48)};
    }

    private static int setTimes(WasiHarness h, int dirfd, int lookup, String path, long atim, long mtim, int flags) {
        return h.call("path_filestat_set_times", dirfd, lookup, h.str(path), WasiHarness.len(path), atim, mtim, flags);
    }

    @Test
    void pathSetTimesSetsAnInMemoryFilesTimes() {
        WasiHarness h = new WasiHarness();
        h.call("fd_close", h.open(3, "f", CREAT, WRITE));
        assertEquals(Errno.SUCCESS, setTimes(h, 3, 0, "f", 5_000_000_000L, 7_000_000_000L, ATIM | MTIM));
        assertEquals(5_000_000_000L, times(h, 3, "f")[0]);
        assertEquals(7_000_000_000L, times(h, 3, "f")[1]);
        // Only the modification time, and "now" on the virtual clock (fuel 0: its epoch).
        assertEquals(Errno.SUCCESS, setTimes(h, 3, 0, "f", 0, 0, MTIM_NOW));
        assertEquals(5_000_000_000L, times(h, 3, "f")[0]);
        assertEquals(WasiClock.VIRTUAL_EPOCH_NANOS, times(h, 3, "f")[1]);
    }

    @Test
    void badFlagsAndMissingFilesAreRefused() {
        WasiHarness h = new WasiHarness();
        h.call("fd_close", h.open(3, "f", CREAT, WRITE));
        assertEquals(Errno.INVAL, setTimes(h, 3, 0, "f", 1, 1, ATIM | ATIM_NOW));
        assertEquals(Errno.INVAL, setTimes(h, 3, 0, "f", 1, 1, MTIM | MTIM_NOW));
        assertEquals(Errno.INVAL, setTimes(h, 3, 0, "f", 1, 1, 16));
        assertEquals(Errno.NOENT, setTimes(h, 3, 0, "missing", 1, 1, MTIM));
        assertEquals(Errno.NOTCAPABLE, setTimes(h, 3, 0, "../x", 1, 1, MTIM));
    }

    @Test
    void fdSetTimesSetsAnOpenFilesTimesButNotStdio() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "f", CREAT, WRITE | Abi.RIGHT_FD_FILESTAT_SET_TIMES);
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_set_times", fd, 11L, 13L, ATIM | MTIM));
        assertEquals(11L, times(h, 3, "f")[0]);
        assertEquals(13L, times(h, 3, "f")[1]);
        assertEquals(Errno.BADF, h.call("fd_filestat_set_times", 1, 0L, 0L, MTIM_NOW));
        int noRight = h.open(3, "f", 0, WRITE);
        assertEquals(Errno.BADF, h.call("fd_filestat_set_times", noRight, 0L, 0L, MTIM_NOW));
    }

    @Test
    void aMountedFileGetsItsTimesOnTheHostButNeverThroughALink() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("rw"));
        Path f = Files.writeString(host.resolve("f"), "x");
        Path target = Files.writeString(tmp.resolve("outside"), "y");
        FileTime before = Files.getLastModifiedTime(target);
        Files.createSymbolicLink(host.resolve("link"), Path.of("f"));
        WasiHarness h = WasiHarness.builder().mount(host, "/m", false).build();
        long t = 1_600_000_000L * 1_000_000_000L;
        assertEquals(Errno.SUCCESS, setTimes(h, 4, 0, "f", t, t, ATIM | MTIM));
        assertEquals(t, Files.getLastModifiedTime(f).to(TimeUnit.NANOSECONDS));
        // The link itself is not followed; following it reaches f, inside the mount.
        assertEquals(Errno.NOTSUP, setTimes(h, 4, 0, "link", t, t, MTIM));
        assertEquals(Errno.SUCCESS, setTimes(h, 4, 1, "link", t + 1_000_000_000L, t + 1_000_000_000L, MTIM));
        assertEquals(t + 1_000_000_000L, Files.getLastModifiedTime(f).to(TimeUnit.NANOSECONDS));
        assertEquals(before, Files.getLastModifiedTime(target, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Without the host clock a mounted file's times read as the virtual epoch, but those the
     * guest set read back as set (QuickJS's test_std.js: os.utimes then os.stat); the other
     * files, whose host times were set by nobody in the cell, still read as the epoch.
     */
    @Test
    void aMountedFileReadsBackTheTimesTheGuestSetAndNoOtherHostTime() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("rw"));
        Files.writeString(host.resolve("f"), "x");
        Files.writeString(host.resolve("g"), "y");
        WasiHarness h = WasiHarness.builder().mount(host, "/m", false).build();
        long e = WasiClock.VIRTUAL_EPOCH_NANOS;
        assertEquals(e, times(h, 4, "f")[1]);
        assertEquals(Errno.SUCCESS, setTimes(h, 4, 0, "f", 10_000_000_000L, 20_000_000_000L, ATIM | MTIM));
        assertEquals(10_000_000_000L, times(h, 4, "f")[0]);
        assertEquals(20_000_000_000L, times(h, 4, "f")[1]);
        // Only mtim, through a descriptor: atim stays as the guest set it; fd_filestat_get agrees.
        int fd = h.open(4, "f", 0, WRITE | Abi.RIGHT_FD_FILESTAT_SET_TIMES | Abi.RIGHT_FD_FILESTAT_GET);
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_set_times", fd, 0L, 30_000_000_000L, MTIM));
        int buf = h.alloc(64);
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_get", fd, buf));
        assertEquals(10_000_000_000L, h.u64(buf + 40));
        assertEquals(30_000_000_000L, h.u64(buf + 48));
        assertEquals(30_000_000_000L, times(h, 4, "f")[1]);
        assertEquals(e, times(h, 4, "g")[0]);
        assertEquals(e, times(h, 4, "g")[1]);
    }

    @Test
    void aReadOnlyMountIsNeverTouched() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("ro"));
        Path f = Files.writeString(host.resolve("f"), "x");
        FileTime before = Files.getLastModifiedTime(f);
        WasiHarness h = WasiHarness.builder().mount(host, "/m", true).build();
        assertEquals(Errno.ROFS, setTimes(h, 4, 0, "f", 1, 1, ATIM | MTIM));
        assertEquals(before, Files.getLastModifiedTime(f));
    }
}
