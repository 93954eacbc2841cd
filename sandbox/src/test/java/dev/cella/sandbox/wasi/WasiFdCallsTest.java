package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.WasiHarness.CREAT;
import static dev.cella.sandbox.wasi.WasiHarness.READ;
import static dev.cella.sandbox.wasi.WasiHarness.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** WASI conformance for the descriptor calls: success and error paths with their errno values. */
class WasiFdCallsTest {
    @Test
    void fdWriteGathersIovecsInOrderToStdoutAndStderr() {
        WasiHarness h = new WasiHarness();
        int iovs = h.alloc(16);
        int a = h.str("hello, ");
        int b = h.str("world");
        h.mem.writeI32(iovs, a);
        h.mem.writeI32(iovs + 4, 7);
        h.mem.writeI32(iovs + 8, b);
        h.mem.writeI32(iovs + 12, 5);
        int n = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_write", 1, iovs, 2, n));
        assertEquals(12, h.u32(n));
        assertEquals("hello, world", h.out.toString(StandardCharsets.UTF_8));
        assertEquals(Errno.SUCCESS, h.write(2, "oops"));
        assertEquals("oops", h.err.toString(StandardCharsets.UTF_8));
        assertEquals(16, h.wasi.stats().stdoutWritten() + h.wasi.stats().stderrWritten());
    }

    @Test
    void fdWriteRejectsDescriptorsThatCannotBeWritten() {
        WasiHarness h = new WasiHarness();
        assertEquals(Errno.BADF, h.write(0, "x"));
        assertEquals(Errno.BADF, h.write(3, "x"));
        assertEquals(Errno.BADF, h.write(99, "x"));
        assertEquals(Errno.BADF, h.write(-1, "x"));
        int fd = h.open(3, "ro.txt", CREAT, READ);
        assertEquals(Errno.BADF, h.write(fd, "x"));
    }

    @Test
    void fdWriteFaultsWithoutWritingAnythingWhenAnyIovecIsOutsideMemory() {
        WasiHarness h = new WasiHarness();
        int iovs = h.alloc(16);
        h.mem.writeI32(iovs, h.str("good"));
        h.mem.writeI32(iovs + 4, 4);
        h.mem.writeI32(iovs + 8, 65530);
        h.mem.writeI32(iovs + 12, 7);
        int n = h.alloc(4);
        assertEquals(Errno.FAULT, h.call("fd_write", 1, iovs, 2, n));
        assertEquals(0, h.out.size());
        assertEquals(Errno.FAULT, h.call("fd_write", 1, 65532, 1, n));
        assertEquals(Errno.FAULT, h.call("fd_write", 1, iovs, 0x7FFFFFFF, n));
        assertEquals(Errno.FAULT, h.call("fd_write", 1, iovs, 0xFFFFFFFFL, n));
        assertEquals(Errno.FAULT, h.call("fd_write", 1, h.iov(0, 4), 1, 65533));
        assertEquals(Errno.FAULT, h.call("fd_write", 1, h.iov(16, -1), 1, n));
        assertEquals(0, h.out.size());
    }

    @Test
    void fdWriteRefusesIovecsWhoseTotalPassesTwoGigabytesWithoutAllocating() {
        WasiHarness h = WasiHarness.builder().build();
        // 8 pages would be needed for 40,000 iovecs; grow the harness memory instead of a new module.
        h.mem.grow(7);
        int count = 40_000;
        int iovs = 65536;
        for (int i = 0; i < count; i++) {
            h.mem.writeI32(iovs + 8L * i, 0);
            h.mem.writeI32(iovs + 8L * i + 4, 65536);
        }
        assertEquals(Errno.INVAL, h.call("fd_write", 1, iovs, count, 0));
        assertEquals(0, h.out.size());
    }

    @Test
    void fdReadReadsStdinUntilEndOfFile() {
        WasiHarness h = WasiHarness.builder().stdin("abcdef").build();
        assertEquals("abcd", h.read(0, 4));
        assertEquals("ef", h.read(0, 4));
        assertEquals("", h.read(0, 4));
        assertEquals(6, h.wasi.stats().stdinRead());
    }

