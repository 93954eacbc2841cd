package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.WasiHarness.CREAT;
import static dev.cella.sandbox.wasi.WasiHarness.DIRECTORY;
import static dev.cella.sandbox.wasi.WasiHarness.EXCL;
import static dev.cella.sandbox.wasi.WasiHarness.READ;
import static dev.cella.sandbox.wasi.WasiHarness.TRUNC;
import static dev.cella.sandbox.wasi.WasiHarness.WRITE;
import static dev.cella.sandbox.wasi.WasiHarness.len;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.fs.FsError;
import dev.cella.sandbox.fs.FsException;
import dev.cella.sandbox.fs.FsMeter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The character devices of {@code /dev}: each device through each call that reaches it. */
class DevicesTest {
    /** A meter that refuses every write and creation: devices must never ask it before writing. */
    private static final FsMeter FULL_DISK = new FsMeter() {
        @Override
        public void beforeWrite(long bytes) {
            throw new FsException(FsError.DQUOT, "test quota");
        }

        @Override
        public void beforeCreate() {
            throw new FsException(FsError.DQUOT, "test quota");
        }

        @Override
        public void afterRead(long bytes) {}
    };

    /** Reads {@code n} bytes from {@code fd} into a buffer first filled with 0x55; returns what fd_read left there. */
    private static byte[] readBytes(WasiHarness h, int fd, int n, int[] got) {
        int buf = h.alloc(n);
        byte[] fill = new byte[n];
        Arrays.fill(fill, (byte) 0x55);
        h.mem.write(buf, fill, 0, n);
        int nread = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_read", fd, h.iov(buf, n), 1, nread));
        got[0] = h.u32(nread);
        return h.mem.slice(buf, n);
    }

    private static int writeCount(WasiHarness h, int fd, String text) {
        int nwritten = h.alloc(4);
        int e = h.call("fd_write", fd, h.iov(h.str(text), len(text)), 1, nwritten);
        return e == Errno.SUCCESS ? h.u32(nwritten) : -e;
    }

    @Test
    void devNullReadsEndOfFileAndSwallowsWritesWithoutQuotaOrOutput() {
        WasiHarness h = WasiHarness.builder().meter(FULL_DISK).build();
        int fd = h.open(3, "dev/null", 0, WRITE);
        int[] got = new int[1];
        byte[] b = readBytes(h, fd, 16, got);
        assertEquals(0, got[0]);
        assertEquals(0x55, b[0] & 0xff);
        assertEquals(5, writeCount(h, fd, "hello"), "the disk quota is used up, yet /dev/null takes the write");
        assertEquals(0, h.wasi.stats.stdoutWritten + h.wasi.stats.stderrWritten);
        assertEquals("", h.out.toString());
    }

    @Test
    void devZeroGivesZerosAndTakesWrites() {
        WasiHarness h = WasiHarness.builder().meter(FULL_DISK).build();
        int fd = h.open(3, "dev/zero", 0, WRITE);
        int[] got = new int[1];
        byte[] b = readBytes(h, fd, 100, got);
        assertEquals(100, got[0]);
        assertArrayEquals(new byte[100], b);
        assertEquals(3, writeCount(h, fd, "abc"));
    }

    @Test
    void devFullGivesZerosAndRefusesWritesWithNospc() {
        WasiHarness h = WasiHarness.builder().build();
        int fd = h.open(3, "dev/full", 0, WRITE);
        int[] got = new int[1];
        assertArrayEquals(new byte[40], readBytes(h, fd, 40, got));
        assertEquals(40, got[0]);
        assertEquals(-Errno.NOSPC, writeCount(h, fd, "x"));
        assertEquals(Errno.NOSPC, h.call("fd_pwrite", fd, h.iov(h.str("y"), 1), 1, 0, h.alloc(4)));
    }

