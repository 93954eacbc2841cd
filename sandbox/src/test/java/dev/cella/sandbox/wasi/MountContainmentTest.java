package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.WasiHarness.CREAT;
import static dev.cella.sandbox.wasi.WasiHarness.READ;
import static dev.cella.sandbox.wasi.WasiHarness.WRITE;
import static dev.cella.sandbox.wasi.WasiHarness.len;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing outside a mount is reachable through it: not by {@code ..}, not by absolute paths, not
 * by symbolic links the host planted or the guest made, however they are combined.
 */
class MountContainmentTest {
    @TempDir
    Path tmp;
    Path host;
    Path secret;

    @BeforeEach
    void plant() throws IOException {
        host = Files.createDirectory(tmp.resolve("mounted"));
        secret = Files.writeString(tmp.resolve("secret.txt"), "host secret");
        Files.writeString(host.resolve("file.txt"), "public");
        Files.createDirectory(host.resolve("sub"));
        Files.createSymbolicLink(host.resolve("abs"), secret);
        Files.createSymbolicLink(host.resolve("rel"), Path.of("../secret.txt"));
        Files.createSymbolicLink(host.resolve("sub/up"), Path.of("../.."));
        Files.createSymbolicLink(host.resolve("root"), Path.of("/"));
        Files.createSymbolicLink(host.resolve("good"), Path.of("sub/../file.txt"));
        Files.createSymbolicLink(host.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(host.resolve("loop2"), Path.of("loop1"));
    }

    private WasiHarness harness(boolean readOnly) {
        return WasiHarness.builder().mount(host, "/m", readOnly).build();
    }

    @Test
    void dotDotAndAbsolutePathsCannotLeaveTheMount() {
        WasiHarness h = harness(false);
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "../secret.txt", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "sub/../../secret.txt", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, secret.toString(), 1, 0, READ));
        assertEquals(Errno.NOENT, h.openErrno(3, "m/../secret.txt", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(3, "m/../../secret.txt", 1, 0, READ));
    }

    @Test
    void symlinksPlantedOnTheHostArePinnedInsideTheMount() {
        WasiHarness h = harness(false);
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "abs", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "rel", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "root", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "sub/up/secret.txt", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "abs", 1, CREAT, WRITE));
        assertEquals(Errno.NOENT, h.openErrno(3, "m/rel", 1, 0, READ));
        assertEquals("public", h.read(h.open(4, "good", 0, READ), 16));
        assertEquals(Errno.LOOP, h.openErrno(4, "loop1", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.call("path_filestat_get", 4, 1, h.str("abs"), 3, h.alloc(64)));
        assertEquals(Errno.SUCCESS, h.call("path_filestat_get", 4, 0, h.str("abs"), 3, h.alloc(64)));
    }

    @Test
    void writingThroughAPlantedSymlinkNeverTouchesItsTarget() {
        WasiHarness h = harness(false);
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "rel", 1, Abi.OFLAGS_TRUNC, WRITE));
        assertEquals(Errno.LOOP, h.openErrno(4, "rel", 0, Abi.OFLAGS_TRUNC, WRITE));
        assertEquals(Errno.NOTCAPABLE, h.call("path_create_directory", 4, h.str("root/tmp/x"), 10));
        assertEquals(Errno.SUCCESS, h.call("path_unlink_file", 4, h.str("rel"), 3));
        assertEquals("host secret", readSecret());
        assertFalse(Files.exists(host.resolve("rel"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void guestMadeSymlinksCannotPointOutOfTheMount() throws IOException {
        WasiHarness h = harness(false);
        assertEquals(Errno.NOTCAPABLE, symlink(h, "/", 4, "slash"));
        assertEquals(Errno.NOTCAPABLE, symlink(h, "../..", 4, "up"));
        assertEquals(Errno.NOTCAPABLE, symlink(h, "sub/../..", 4, "up2"));
        assertEquals(Errno.NOTCAPABLE, symlink(h, secret.toString(), 4, "abs2"));
        assertFalse(Files.exists(host.resolve("slash"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(host.resolve("up"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aGuestSymlinkMovedUpTheTreeStillCannotLeaveTheMount() throws IOException {
        WasiHarness h = harness(false);
        assertEquals(Errno.SUCCESS, h.call("path_create_directory", 4, h.str("sub/deeper"), 10));
        assertEquals(Errno.SUCCESS, symlink(h, "../..", 4, "sub/deeper/top"));
        assertEquals("public", h.read(h.open(4, "sub/deeper/top/file.txt", 0, READ), 16));
        // Renaming the link itself up the tree, where it would point out of the mount, is refused.
        String from = "sub/deeper/top";
        assertEquals(Errno.NOTCAPABLE, h.call("path_rename", 4, h.str(from), len(from), 4, h.str("moved"), 5));
        // Its directory can move up, taking the link along; the sandbox still never follows it out.
        String dir = "sub/deeper";
        assertEquals(Errno.SUCCESS, h.call("path_rename", 4, h.str(dir), len(dir), 4, h.str("moved"), 5));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "moved/top/secret.txt", 1, 0, READ));
        // Through fd 3 the link climbs to the in-memory '/', which has no secret.txt.
        assertEquals(Errno.NOENT, h.openErrno(3, "m/moved/top/secret.txt", 1, 0, READ));
        assertEquals(Errno.NOTCAPABLE, h.openErrno(4, "moved/top/mounted/file.txt", 1, 0, READ));
        assertEquals("host secret", readSecret());
    }

    @Test
    void aReadOnlyMountRefusesWritesEvenThroughSymlinks() throws IOException {
        WasiHarness h = harness(true);
        assertEquals(Errno.ROFS, h.openErrno(4, "good", 1, 0, WRITE));
        assertEquals(Errno.ROFS, h.openErrno(4, "good", 1, Abi.OFLAGS_TRUNC, READ));
        assertEquals("public", Files.readString(host.resolve("file.txt")));
    }

    @Test
    void aDirectoryDescriptorCannotBeTurnedIntoAnEscapeByReplacingItsDirectory() throws IOException {
        WasiHarness h = harness(false);
        int sub = h.open(4, "sub", Abi.OFLAGS_DIRECTORY, READ);
        // The host swaps the directory for a link to the outside while the guest holds a descriptor.
        Files.delete(host.resolve("sub/up"));
        Files.delete(host.resolve("sub"));
        Files.createSymbolicLink(host.resolve("sub"), tmp);
        assertEquals(Errno.NOTDIR, h.openErrno(sub, "secret.txt", 1, 0, READ));
        assertEquals(Errno.NOTDIR, h.call("fd_readdir", sub, h.alloc(64), 64, 0, h.alloc(4)));
    }

    private int symlink(WasiHarness h, String target, int fd, String path) {
        return h.call("path_symlink", h.str(target), len(target), fd, h.str(path), len(path));
    }

    private String readSecret() {
        try {
            return Files.readString(secret);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
