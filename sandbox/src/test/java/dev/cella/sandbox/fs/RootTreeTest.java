package dev.cella.sandbox.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootTreeTest {
    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);

    private static RootTree tree() {
        return RootTree.builder().file("/etc/greeting", HELLO).symlink("/etc/link", "greeting").dir("/data").build();
    }

    private static VirtualFileSystem fs(RootTree tree, List<HostMount> mounts) {
        return new VirtualFileSystem(mounts, tree, FsMeter.UNLIMITED, () -> 7, RandomSource.NONE);
    }

    private static byte[] read(VirtualFileSystem fs, String path) {
        FileHandle h = fs.open(fs.root(), path, true, 0).file();
        byte[] buf = new byte[(int) h.size()];
        h.read(0, buf, 0, buf.length);
        return buf;
    }

    @Test
    void aCellSeesTheTreeAndItsWritesStayItsOwn() {
        RootTree tree = tree();
        VirtualFileSystem first = fs(tree, List.of());
        assertArrayEquals(HELLO, read(first, "etc/link"));
        FileHandle h = first.open(first.root(), "etc/greeting", true, VirtualFileSystem.WRITE).file();
        h.write(0, "J".getBytes(StandardCharsets.UTF_8), 0, 1);
        assertEquals("Jello\n", new String(read(first, "etc/greeting"), StandardCharsets.UTF_8));
        // The tree's bytes and a second cell's view are untouched by the first cell's write.
        assertEquals("hello\n", new String(HELLO, StandardCharsets.UTF_8));
        assertArrayEquals(HELLO, read(fs(tree, List.of()), "etc/greeting"));
    }

    @Test
    void truncatingASharedFileLeavesTheTreeIntact() {
        RootTree tree = tree();
        VirtualFileSystem first = fs(tree, List.of());
        first.open(first.root(), "etc/greeting", true, VirtualFileSystem.WRITE | VirtualFileSystem.TRUNCATE);
        assertEquals(0, read(first, "etc/greeting").length);
        assertArrayEquals(HELLO, read(fs(tree, List.of()), "etc/greeting"));
    }

    @Test
    void aMountHidesTheTreesNodeAtItsPath(@TempDir Path host) throws Exception {
        Files.writeString(host.resolve("x"), "host");
        VirtualFileSystem fs = fs(tree(), List.of(new HostMount(host.toRealPath(), "/data", false, 0)));
        assertEquals("host", new String(read(fs, "data/x"), StandardCharsets.UTF_8));
        assertArrayEquals(HELLO, read(fs, "etc/greeting"));
        assertEquals(List.of("data", "dev", "etc"), fs.list(fs.root()).stream().map(DirEntry::name).toList());
    }

    @Test
    void rejectsAPathAddedTwiceOrBelowAFile() {
        assertThrows(IllegalArgumentException.class, () -> RootTree.builder().file("/a", HELLO).file("/a", HELLO));
        assertThrows(IllegalArgumentException.class, () -> RootTree.builder().file("/a", HELLO).file("/a/b", HELLO));
        assertThrows(IllegalArgumentException.class, () -> RootTree.builder().dir("/a/../b"));
    }
}