    @Test
    void fdReadWithoutStdinReadsEndOfFile() {
        assertEquals("", new WasiHarness().read(0, 8));
    }

    @Test
    void fdReadRejectsOutputStreamsDirectoriesAndBadIovecs() {
        WasiHarness h = WasiHarness.builder().stdin("abc").build();
        int n = h.alloc(4);
        assertEquals(Errno.BADF, h.call("fd_read", 1, h.iov(h.alloc(4), 4), 1, n));
        assertEquals(Errno.ISDIR, h.call("fd_read", 3, h.iov(h.alloc(4), 4), 1, n));
        assertEquals(Errno.FAULT, h.call("fd_read", 0, h.iov(65535, 2), 1, n));
        assertEquals(Errno.FAULT, h.call("fd_read", 0, h.iov(16, 2), 1, 65535));
        assertEquals("abc", h.read(0, 8));
        int fd = h.open(3, "w.txt", CREAT, Abi.RIGHT_FD_WRITE);
        assertEquals(Errno.BADF, h.call("fd_read", fd, h.iov(h.alloc(4), 4), 1, n));
    }

    @Test
    void aWrittenFileReadsBackAfterSeekingToTheStart() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "note.txt", CREAT, WRITE);
        assertEquals(Errno.SUCCESS, h.write(fd, "written by the guest"));
        int pos = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_seek", fd, 0, Abi.WHENCE_SET, pos));
        assertEquals(0, h.u64(pos));
        assertEquals("written by the guest", h.read(fd, 64));
    }

    @Test
    void preadAndPwriteUseTheirOffsetAndLeaveThePositionAlone() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "p.bin", CREAT, WRITE);
        int n = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_pwrite", fd, h.iov(h.str("XY"), 2), 1, 4, n));
        assertEquals(2, h.u32(n));
        int tell = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_tell", fd, tell));
        assertEquals(0, h.u64(tell));
        int buf = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_pread", fd, h.iov(buf, 8), 1, 0, n));
        assertEquals(6, h.u32(n));
        assertEquals("\0\0\0\0XY", h.string(buf, 6));
        assertEquals(Errno.SUCCESS, h.call("fd_pread", fd, h.iov(buf, 8), 1, 100, n));
        assertEquals(0, h.u32(n));
    }

    @Test
    void preadAndPwriteRejectStreamsDirectoriesAndNegativeOffsets() {
        WasiHarness h = new WasiHarness();
        int n = h.alloc(4);
        int iov = h.iov(h.alloc(4), 4);
        assertEquals(Errno.SPIPE, h.call("fd_pread", 0, iov, 1, 0, n));
        assertEquals(Errno.SPIPE, h.call("fd_pwrite", 1, iov, 1, 0, n));
        assertEquals(Errno.ISDIR, h.call("fd_pread", 3, iov, 1, 0, n));
        assertEquals(Errno.ISDIR, h.call("fd_pwrite", 3, iov, 1, 0, n));
        int fd = h.open(3, "f", CREAT, WRITE);
        assertEquals(Errno.INVAL, h.call("fd_pread", fd, iov, 1, -1, n));
        assertEquals(Errno.INVAL, h.call("fd_pwrite", fd, iov, 1, Long.MIN_VALUE, n));
        assertEquals(Errno.BADF, h.call("fd_pread", 77, iov, 1, 0, n));
        assertEquals(Errno.FAULT, h.call("fd_pwrite", fd, h.iov(65535, 9), 1, 0, n));
    }

    @Test
    void fdSeekMovesRelativeToStartCurrentAndEnd() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "s", CREAT, WRITE);
        h.write(fd, "0123456789");
        int pos = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_seek", fd, -3, Abi.WHENCE_END, pos));
        assertEquals(7, h.u64(pos));
        assertEquals(Errno.SUCCESS, h.call("fd_seek", fd, -2, Abi.WHENCE_CUR, pos));
        assertEquals(5, h.u64(pos));
        assertEquals("56789", h.read(fd, 10));
        assertEquals(Errno.SUCCESS, h.call("fd_seek", fd, 20, Abi.WHENCE_SET, pos));
        assertEquals(20, h.u64(pos));
        assertEquals("", h.read(fd, 10));
    }

    @Test
    void fdSeekRejectsBadWhenceNegativeTargetsStreamsAndDirectories() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "s", CREAT, WRITE);
        int pos = h.alloc(8);
        assertEquals(Errno.INVAL, h.call("fd_seek", fd, 0, 3, pos));
        assertEquals(Errno.INVAL, h.call("fd_seek", fd, -1, Abi.WHENCE_SET, pos));
        assertEquals(Errno.SPIPE, h.call("fd_seek", 1, 0, Abi.WHENCE_CUR, pos));
        assertEquals(Errno.BADF, h.call("fd_seek", 3, 0, Abi.WHENCE_CUR, pos));
        assertEquals(Errno.FAULT, h.call("fd_seek", fd, 0, Abi.WHENCE_SET, 65530));
        assertEquals(Errno.SUCCESS, h.call("fd_seek", fd, Long.MAX_VALUE, Abi.WHENCE_SET, pos));
        assertEquals(Errno.OVERFLOW, h.call("fd_seek", fd, 1, Abi.WHENCE_CUR, pos));
    }

    @Test
    void fdTellReportsThePositionAndRejectsStreams() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "t", CREAT, WRITE);
        h.write(fd, "abc");
        int pos = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_tell", fd, pos));
        assertEquals(3, h.u64(pos));
        assertEquals(Errno.SPIPE, h.call("fd_tell", 1, pos));
        assertEquals(Errno.BADF, h.call("fd_tell", 3, pos));
        assertEquals(Errno.FAULT, h.call("fd_tell", fd, 65534));
    }

    @Test
    void fdCloseFreesTheNumberAndASecondCloseIsBadf() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "c", CREAT, WRITE);
        assertEquals(Errno.SUCCESS, h.call("fd_close", fd));
        assertEquals(Errno.BADF, h.call("fd_close", fd));
        assertEquals(Errno.BADF, h.write(fd, "x"));
        assertEquals(fd, h.open(3, "c", 0, READ));
    }

    @Test
    void fdSyncAndDatasyncSucceedOnFilesAndDirectoriesOnly() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "y", CREAT, WRITE);
        assertEquals(Errno.SUCCESS, h.call("fd_sync", fd));
        assertEquals(Errno.SUCCESS, h.call("fd_datasync", fd));
        assertEquals(Errno.SUCCESS, h.call("fd_sync", 3));
        assertEquals(Errno.INVAL, h.call("fd_sync", 1));
        assertEquals(Errno.BADF, h.call("fd_datasync", 50));
    }

    @Test
    void fdFdstatGetReportsTypeFlagsAndRights() {
        WasiHarness h = new WasiHarness();
        int st = h.alloc(24);
        assertEquals(Errno.SUCCESS, h.call("fd_fdstat_get", 1, st));
        assertEquals(Abi.FILETYPE_UNKNOWN, h.mem.readU8(st));
        assertEquals(Abi.RIGHT_FD_WRITE, h.u64(st + 8) & Abi.RIGHT_FD_WRITE);
        assertEquals(Errno.SUCCESS, h.call("fd_fdstat_get", 3, st));
        assertEquals(Abi.FILETYPE_DIRECTORY, h.mem.readU8(st));
        assertEquals(Abi.RIGHT_PATH_OPEN, h.u64(st + 8) & Abi.RIGHT_PATH_OPEN);
        int fd = h.open(3, "f", CREAT, READ);
        assertEquals(Errno.SUCCESS, h.call("fd_fdstat_get", fd, st));
        assertEquals(Abi.FILETYPE_REGULAR_FILE, h.mem.readU8(st));
        assertEquals(0, h.mem.readU16(st + 2));
        assertEquals(READ & Abi.FILE_RIGHTS, h.u64(st + 8));
        assertEquals(Errno.BADF, h.call("fd_fdstat_get", 40, st));
        assertEquals(Errno.FAULT, h.call("fd_fdstat_get", 1, 65530));
    }

    @Test
    void stdioIsACharacterDeviceOnlyWhenTheHostSaysItIsATerminal() {
        // wasi-libc's isatty asks fd_fdstat_get for a character device without seek rights.
        WasiHarness h = WasiHarness.builder().terminals(0b010).build();
        int st = h.alloc(64);
        int[] expected = {Abi.FILETYPE_UNKNOWN, Abi.FILETYPE_CHARACTER_DEVICE, Abi.FILETYPE_UNKNOWN};
        for (int fd = 0; fd < 3; fd++) {
            assertEquals(Errno.SUCCESS, h.call("fd_fdstat_get", fd, st));
            assertEquals(expected[fd], h.mem.readU8(st), "fd " + fd);
            assertEquals(0, h.u64(st + 8) & (Abi.RIGHT_FD_SEEK | Abi.RIGHT_FD_TELL));
            assertEquals(Errno.SUCCESS, h.call("fd_filestat_get", fd, st));
            assertEquals(expected[fd], h.mem.readU8(st + 16), "fd " + fd);
        }
    }

    @Test
    void appendFlagMakesEveryWriteGoToTheEnd() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "log", CREAT, WRITE | Abi.RIGHT_FD_FDSTAT_SET_FLAGS);
        h.write(fd, "one ");
        int pos = h.alloc(8);
        h.call("fd_seek", fd, 0, Abi.WHENCE_SET, pos);
        assertEquals(Errno.SUCCESS, h.call("fd_fdstat_set_flags", fd, Abi.FDFLAGS_APPEND));
        h.write(fd, "two");
        h.call("fd_seek", fd, 0, Abi.WHENCE_SET, pos);
        assertEquals("one two", h.read(fd, 20));
        int st = h.alloc(24);
        h.call("fd_fdstat_get", fd, st);
        assertEquals(Abi.FDFLAGS_APPEND, h.mem.readU16(st + 2));
        assertEquals(Errno.INVAL, h.call("fd_fdstat_set_flags", fd, 0x40));
        assertEquals(Errno.BADF, h.call("fd_fdstat_set_flags", 30, 0));
        int plain = h.open(3, "log", 0, READ);
        assertEquals(Errno.NOTCAPABLE, h.call("fd_fdstat_set_flags", plain, Abi.FDFLAGS_APPEND));
    }

    @Test
    void fdFilestatGetReportsSizeAndType() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "sz", CREAT, WRITE);
        h.write(fd, "12345");
        int st = h.alloc(64);
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_get", fd, st));
        assertEquals(Abi.FILETYPE_REGULAR_FILE, h.mem.readU8(st + 16));
        assertEquals(5, h.u64(st + 32));
        assertEquals(1, h.u64(st + 24));
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_get", 3, st));
        assertEquals(Abi.FILETYPE_DIRECTORY, h.mem.readU8(st + 16));
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_get", 2, st));
        assertEquals(Abi.FILETYPE_UNKNOWN, h.mem.readU8(st + 16));
        assertEquals(Errno.FAULT, h.call("fd_filestat_get", fd, 65500));
        assertEquals(Errno.BADF, h.call("fd_filestat_get", 12, st));
    }

    @Test
    void fdFilestatSetSizeTruncatesAndExtendsWithZeros() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "z", CREAT, WRITE);
        h.write(fd, "abcdef");
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_set_size", fd, 2));
        assertEquals(Errno.SUCCESS, h.call("fd_filestat_set_size", fd, 4));
        int buf = h.alloc(8);
        int n = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_pread", fd, h.iov(buf, 8), 1, 0, n));
        assertEquals("ab\0\0", h.string(buf, h.u32(n)));
        assertEquals(Errno.INVAL, h.call("fd_filestat_set_size", fd, -5));
        assertEquals(Errno.ISDIR, h.call("fd_filestat_set_size", 3, 0));
        assertEquals(Errno.SPIPE, h.call("fd_filestat_set_size", 1, 0));
        int ro = h.open(3, "z", 0, READ);
        assertEquals(Errno.BADF, h.call("fd_filestat_set_size", ro, 0));
    }

    @Test
    void fdPrestatDescribesPreopenedDirectoriesOnly() {
        WasiHarness h = new WasiHarness();
        int p = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_prestat_get", 3, p));
        assertEquals(Abi.PREOPENTYPE_DIR, h.mem.readU8(p));
        assertEquals(1, h.u32(p + 4));
        int name = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_prestat_dir_name", 3, name, 8));
        assertEquals("/", h.string(name, 1));
        assertEquals(Errno.BADF, h.call("fd_prestat_get", 0, p));
        assertEquals(Errno.BADF, h.call("fd_prestat_get", 4, p));
        assertEquals(Errno.BADF, h.call("fd_prestat_dir_name", 1, name, 8));
        assertEquals(Errno.NAMETOOLONG, h.call("fd_prestat_dir_name", 3, name, 0));
        assertEquals(Errno.FAULT, h.call("fd_prestat_get", 3, 65532));
        assertEquals(Errno.FAULT, h.call("fd_prestat_dir_name", 3, 65536, 1));
        int dir = h.open(3, ".", Abi.OFLAGS_DIRECTORY, READ);
        assertEquals(Errno.BADF, h.call("fd_prestat_get", dir, p));
    }

    @Test
    void fdReaddirListsDotEntriesThenSortedNamesAndResumesAtACookie() {
        WasiHarness h = new WasiHarness();
        h.call("path_create_directory", 3, h.str("b-dir"), 5);
        h.open(3, "a-file", CREAT, WRITE);
        int buf = h.alloc(512);
        int used = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_readdir", 3, buf, 512, 0, used));
        int total = h.u32(used);
        assertEquals(5 * 24 + 1 + 2 + 6 + 5 + 3, total); // and "dev", which every cell has
        assertEquals(1, h.u64(buf));
        assertEquals(1, h.u32(buf + 16));
        assertEquals(Abi.FILETYPE_DIRECTORY, h.mem.readU8(buf + 20));
        assertEquals(".", h.string(buf + 24, 1));
        int third = 24 + 1 + 24 + 2;
        assertEquals(3, h.u64(buf + third));
        assertEquals(Abi.FILETYPE_REGULAR_FILE, h.mem.readU8(buf + third + 20));
        assertEquals("a-file", h.string(buf + third + 24, 6));
        assertEquals(Errno.SUCCESS, h.call("fd_readdir", 3, buf, 512, 3, used));
        assertEquals(24 + 5 + 24 + 3, h.u32(used));
        assertEquals("b-dir", h.string(buf + 24, 5));
        assertEquals(Abi.FILETYPE_DIRECTORY, h.mem.readU8(buf + 20));
        assertEquals(Errno.SUCCESS, h.call("fd_readdir", 3, buf, 512, 5, used));
        assertEquals(0, h.u32(used));
    }

    @Test
    void fdReaddirFillsASmallBufferToTheLastByte() {
        WasiHarness h = new WasiHarness();
        h.open(3, "some-long-name", CREAT, WRITE);
        int buf = h.alloc(64);
        int used = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_readdir", 3, buf, 30, 0, used));
        assertEquals(30, h.u32(used));
        assertEquals(Errno.NOTDIR, h.call("fd_readdir", 1, buf, 30, 0, used));
        assertEquals(Errno.FAULT, h.call("fd_readdir", 3, 65530, 30, 0, used));
        assertEquals(Errno.BADF, h.call("fd_readdir", 9, buf, 30, 0, used));
    }

    @Test
    void fdRenumberMovesADescriptorOverAnOpenOne() {
        WasiHarness h = new WasiHarness();
        int a = h.open(3, "a", CREAT, WRITE);
        int b = h.open(3, "b", CREAT, WRITE);
        assertEquals(Errno.SUCCESS, h.call("fd_renumber", a, b));
        assertEquals(Errno.BADF, h.write(a, "x"));
        assertEquals(Errno.SUCCESS, h.write(b, "into a"));
        assertEquals("into a", h.read(h.open(3, "a", 0, READ), 10));
        assertEquals(Errno.BADF, h.call("fd_renumber", 99, b));
        assertEquals(Errno.BADF, h.call("fd_renumber", b, 60));
    }
}
