package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 4 of issue 13: a checkpoint file may come from anyone, so it must grant nothing. Each
 * test is an attack that worked against format version 1: the file's own mounts used by the
 * restore, a descriptor path forged through a host link or onto a FIFO, a tiny file claiming a
 * 2 GiB payload. The restore's mounts are the test's, as a restoring host would give them.
 */
class CheckpointTrustTest {
    private static final String SECRET = "SECRET-OUTSIDE-THE-MOUNT";

    @TempDir
    Path dir;
    private Path mounted;

    /** {@code in/abc/passwd} (harmless), {@code in/xyz} a link to {@code outside/}, which holds the secret. */
    @BeforeEach
    void layout() throws IOException {
        mounted = Files.createDirectories(dir.resolve("in"));
        Files.createDirectories(mounted.resolve("abc"));
        Files.writeString(mounted.resolve("abc/passwd"), "inside the mount\n");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), SECRET + "\n");
        Files.createSymbolicLink(mounted.resolve("xyz"), outside);
    }

    /** Restores {@code bytes} with {@code config} and runs it on; what the guest printed. */
    private static String resume(byte[] bytes, CellConfig.Builder config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checkpoint c = Checkpoint.fromBytes(bytes, "forged");
        try (Cell cell = c.restore(config.stdout(out).timeout(Duration.ofSeconds(5)).build())) {
            cell.resume(null);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theRestoreUsesItsOwnMountsNeverTheFiles() throws IOException {
        Path secretDir = dir.resolve("outside");
        byte[] bytes = Forge.checkpointWithOpenFile(secretDir, "/in/passwd");
        Checkpoint c = Checkpoint.fromBytes(bytes, "forged");
        // What version 1 did: the file's configuration, mounts included, became the restore's.
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> resume(bytes, c.configBuilder()), "the checkpoint's own mount must not be used");
        assertEquals(CheckpointException.Kind.CONFIG_MISMATCH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("/in (ro)"), e.getMessage());
        assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(secretDir.toString()),
                "the host directory is not even recorded");
        // Given a mount by the restorer, the guest sees that directory.
        Files.writeString(mounted.resolve("passwd"), "the restorer's file\n");
        assertEquals("the restorer's file\n", resume(bytes, CellConfig.builder().mount(mounted, "/in", true)));
    }

    @Test
    void aDescriptorPathForgedThroughAHostLinkIsRefused() {
        byte[] real = Forge.checkpointWithOpenFile(mounted, "/in/abc/passwd");
        assertEquals("inside the mount\n", resume(real, CellConfig.builder().mount(mounted, "/in", true)));
        byte[] forged = Forge.reframe(real, Forge.replaceAll(Forge.payload(real), "abc/passwd", "xyz/passwd"), false);
        String[] printed = {""};
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> printed[0] = resume(forged, CellConfig.builder().mount(mounted, "/in", true)),
                () -> "the forged descriptor was reopened; the guest printed " + printed[0]);
        assertEquals(CheckpointException.Kind.CONFIG_MISMATCH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("xyz"), e.getMessage());
    }

    @Test
    void aDescriptorPathForgedOntoAFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = mounted.resolve("abc/fifoxx");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        byte[] real = Forge.checkpointWithOpenFile(mounted, "/in/abc/passwd");
        byte[] forged = Forge.reframe(real, Forge.replaceAll(Forge.payload(real), "abc/passwd", "abc/fifoxx"), false);
        try {
            CheckpointException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                    CheckpointException.class, () -> resume(forged, CellConfig.builder().mount(mounted, "/in", true))));
            assertEquals(CheckpointException.Kind.CONFIG_MISMATCH, e.kind(), e.getMessage());
        } finally {
            unblock(fifo);
        }
    }

    /** Opens {@code fifo} for writing from a daemon thread, releasing any reader blocked in open. */
    private static void unblock(Path fifo) {
        Thread t = new Thread(() -> {
            try (OutputStream o = Files.newOutputStream(fifo)) {
                o.flush();
            } catch (IOException ignored) {
                // Nothing was blocked on it.
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @Test
    void aTinyFileClaimingAHugePayloadAllocatesNothingLikeIt() {
        byte[] real = Forge.checkpointWithOpenFile(mounted, "/in/abc/passwd");
        // Eight bytes of a deflate stream of zeros, claiming 2^31 - 17 inflated bytes: 76 bytes in all.
        Deflater d = new Deflater();
        d.setInput(new byte[1 << 20]);
        d.finish();
        byte[] stream = new byte[64];
        d.deflate(stream);
        d.end();
        byte[] h = Arrays.copyOf(real, Forge.HEADER);
        Forge.put(h, 10, 1, 2);
        Forge.put(h, 44, 8, 8);
        Forge.put(h, 52, Integer.MAX_VALUE - 16, 8);
        byte[] file = Forge.withChecksums(h, Arrays.copyOf(stream, 8));
        assertEquals(76, file.length);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.fromBytes(file, "tiny"));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(CheckpointException.Kind.CORRUPT, e.kind(), e.getMessage());
        assertTrue(allocated < 16L << 20, "refusing a 76-byte file allocated " + allocated + " bytes");
    }
}
