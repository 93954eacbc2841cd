package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.WasiHarness.CREAT;
import static dev.cella.sandbox.wasi.WasiHarness.DIRECTORY;
import static dev.cella.sandbox.wasi.WasiHarness.EXCL;
import static dev.cella.sandbox.wasi.WasiHarness.READ;
import static dev.cella.sandbox.wasi.WasiHarness.TRUNC;
import static dev.cella.sandbox.wasi.WasiHarness.WRITE;
import static dev.cella.sandbox.wasi.WasiHarness.len;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WASI conformance for the path calls, in memory and on mounted host directories. */
class WasiPathCallsTest {
    @TempDir
    Path tmp;

    private int mkdir(WasiHarness h, int fd, String path) {
        return h.call("path_create_directory", fd, h.str(path), len(path));
    }

    private int rmdir(WasiHarness h, int fd, String path) {
        return h.call("path_remove_directory", fd, h.str(path), len(path));
    }

    private int unlink(WasiHarness h, int fd, String path) {
        return h.call("path_unlink_file", fd, h.str(path), len(path));
    }

    private int rename(WasiHarness h, int fd, String from, int toFd, String to) {
        return h.call("path_rename", fd, h.str(from), len(from), toFd, h.str(to), len(to));
    }

    private int symlink(WasiHarness h, String target, int fd, String path) {
        return h.call("path_symlink", h.str(target), len(target), fd, h.str(path), len(path));
    }