    @Test
    void devUrandomReadsTheCellsRandomStream() {
        WasiHarness h = WasiHarness.builder().seed(42).build();
        int fd = h.open(3, "dev/urandom", 0, READ);
        int[] got = new int[1];
        byte[] fromDevice = readBytes(h, fd, 24, got);
        assertEquals(24, got[0]);
        WasiHarness same = WasiHarness.builder().seed(42).build();
        int buf = same.alloc(24);
        assertEquals(Errno.SUCCESS, same.call("random_get", buf, 24));
        assertArrayEquals(same.mem.slice(buf, 24), fromDevice, "the device is random_get's stream");
        assertNotEquals(Arrays.toString(fromDevice), Arrays.toString(readBytes(h, fd, 24, got)), "the stream moves on");
        WasiHarness other = WasiHarness.builder().seed(43).build();
        int ofd = other.open(3, "dev/urandom", 0, READ);
        assertNotEquals(Arrays.toString(fromDevice), Arrays.toString(readBytes(other, ofd, 24, got)));
    }

    @Test
    void filestatAndFdstatReportCharacterDevices() {
        WasiHarness h = WasiHarness.builder().build();
        for (String name : List.of("null", "zero", "full", "urandom")) {
            int st = h.alloc(64);
            String path = "dev/" + name;
            assertEquals(Errno.SUCCESS, h.call("path_filestat_get", 3, 1, h.str(path), len(path), st));
            assertEquals(Abi.FILETYPE_CHARACTER_DEVICE, h.mem.readU8(st + 16), path);
            assertEquals(0, h.u64(st + 32), path + " size");
            int fd = h.open(3, path, 0, READ);
            int fst = h.alloc(64);
            assertEquals(Errno.SUCCESS, h.call("fd_filestat_get", fd, fst));
            assertEquals(Abi.FILETYPE_CHARACTER_DEVICE, h.mem.readU8(fst + 16), path);
            assertEquals(h.u64(st + 8), h.u64(fst + 8), path + " ino");
            int fdstat = h.alloc(24);
            assertEquals(Errno.SUCCESS, h.call("fd_fdstat_get", fd, fdstat));
            assertEquals(Abi.FILETYPE_CHARACTER_DEVICE, h.mem.readU8(fdstat), path);
        }
    }

