package dev.cella.sandbox.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtual filesystem on its own: resolution, metering, in-memory semantics, mounts. */
class VirtualFileSystemTest {
    @TempDir
    Path tmp;

    /** Counts what the filesystem asks of its meter; refuses writes past {@code diskLimit}. */
    static final class CountingMeter implements FsMeter {
        long written;
        long read;
        int created;
        long diskLimit = Long.MAX_VALUE;

        @Override
        public void beforeWrite(long bytes) {
            if (written + bytes > diskLimit) {
                throw new FsException(FsError.NOSPC, "test limit");
            }
            written += bytes;
        }

        @Override
        public void beforeCreate() {
            created++;
        }

        @Override
        public void afterRead(long bytes) {
            read += bytes;
        }
    }

    private static VirtualFileSystem memory(FsMeter meter) {
        return new VirtualFileSystem(List.of(), meter, () -> 42);
    }

    private static FileHandle create(VirtualFileSystem fs, String path) {
        return fs.open(fs.root(), path, true, VirtualFileSystem.CREATE | VirtualFileSystem.WRITE).file();
    }

    @Test
    void writesAndHolesAreChargedToTheMeterBeforeTheyHappen() {
        CountingMeter meter = new CountingMeter();
        VirtualFileSystem fs = memory(meter);
        FileHandle f = create(fs, "f");
        assertEquals(1, meter.created);
        f.write(0, "abc".getBytes(StandardCharsets.UTF_8), 0, 3);
        f.write(10, "x".getBytes(StandardCharsets.UTF_8), 0, 1);
        assertEquals(3 + 7 + 1, meter.written);
        assertEquals(11, f.size());
        f.setSize(20);
        assertEquals(20, meter.written);
        meter.diskLimit = 25;
        assertThrows(FsException.class, () -> f.write(20, new byte[6], 0, 6));
        assertEquals(20, f.size());
        byte[] buf = new byte[32];
        assertEquals(20, f.read(0, buf, 0, 32));
        assertEquals(20, meter.read);
        assertEquals(0, buf[5]);
    }

    @Test
    void aTruncatedTailReadsAsZerosWhenTheFileGrowsAgain() {
        VirtualFileSystem fs = memory(FsMeter.UNLIMITED);
        FileHandle f = create(fs, "f");
        f.write(0, "secret".getBytes(StandardCharsets.UTF_8), 0, 6);
        f.setSize(1);
        f.setSize(6);
        byte[] buf = new byte[6];
        f.read(0, buf, 0, 6);
        assertEquals("s\0\0\0\0\0", new String(buf, StandardCharsets.UTF_8));
    }

    @Test
    void anInMemoryFileCannotPassTwoGigabytes() {
        FileHandle f = create(memory(FsMeter.UNLIMITED), "big");
        FsException e = assertThrows(FsException.class, () -> f.write(Integer.MAX_VALUE, new byte[1], 0, 1));
        assertEquals(FsError.FBIG, e.error());
    }

    @Test
    void aReadOnlyHandleCannotWrite() {
        VirtualFileSystem fs = memory(FsMeter.UNLIMITED);
        create(fs, "f");
        FileHandle ro = fs.open(fs.root(), "f", true, 0).file();
        assertEquals(FsError.ROFS, assertThrows(FsException.class, () -> ro.write(0, new byte[1], 0, 1)).error());
        assertEquals(FsError.ROFS, assertThrows(FsException.class, () -> ro.setSize(0)).error());
    }

    @Test
    void aRemovedDirectoryCannotBeCreatedIn() {
        VirtualFileSystem fs = memory(FsMeter.UNLIMITED);
        fs.createDirectory(fs.root(), "d");
        Node d = fs.resolve(fs.root(), "d", true).node();
        fs.removeDirectory(fs.root(), "d");
        assertEquals(FsError.NOENT, assertThrows(FsException.class, () -> fs.createDirectory(d, "x")).error());
        assertEquals(FsError.NOENT, assertThrows(FsException.class,
                () -> fs.open(d, "f", true, VirtualFileSystem.CREATE)).error());
    }

    @Test
    void listingsAreSortedAndParentsAreKnown() {
        VirtualFileSystem fs = memory(FsMeter.UNLIMITED);
        fs.createDirectory(fs.root(), "b");
        create(fs, "c");
        fs.symlink("c", fs.root(), "a");
        List<DirEntry> list = fs.list(fs.root());
        assertEquals(List.of("a", "b", "c", "dev"), list.stream().map(DirEntry::name).toList());
        assertEquals(List.of(FileType.SYMBOLIC_LINK, FileType.DIRECTORY, FileType.REGULAR_FILE, FileType.DIRECTORY),
                list.stream().map(DirEntry::type).toList());
        Node b = fs.resolve(fs.root(), "b", true).node();
        assertEquals(fs.stat(fs.root()).ino(), fs.parentIno(b));
        assertEquals(42, fs.stat(b).mtim());
    }

