package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.fs.FileHandle;
import dev.cella.sandbox.fs.FileType;
import dev.cella.sandbox.fs.FsSnapshot;
import dev.cella.sandbox.fs.FsException;
import dev.cella.sandbox.fs.FsMeter;
import dev.cella.sandbox.fs.HostMount;
import dev.cella.sandbox.fs.Node;
import dev.cella.sandbox.fs.VirtualFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 1: a directory of a read-write mount swapped again and again for a symbolic
 * link to a directory outside the mount (by a host thread here; by another cell sharing the mount
 * in a batch) must never let a cell read, list or write outside the mount, however the swaps fall
 * between the sandbox's checks and its host calls. Each test runs a swapper thread against a
 * cell's filesystem for a bounded time and asserts that not one byte of the outside was reached.
 */
class SymlinkRaceTest {
    private static final long RUN_NANOS = 1_500_000_000L;
    private static final int MAX_ROUNDS = 200_000;
    private static final String SECRET = "OUTSIDE-SECRET";

    @TempDir
    Path tmp;
    Path mount;
    Path outside;
    private Thread swapper;
    private final AtomicBoolean stop = new AtomicBoolean();

    @BeforeEach
    void plant() throws IOException {
        mount = Files.createDirectory(tmp.resolve("mount"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        // The outside mirrors the inside, so every check made through the link finds what it expects.
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.createDirectory(outside.resolve("sub"));
        Files.writeString(outside.resolve("sub/secret.txt"), SECRET);
        Path d = Files.createDirectory(mount.resolve("d"));
        Files.writeString(d.resolve("secret.txt"), "inside");
        Files.createDirectory(d.resolve("sub"));
        Files.writeString(d.resolve("sub/secret.txt"), "inside");
        Files.createSymbolicLink(mount.resolve("link"), outside);
    }

    /** Swaps mount/d (a directory) and mount/link (a link to the outside) with renames, without end. */
    private void startSwapper() {
        Path d = mount.resolve("d");
        Path link = mount.resolve("link");
        Path park = mount.resolve("park");
        swapper = new Thread(() -> {
            try {
                while (!stop.get()) {
                    Files.move(d, park, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(link, d, StandardCopyOption.ATOMIC_MOVE);
                    Thread.onSpinWait();
                    Files.move(d, link, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(park, d, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "swapper");
        swapper.setDaemon(true);
        swapper.start();
    }

    @AfterEach
    void stopSwapper() throws InterruptedException {
        stop.set(true);
        if (swapper != null) {
            swapper.join(5_000);
        }
    }

    private VirtualFileSystem fs() throws IOException {
        return new VirtualFileSystem(List.of(new HostMount(mount.toRealPath(), "/m", false, 0)), FsMeter.UNLIMITED,
                () -> 0);
    }

    private static String read(FileHandle f) {
        byte[] buf = new byte[64];
        int n = f.read(0, buf, 0, buf.length);
        f.close();
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * Runs the {@code steps} in turn until the time or round budget is spent; returns how many
     * steps succeeded. A step that meets a swap may fail with an {@link FsException}, as the
     * sandbox's answer to a directory that changed under it.
     */
    private static int race(Runnable... steps) {
        long end = System.nanoTime() + RUN_NANOS;
        int ok = 0;
        for (int i = 0; i < MAX_ROUNDS && System.nanoTime() < end; i++) {
            for (Runnable step : steps) {
                try {
                    step.run();
                    ok++;
                } catch (FsException e) {
                    // The swap was caught: the call failed, as it may.
                }
            }
        }
        return ok;
    }

    @Test
    void readsThroughASwappedDirectoryNeverReachTheOutside() throws IOException {
        VirtualFileSystem fs = fs();
        Node root = fs.mountRoot(0);
        startSwapper();
        int ok = race(() -> {
            String got = read(fs.open(root, "d/sub/secret.txt", true, 0).file());
            assertNotEquals(SECRET, got, "read a file outside the mount");
            assertEquals("inside", got);
        });
        assertTrue(ok > 0, "no read got through at all, so the race proved nothing");
    }

    @Test
    void aCellLoopingOverTheSwappedPathNeverReadsTheOutside() throws IOException {
        startSwapper();
        // The guest loops path_open + fd_read itself and exits 1 the moment it reads the outside.
        dev.cella.sandbox.Guests.Ran r = dev.cella.sandbox.Guests.run("race-reader.casm", dev.cella.sandbox.CellConfig
                .builder().mount(mount, "/m", false).timeout(java.time.Duration.ofSeconds(20)), "4", "20000");
        assertEquals(dev.cella.sandbox.Outcome.EXITED, r.outcome(), r.result()::toString);
        assertEquals(0, r.status(), "the guest read a file outside its mount");
        assertTrue(Integer.parseInt(r.stdout().trim()) > 0, "no read got through at all, so the race proved nothing");
    }

    @Test
    void directoryDescriptorsNeverLeadOutside() throws IOException {
        Files.writeString(outside.resolve("outside-only"), "x");
        VirtualFileSystem fs = fs();
        Node root = fs.mountRoot(0);
        // The guest holds a descriptor on d (opened while d was a directory) and reads through it.
        Node dir = fs.open(root, "d", true, VirtualFileSystem.DIRECTORY).node();
        startSwapper();
        int ok = race(() -> assertEquals("inside", read(fs.open(dir, "sub/secret.txt", true, 0).file()),
                "read through a directory descriptor"), () -> assertFalse(
                        fs.list(dir).stream().anyMatch(e -> e.name().equals("outside-only")),
                        "listed a directory outside the mount"));
        assertTrue(ok > 0, "no round got through at all, so the race proved nothing");
    }

    @Test
    void writesThroughASwappedDirectoryNeverLandOutside() throws IOException {
        Files.writeString(outside.resolve("outside-only"), "x");
        VirtualFileSystem fs = fs();
        Node root = fs.mountRoot(0);
        startSwapper();
        int ok = race(() -> {
            FileHandle f = fs.open(root, "d/sub/new.txt", true, VirtualFileSystem.CREATE | VirtualFileSystem.WRITE)
                    .file();
            f.write(0, new byte[] {'w'}, 0, 1);
            f.close();
        }, () -> fs.createDirectory(root, "d/sub/newdir"), () -> fs.symlink("x", root, "d/sub/newlink"),
                () -> fs.rename(root, "d/sub/secret.txt", root, "d/sub/renamed.txt"),
                () -> fs.rename(root, "d/sub/renamed.txt", root, "d/sub/secret.txt"),
                () -> fs.removeDirectory(root, "d/sub/newdir"), () -> fs.unlink(root, "d/sub/newlink"),
                () -> fs.unlink(root, "d/sub/new.txt"));
        stop.set(true);
        try (Stream<Path> s = Files.walk(outside)) {
            List<String> names = s.map(p -> outside.relativize(p).toString()).sorted().toList();
            assertEquals(List.of("", "outside-only", "secret.txt", "sub", "sub/secret.txt"), names,
                    "something was written outside the mount");
        }
        assertEquals(SECRET, Files.readString(outside.resolve("sub/secret.txt")));
        assertTrue(ok > 0, "no round got through at all, so the race proved nothing");
    }

    @Test
    void theSwapItselfIsRefusedWhenItHolds() throws IOException {
        VirtualFileSystem fs = fs();
        Node root = fs.mountRoot(0);
        // Without a swapper: a link to the outside is never followed, whichever way it is reached.
        Files.move(mount.resolve("d"), mount.resolve("park"), StandardCopyOption.ATOMIC_MOVE);
        Files.move(mount.resolve("link"), mount.resolve("d"), StandardCopyOption.ATOMIC_MOVE);
        assertTrue(Files.isSymbolicLink(mount.resolve("d")));
        for (String p : List.of("d/secret.txt", "d/sub/secret.txt", "d")) {
            FsException e = org.junit.jupiter.api.Assertions.assertThrows(FsException.class,
                    () -> fs.open(root, p, true, 0));
            assertNotEquals(null, e.error());
        }
        assertTrue(Files.exists(mount.resolve("d"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aLinkTheGuestMadeNeverPointsOutsideItsMount() throws IOException {
        VirtualFileSystem fs = fs();
        Node root = fs.mountRoot(0);
        // Legal where it is made (two levels down, it climbs two), refused where it would escape.
        fs.symlink("../..", root, "d/sub/up");
        assertEquals(dev.cella.sandbox.fs.FsError.NOTCAPABLE,
                org.junit.jupiter.api.Assertions.assertThrows(FsException.class,
                        () -> fs.symlink("../../..", root, "d/sub/out")).error());
        // Moving the link up the tree would make it point out of the mount for host programs.
        assertEquals(dev.cella.sandbox.fs.FsError.NOTCAPABLE,
                org.junit.jupiter.api.Assertions.assertThrows(FsException.class,
                        () -> fs.rename(root, "d/sub/up", root, "up")).error());
        assertEquals("../..", Files.readSymbolicLink(mount.resolve("d/sub/up")).toString());
        assertFalse(Files.exists(mount.resolve("up"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aReferenceFromACheckpointIsResolvedByTheSameRules() throws Exception {
        VirtualFileSystem fs = fs();
        FsSnapshot snap = fs.snapshot();
        // A path through a host link, as a forged checkpoint could name it, is refused.
        FsException e = org.junit.jupiter.api.Assertions.assertThrows(FsException.class, () -> snap.node(
                new FsSnapshot.NodeRef(0, 0, "link/secret.txt", FileType.REGULAR_FILE), java.util.Map.of()));
        assertEquals(dev.cella.sandbox.fs.FsError.NOTDIR, e.error());
        // A FIFO is refused before it is opened (a descriptor never holds one, so the reference
        // itself is refused), so reopening cannot hang on it.
        Path fifo = mount.resolve("d/fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals(dev.cella.sandbox.fs.FsError.NOTSUP, org.junit.jupiter.api.Assertions.assertThrows(FsException.class,
                () -> snap.node(new FsSnapshot.NodeRef(0, 0, "d/fifo", FileType.UNKNOWN), java.util.Map.of())).error());
        // A kind that changed since the reference was taken is refused too.
        org.junit.jupiter.api.Assertions.assertThrows(FsException.class, () -> snap.node(
                new FsSnapshot.NodeRef(0, 0, "d/sub", FileType.REGULAR_FILE), java.util.Map.of()));
        assertEquals("inside", read(fs.reopen(snap.node(
                new FsSnapshot.NodeRef(0, 0, "d/secret.txt", FileType.REGULAR_FILE), java.util.Map.of()), false)));
    }
}