    @Test
    void readdirOfDevListsTheDevices() {
        WasiHarness h = WasiHarness.builder().build();
        int dir = h.open(3, "dev", DIRECTORY, READ);
        int buf = h.alloc(1024);
        int used = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("fd_readdir", dir, buf, 1024, 0, used));
        List<String> names = new ArrayList<>();
        for (int p = buf; p < buf + h.u32(used); ) {
            int nameLen = h.u32(p + 16);
            String name = h.string(p + 24, nameLen);
            if (!name.equals(".") && !name.equals("..")) {
                names.add(name);
                assertEquals(Abi.FILETYPE_CHARACTER_DEVICE, h.mem.readU8(p + 20), name);
            }
            p += 24 + nameLen;
        }
        assertEquals(List.of("full", "null", "urandom", "zero"), names);
    }

    @Test
    void openFlagsOnDevices() {
        WasiHarness h = WasiHarness.builder().meter(FULL_DISK).build();
        h.open(3, "dev/null", CREAT, WRITE); // exists: O_CREAT alone opens it, creating nothing
        h.open(3, "dev/zero", TRUNC, WRITE); // O_TRUNC does nothing to a device
        assertEquals(Errno.EXIST, h.openErrno(3, "dev/null", 1, CREAT | EXCL, WRITE));
        assertEquals(Errno.NOTDIR, h.openErrno(3, "dev/null", 1, DIRECTORY, READ));
        assertEquals(Errno.NOENT, h.openErrno(3, "dev/random", 1, 0, READ));
        int fd = h.open(3, "dev/zero", 0, WRITE);
        assertEquals(Errno.INVAL, h.call("fd_filestat_set_size", fd, 10));
    }

    @Test
    void theGuestCannotRemoveRenameOrReplaceADevice() {
        WasiHarness h = WasiHarness.builder().build();
        assertEquals(Errno.PERM, h.call("path_unlink_file", 3, h.str("dev/null"), len("dev/null")));
        assertEquals(Errno.PERM, h.call("path_rename", 3, h.str("dev/null"), len("dev/null"), 3, h.str("n"), 1));
        h.write(h.open(3, "f", CREAT, WRITE), "data");
        assertEquals(Errno.PERM, h.call("path_rename", 3, h.str("f"), 1, 3, h.str("dev/zero"), len("dev/zero")));
        assertEquals(Errno.BUSY, h.call("path_rename", 3, h.str("dev"), 3, 3, h.str("d2"), 2));
        assertEquals(Errno.NOTEMPTY, h.call("path_remove_directory", 3, h.str("dev"), 3));
        assertEquals(Errno.EXIST, h.call("path_symlink", h.str("f"), 1, 3, h.str("dev/null"), len("dev/null")));
        assertEquals(Errno.EXIST, h.call("path_create_directory", 3, h.str("dev/full"), len("dev/full")));
        int fd = h.open(3, "dev/null", 0, WRITE);
        assertEquals(4, writeCount(h, fd, "still".substring(1)));
        int st = h.alloc(64);
        assertEquals(Errno.SUCCESS, h.call("path_filestat_get", 3, 1, h.str("f"), 1, st));
        assertEquals(4, h.u64(st + 32), "the file survived the refused rename");
    }

    @Test
    void aHugeReadOfDevZeroCostsWhatTheSameReadOfAFileCosts() {
        int n = 20_000;
        WasiHarness a = WasiHarness.builder().build();
        int fileFd = a.open(3, "big", CREAT, WRITE);
        int buf = a.alloc(n);
        assertEquals(Errno.SUCCESS, a.call("fd_pwrite", fileFd, a.iov(buf, n), 1, 0, a.alloc(4)));
        long fileCost = fuelOfRead(a, fileFd, n);
        WasiHarness b = WasiHarness.builder().build();
        long zeroCost = fuelOfRead(b, b.open(3, "dev/zero", 0, READ), n);
        long smallCost = fuelOfRead(b, b.open(3, "dev/zero", 0, READ), 8);
        assertEquals(fileCost, zeroCost);
        assertTrue(zeroCost > smallCost, zeroCost + " vs " + smallCost);
    }

    private static long fuelOfRead(WasiHarness h, int fd, int n) {
        int buf = h.alloc(n);
        int iov = h.iov(buf, n);
        int nread = h.alloc(4);
        long before = h.instance.fuelRemaining();
        assertEquals(Errno.SUCCESS, h.call("fd_pread", fd, iov, 1, 0, nread));
        assertEquals(n, h.u32(nread));
        return before - h.instance.fuelRemaining();
    }

    @Test
    void anOpenUrandomSurvivesACheckpointWithTheSameBytesAsAnUninterruptedRun() {
        WasiHarness straight = WasiHarness.builder().seed(9).build();
        int sfd = straight.open(3, "dev/urandom", 0, READ);
        int[] got = new int[1];
        byte[] first = readBytes(straight, sfd, 16, got);
        byte[] second = readBytes(straight, sfd, 16, got);

        WasiHarness before = WasiHarness.builder().seed(9).build();
        int fd = before.open(3, "dev/urandom", 0, READ);
        assertArrayEquals(first, readBytes(before, fd, 16, got));
        Wasi.State state = before.wasi.state();
        WasiHarness after = WasiHarness.builder().seed(9).build();
        after.wasi.restore(state);
        assertArrayEquals(second, readBytes(after, fd, 16, got), "the restored descriptor continues the stream");
        int st = after.alloc(64);
        assertEquals(Errno.SUCCESS, after.call("fd_filestat_get", fd, st));
        assertEquals(Abi.FILETYPE_CHARACTER_DEVICE, after.mem.readU8(st + 16));
    }

    @Test
    void aMountAtDevTakesThePlaceOfTheDevices(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("mine"), "host");
        WasiHarness h = WasiHarness.builder().mount(tmp, "/dev", false).build();
        assertEquals(Errno.NOENT, h.openErrno(3, "dev/null", 1, 0, READ));
        assertEquals("host", h.read(h.open(3, "dev/mine", 0, READ), 10));
    }
}
