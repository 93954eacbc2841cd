package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint key (HMAC-SHA256) authenticates files between hosts that trust each other: with a
 * key, a file written without it, with another key or changed since is refused before anything
 * in it is read. And the restore's limits bound what a file may make it allocate.
 */
class CheckpointKeyTest {
    private static final byte[] KEY = "a key both hosts hold".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private Path mounted;
    private Checkpoint checkpoint;

    @BeforeEach
    void take() throws IOException {
        mounted = Files.createDirectories(dir.resolve("in"));
        Files.writeString(mounted.resolve("data"), "the data\n");
        checkpoint = Checkpoint.fromBytes(Forge.checkpointWithOpenFile(mounted, "/in/data"), "real");
    }

    private String resume(Checkpoint c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Cell cell = c.restore(c.configBuilder().mount(mounted, "/in", true).stdout(out).build())) {
            assertEquals(Outcome.EXITED, cell.resume(null).orElseThrow().outcome());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static CheckpointException.Kind refusal(byte[] file, byte[] key) {
        return assertThrows(CheckpointException.class, () -> Checkpoint.fromBytes(file, "keyed", key, Long.MAX_VALUE))
                .kind();
    }

    @Test
    void theRightKeyOpensAnAuthenticatedFile() {
        for (boolean deflate : new boolean[] {false, true}) {
            byte[] file = checkpoint.toBytes(deflate, KEY);
            assertEquals("the data\n", resume(Checkpoint.fromBytes(file, "keyed", KEY, Long.MAX_VALUE)));
            // Without a key nothing is checked: the tag is there for hosts that hold the key.
            assertEquals("the data\n", resume(Checkpoint.fromBytes(file, "keyed")));
        }
    }

    @Test
    void anotherKeyIsRefused() {
        byte[] file = checkpoint.toBytes(false, KEY);
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED,
                refusal(file, "another key".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aFileWithoutATagIsRefusedWhenAKeyIsGiven() {
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED, refusal(checkpoint.toBytes(false), KEY));
        // Nor can a forger drop the tag and its flag from an authenticated file.
        byte[] file = checkpoint.toBytes(false, KEY);
        byte[] stripped = Arrays.copyOf(file, file.length - 32);
        Forge.put(stripped, 10, 0, 2);
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED,
                refusal(Forge.withChecksums(Arrays.copyOf(stripped, Forge.HEADER), Forge.payload(stripped)), KEY));
    }

    @Test
    void aTamperedFileWithItsChecksumsMadeRightIsRefused() {
        byte[] file = checkpoint.toBytes(false, KEY);
        byte[] tag = Arrays.copyOfRange(file, file.length - 32, file.length);
        byte[] payload = Forge.replaceAll(Forge.payload(file), "/in/data", "/in/dat2");
        byte[] forged = Forge.withChecksums(Arrays.copyOf(file, Forge.HEADER), payload);
        byte[] withTag = Arrays.copyOf(forged, forged.length + 32);
        System.arraycopy(tag, 0, withTag, forged.length, 32);
        assertEquals(CheckpointException.Kind.UNAUTHENTICATED, refusal(withTag, KEY));
    }

    @Test
    void aFileLargerThanTheRestoresLimitIsRefusedBeforeItIsRead() throws IOException {
        Path file = dir.resolve("big.ckpt");
        checkpoint.write(file, false);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file, null, 4096));
        assertEquals(CheckpointException.Kind.TOO_LARGE, e.kind(), e.getMessage());
        CheckpointException deflated = assertThrows(CheckpointException.class,
                () -> Checkpoint.fromBytes(checkpoint.toBytes(true), "deflated", null, 4096));
        assertEquals(CheckpointException.Kind.TOO_LARGE, deflated.kind(), deflated.getMessage());
        // The limit a restore derives from its configuration lets a checkpoint of that cell through.
        long limit = Checkpoint.maxPayload(CellConfig.builder().memoryLimit(1 << 20).diskQuota(0).build());
        assertEquals("the data\n", resume(Checkpoint.read(file, null, limit)));
    }

    @Test
    void aFifoNamedAsTheCheckpointIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.ckpt");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        CheckpointException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CheckpointException.class, () -> Checkpoint.read(fifo, null, Long.MAX_VALUE)));
        assertEquals(CheckpointException.Kind.IO, e.kind(), e.getMessage());
    }
}