    @Test
    void mountsAppearAsDirectoriesOfTheInMemoryTree() throws IOException {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Files.writeString(a.resolve("x"), "x");
        HostMount m = new HostMount(a.toRealPath(), "/deep/in/a", false, 0);
        VirtualFileSystem fs = new VirtualFileSystem(List.of(m), FsMeter.UNLIMITED, () -> 0);
        assertEquals(List.of("deep", "dev"), fs.list(fs.root()).stream().map(DirEntry::name).toList());
        Resolution r = fs.resolve(fs.root(), "deep/in/a/x", true);
        assertInstanceOf(HostNode.class, r.node());
        assertEquals(2, fs.stat(r.node()).dev());
        assertEquals(FsError.BUSY, assertThrows(FsException.class, () -> fs.removeDirectory(fs.root(), "deep/in/a"))
                .error());
        assertThrows(IllegalArgumentException.class, () -> new VirtualFileSystem(
                List.of(m, new HostMount(a.toRealPath(), "/", false, 1)), FsMeter.UNLIMITED, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new VirtualFileSystem(
                List.of(m, new HostMount(a.toRealPath(), "/deep/in/a/b", false, 1)), FsMeter.UNLIMITED, () -> 0));
    }

    @Test
    void nonRegularHostFilesCannotBeOpened() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("dev"));
        Process p = new ProcessBuilder("mkfifo", d.resolve("fifo").toString()).start();
        assertEquals(0, p.waitFor(), "mkfifo");
        VirtualFileSystem fs = new VirtualFileSystem(List.of(new HostMount(d.toRealPath(), "/d", false, 0)),
                FsMeter.UNLIMITED, () -> 0);
        assertEquals(FsError.NOTSUP, assertThrows(FsException.class, () -> fs.open(fs.root(), "d/fifo", true, 0))
                .error());
        assertEquals(FileType.UNKNOWN, fs.resolve(fs.root(), "d/fifo", false).node().type());
    }

    private static final String[] PARTS = {"a", "b", "..", ".", "up", "abs", "loop", "in", "file.txt", "secret.txt",
        "mounted", "out"};

    /**
     * Whatever path a guest composes from names, dot-dots and planted links, resolution from the
     * mount either fails or ends at a node whose host path lies inside the mount.
     */
    @Test
    void noComposedPathResolvesOutsideTheMount() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("mounted"));
        Files.writeString(tmp.resolve("secret.txt"), "secret");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/file.txt"), "inside");
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../.."));
        Files.createSymbolicLink(root.resolve("abs"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("a/b/loop"), Path.of("../b/loop"));
        Files.createSymbolicLink(root.resolve("in"), Path.of("a/b/.."));
        HostMount m = new HostMount(root.toRealPath(), "/m", false, 0);
        VirtualFileSystem fs = new VirtualFileSystem(List.of(m), FsMeter.UNLIMITED, () -> 0);
        Node mountRoot = fs.mountRoot(0);
        Path real = root.toRealPath();
        qt().withExamples(Integer.getInteger("cella.property.examples", 200))
                .forAll(lists().of(integers().between(0, PARTS.length - 1)).ofSizeBetween(1, 8))
                .checkAssert(indices -> {
                    List<String> names = new ArrayList<>();
                    for (int i : indices) {
                        names.add(PARTS[i]);
                    }
                    String path = names.stream().collect(Collectors.joining("/"));
                    for (boolean follow : new boolean[] {true, false}) {
                        Resolution r;
                        try {
                            r = fs.resolve(mountRoot, path, follow);
                        } catch (FsException e) {
                            continue;
                        }
                        for (Node n : new Node[] {r.node(), r.dir()}) {
                            if (n == null) {
                                continue;
                            }
                            HostNode h = assertInstanceOf(HostNode.class, n, path);
                            Path p = m.path(h.rel()).normalize();
                            assertTrue(p.startsWith(real), path + " resolved to " + p);
                            assertTrue(!h.rel().contains(".."), path + " kept '..' in " + h.rel());
                        }
                        if (r.node() != null && r.node().type() == FileType.REGULAR_FILE) {
                            byte[] buf = new byte[16];
                            int n = fs.open(mountRoot, path, follow, 0).file().read(0, buf, 0, 16);
                            assertEquals("inside", new String(buf, 0, n, StandardCharsets.UTF_8), path);
                        }
                    }
                });
        assertNull(fs.resolve(mountRoot, "a/nothing", true).node());
    }
}