    @Test
    void pathOpenCreatesAFileThatReadsBack() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "new.txt", CREAT, WRITE);
        h.write(fd, "content");
        assertEquals("content", h.read(h.open(3, "new.txt", 0, READ), 20));
        assertEquals(2, h.wasi.stats().filesOpened());
    }

    @Test
    void pathOpenReportsMissingExistingAndWrongKinds() {
        WasiHarness h = new WasiHarness();
        h.open(3, "f", CREAT, WRITE);
        mkdir(h, 3, "d");
        assertEquals(Errno.NOENT, h.openErrno(3, "missing", 1, 0, READ));
        assertEquals(Errno.EXIST, h.openErrno(3, "f", 1, CREAT | EXCL, READ));
        assertEquals(Errno.NOTDIR, h.openErrno(3, "f", 1, DIRECTORY, READ));
        assertEquals(Errno.NOTDIR, h.openErrno(3, "f/", 1, 0, READ));
        assertEquals(Errno.ISDIR, h.openErrno(3, "d", 1, 0, WRITE));
        assertEquals(Errno.ISDIR, h.openErrno(3, "new/", 1, CREAT, WRITE));
        assertEquals(Errno.NOENT, h.openErrno(3, "d/x/y", 1, CREAT, WRITE));
        assertEquals(Errno.NOTDIR, h.openErrno(h.open(3, "f", 0, READ), "x", 1, 0, READ));
        assertEquals(Errno.BADF, h.openErrno(42, "f", 1, 0, READ));
        assertEquals(Errno.INVAL, h.openErrno(3, "f", 1, 0x10, READ));
        assertEquals(Errno.NOENT, h.openErrno(3, "", 1, 0, READ));
    }

    @Test
    void pathOpenOfADirectoryGivesADirectoryDescriptor() {
        WasiHarness h = new WasiHarness();
        mkdir(h, 3, "d");
        int d = h.open(3, "d", DIRECTORY, READ);
        h.open(d, "inner", CREAT, WRITE);
        int buf = h.alloc(256);
        int used = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_readdir", d, buf, 256, 2, used));
        assertEquals("inner", h.string(buf + 24, 5));
    }

    @Test
    void pathOpenTruncatesWithTrunc() {
        WasiHarness h = new WasiHarness();
        h.write(h.open(3, "t", CREAT, WRITE), "long content");
        h.write(h.open(3, "t", TRUNC, WRITE), "x");
        assertEquals("x", h.read(h.open(3, "t", 0, READ), 20));
    }

    @Test
    void pathArgumentsAreCheckedForFaultsEncodingNulAndLength() {
        WasiHarness h = new WasiHarness();
        int fdPtr = h.alloc(4);
        assertEquals(Errno.FAULT, h.call("path_open", 3, 1, 65530, 10, CREAT, WRITE, WRITE, 0, fdPtr));
        assertEquals(Errno.FAULT, h.call("path_open", 3, 1, h.str("x"), 1, CREAT, WRITE, WRITE, 0, 65535));
        int bad = h.bytes(new byte[] {'a', (byte) 0xFF, 'b'});
        assertEquals(Errno.ILSEQ, h.call("path_open", 3, 1, bad, 3, CREAT, WRITE, WRITE, 0, fdPtr));
        int nul = h.bytes("a\0b".getBytes(StandardCharsets.UTF_8));
        assertEquals(Errno.INVAL, h.call("path_open", 3, 1, nul, 3, CREAT, WRITE, WRITE, 0, fdPtr));
        assertEquals(Errno.NAMETOOLONG, h.call("path_open", 3, 1, h.alloc(5000), 5000, CREAT, WRITE, WRITE, 0, fdPtr));
        assertEquals(Errno.NAMETOOLONG, h.call("path_open", 3, 1, 0, 0xFFFFFFFFL, CREAT, WRITE, WRITE, 0, fdPtr));
        String longName = "n".repeat(256);
        assertEquals(Errno.NAMETOOLONG, h.openErrno(3, longName, 1, CREAT, WRITE));
        assertEquals(Errno.NOENT, h.openErrno(3, "n".repeat(255), 1, 0, READ));
    }

    @Test
    void absolutePathsAndDotDotAboveTheDirectoryAreNotCapable() {
        WasiHarness h = new WasiHarness();
        mkdir(h, 3, "d");
        int d = h.open(3, "d", DIRECTORY, READ);
        assertEquals(Errno.NOTCAPABLE, h.openErrno(3, "/etc/passwd", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(3, "../etc/passwd", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(3, "d/../../x", 1, CREAT, WRITE));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(d, "..", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, mkdir(h, d, "../escape"));
        h.open(3, "d/../top", CREAT, WRITE);
    }

    @Test
    void createAndRemoveDirectoriesWithTheirErrors() {
        WasiHarness h = new WasiHarness();
        assertEquals(Errno.SUCCESS, mkdir(h, 3, "a"));
        assertEquals(Errno.EXIST, mkdir(h, 3, "a"));
        assertEquals(Errno.EXIST, mkdir(h, 3, "."));
        assertEquals(Errno.NOENT, mkdir(h, 3, "b/c"));
        assertEquals(Errno.SUCCESS, mkdir(h, 3, "a/b/"));
        assertEquals(Errno.NOTEMPTY, rmdir(h, 3, "a"));
        assertEquals(Errno.SUCCESS, rmdir(h, 3, "a/b"));
        h.open(3, "a/f", CREAT, WRITE);
        assertEquals(Errno.NOTDIR, rmdir(h, 3, "a/f"));
        assertEquals(Errno.NOENT, rmdir(h, 3, "a/none"));
        assertEquals(Errno.INVAL, rmdir(h, 3, "a/."));
        assertEquals(Errno.FAULT, h.call("path_create_directory", 3, 65535, 4));
        assertEquals(Errno.NOTDIR, h.call("path_create_directory", 1, h.str("x"), 1));
    }

    @Test
    void unlinkRemovesFilesButNotDirectories() {
        WasiHarness h = new WasiHarness();
        h.open(3, "f", CREAT, WRITE);
        mkdir(h, 3, "d");
        assertEquals(Errno.ISDIR, unlink(h, 3, "d"));
        assertEquals(Errno.SUCCESS, unlink(h, 3, "f"));
        assertEquals(Errno.NOENT, unlink(h, 3, "f"));
        assertEquals(Errno.NOENT, h.openErrno(3, "f", 1, 0, READ));
    }

    @Test
    void renameMovesAndReplacesAsPosixDoes() {
        WasiHarness h = new WasiHarness();
        h.write(h.open(3, "a", CREAT, WRITE), "A");
        h.write(h.open(3, "b", CREAT, WRITE), "B");
        mkdir(h, 3, "d");
        mkdir(h, 3, "e");
        h.open(3, "e/x", CREAT, WRITE);
        assertEquals(Errno.SUCCESS, rename(h, 3, "a", 3, "b"));
        assertEquals("A", h.read(h.open(3, "b", 0, READ), 4));
        assertEquals(Errno.NOENT, rename(h, 3, "a", 3, "c"));
        assertEquals(Errno.NOTDIR, rename(h, 3, "d", 3, "b"));
        assertEquals(Errno.ISDIR, rename(h, 3, "b", 3, "d"));
        assertEquals(Errno.NOTEMPTY, rename(h, 3, "d", 3, "e"));
        assertEquals(Errno.INVAL, rename(h, 3, "d", 3, "d/inside"));
        assertEquals(Errno.NOTDIR, rename(h, 3, "d", 3, "e/x/../moved"));
        assertEquals(Errno.SUCCESS, rename(h, 3, "d", 3, "e/../e/moved"));
        assertEquals(Errno.SUCCESS, mkdir(h, 3, "e/moved/ok"));
        assertEquals(Errno.SUCCESS, rename(h, 3, "b", 3, "b"));
    }

    @Test
    void filestatFollowsSymlinksOnlyWhenAsked() {
        WasiHarness h = new WasiHarness();
        h.write(h.open(3, "target", CREAT, WRITE), "12345");
        assertEquals(Errno.SUCCESS, symlink(h, "target", 3, "link"));
        int st = h.alloc(64);
        assertEquals(Errno.SUCCESS, h.call("path_filestat_get", 3, 1, h.str("link"), 4, st));
        assertEquals(Abi.FILETYPE_REGULAR_FILE, h.mem.readU8(st + 16));
        assertEquals(5, h.u64(st + 32));
        assertEquals(Errno.SUCCESS, h.call("path_filestat_get", 3, 0, h.str("link"), 4, st));
        assertEquals(7, h.mem.readU8(st + 16));
        assertEquals(6, h.u64(st + 32));
        assertEquals(Errno.NOENT, h.call("path_filestat_get", 3, 1, h.str("none"), 4, st));
        assertEquals(Errno.FAULT, h.call("path_filestat_get", 3, 1, h.str("link"), 4, 65535));
        assertEquals(Errno.SUCCESS, h.call("path_filestat_get", 3, 1, h.str("."), 1, st));
        assertEquals(Abi.FILETYPE_DIRECTORY, h.mem.readU8(st + 16));
    }

    @Test
    void readlinkReturnsTheTargetCutToTheBuffer() {
        WasiHarness h = new WasiHarness();
        symlink(h, "some/target", 3, "l");
        int buf = h.alloc(32);
        int used = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("path_readlink", 3, h.str("l"), 1, buf, 32, used));
        assertEquals("some/target", h.string(buf, h.u32(used)));
        assertEquals(Errno.SUCCESS, h.call("path_readlink", 3, h.str("l"), 1, buf, 4, used));
        assertEquals(4, h.u32(used));
        h.open(3, "file", CREAT, WRITE);
        assertEquals(Errno.INVAL, h.call("path_readlink", 3, h.str("file"), 4, buf, 32, used));
        assertEquals(Errno.NOENT, h.call("path_readlink", 3, h.str("none"), 4, buf, 32, used));
        assertEquals(Errno.FAULT, h.call("path_readlink", 3, h.str("l"), 1, 65530, 32, used));
    }

    @Test
    void symlinksResolveInsideButNeverAboveTheirDirectory() {
        WasiHarness h = new WasiHarness();
        mkdir(h, 3, "d");
        h.write(h.open(3, "d/f", CREAT, WRITE), "inside");
        assertEquals(Errno.SUCCESS, symlink(h, "d/f", 3, "ok"));
        assertEquals("inside", h.read(h.open(3, "ok", 0, READ), 10));
        assertEquals(Errno.EXIST, symlink(h, "d", 3, "ok"));
        assertEquals(Errno.NOTCAPABLE, symlink(h, "/", 3, "root"));
        assertEquals(Errno.NOTCAPABLE, symlink(h, "../..", 3, "up"));
        assertEquals(Errno.NOTCAPABLE, symlink(h, "d/../../x", 3, "up2"));
        assertEquals(Errno.NOENT, symlink(h, "", 3, "empty"));
        assertEquals(Errno.SUCCESS, symlink(h, "..", 3, "d/parent"));
        int d = h.open(3, "d", DIRECTORY, READ);
        assertEquals(Errno.NOTCAPABLE, h.openErrno(d, "parent/d/f", 1, 0, READ));
        assertEquals("inside", h.read(h.open(3, "d/parent/d/f", 0, READ), 10));
        assertEquals(Errno.LOOP, h.openErrno(3, "ok", 0, 0, READ));
    }

    @Test
    void aSymlinkLoopIsLoop() {
        WasiHarness h = new WasiHarness();
        symlink(h, "b", 3, "a");
        symlink(h, "a", 3, "b");
        symlink(h, "self/x", 3, "self");
        assertEquals(Errno.LOOP, h.openErrno(3, "a", 1, 0, READ));
        assertEquals(Errno.LOOP, h.openErrno(3, "self", 1, 0, READ));
        assertEquals(Errno.LOOP, h.call("path_filestat_get", 3, 1, h.str("a"), 1, h.alloc(64)));
    }

    @Test
    void aMountedFileReadsAndANewFileIsWrittenToTheHost() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(host.resolve("in.txt"), "from the host");
        WasiHarness h = WasiHarness.builder().mount(host, "/data", false).build();
        assertEquals("from the host", h.read(h.open(4, "in.txt", 0, READ), 64));
        assertEquals("from the host", h.read(h.open(3, "data/in.txt", 0, READ), 64));
        int out = h.open(4, "out.txt", CREAT, WRITE);
        h.write(out, "from the guest");
        assertEquals("from the guest", Files.readString(host.resolve("out.txt")));
        assertEquals("from the guest", h.read(h.open(4, "out.txt", 0, READ), 64));
        int p = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("fd_prestat_get", 4, p));
        assertEquals(5, h.u32(p + 4));
    }

    @Test
    void mountedDirectoriesSupportEveryPathCall() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("rw"));
        WasiHarness h = WasiHarness.builder().mount(host, "/rw", false).build();
        assertEquals(Errno.SUCCESS, mkdir(h, 4, "sub"));
        assertTrue(Files.isDirectory(host.resolve("sub")));
        h.write(h.open(4, "sub/f", CREAT, WRITE), "x");
        assertEquals(Errno.SUCCESS, rename(h, 4, "sub/f", 4, "g"));
        assertEquals("x", Files.readString(host.resolve("g")));
        assertEquals(Errno.SUCCESS, symlink(h, "g", 4, "sub/../link"));
        assertEquals("g", Files.readSymbolicLink(host.resolve("link")).toString());
        assertEquals("x", h.read(h.open(4, "link", 0, READ), 4));
        assertEquals(Errno.SUCCESS, unlink(h, 4, "link"));
        assertEquals(Errno.SUCCESS, unlink(h, 4, "g"));
        assertEquals(Errno.SUCCESS, rmdir(h, 4, "sub"));
        assertEquals(Errno.BUSY, rmdir(h, 3, "rw"));
        assertEquals(Errno.BUSY, rename(h, 3, "rw", 3, "elsewhere"));
        h.open(3, "memfile", CREAT, WRITE);
        assertEquals(Errno.XDEV, rename(h, 3, "memfile", 4, "moved"));
        try (var s = Files.list(host)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void aReadOnlyMountIsNeverWrittenTruncatedCreatedInOrRenamed() throws IOException {
        Path host = Files.createDirectory(tmp.resolve("ro"));
        Files.writeString(host.resolve("keep.txt"), "original");
        Files.createDirectory(host.resolve("dir"));
        WasiHarness h = WasiHarness.builder().mount(host, "/ro", true).build();
        assertEquals("original", h.read(h.open(4, "keep.txt", 0, READ), 20));
        assertEquals(Errno.ROFS, h.openErrno(4, "keep.txt", 1, 0, WRITE));
        assertEquals(Errno.ROFS, h.openErrno(4, "keep.txt", 1, TRUNC, READ));
        assertEquals(Errno.ROFS, h.openErrno(4, "new.txt", 1, CREAT, READ));
        assertEquals(Errno.ROFS, mkdir(h, 4, "newdir"));
        assertEquals(Errno.ROFS, rmdir(h, 4, "dir"));
        assertEquals(Errno.ROFS, unlink(h, 4, "keep.txt"));
        assertEquals(Errno.ROFS, symlink(h, "keep.txt", 4, "l"));
        assertEquals(Errno.ROFS, rename(h, 4, "keep.txt", 4, "moved.txt"));
        h.open(3, "mem", CREAT, WRITE);
        assertEquals(Errno.ROFS, rename(h, 3, "mem", 3, "ro/mem"));
        assertEquals(Errno.ROFS, rename(h, 3, "ro/keep.txt", 3, "stolen"));
        int fd = h.open(4, "keep.txt", 0, READ);
        assertEquals(Errno.BADF, h.write(fd, "overwrite"));
        assertEquals(Errno.BADF, h.call("fd_filestat_set_size", fd, 0));
        assertEquals("original", Files.readString(host.resolve("keep.txt")));
        try (var s = Files.list(host)) {
            assertEquals(2, s.count());
        }
        assertFalse(Files.exists(host.resolve("new.txt")));
    }
}
