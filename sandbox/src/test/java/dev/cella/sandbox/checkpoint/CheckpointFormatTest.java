package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.vm.SuspendRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file format: what is written where, and that every damaged, foreign, newer, mismatched or
 * impossible checkpoint is refused with its own kind of error, before anything runs.
 */
class CheckpointFormatTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);
    private static final GuestGenerator.Program PROGRAM = GuestGenerator.generate(7);
    private static final Module MODULE = Runs.assemble(PROGRAM.source());

    @TempDir
    Path dir;

    /** A checkpoint of {@link #PROGRAM} a third of the way through. */
    private static Cell suspended() {
        long total = Runs.uninterrupted(MODULE, Runs.EngineChoice.INTERPRETER).result().accounting().fuelUsed();
        Cell cell = Cell.create(MODULE, Runs.config().build());
        assertTrue(cell.run(SuspendRequest.atFuelUsed(total / 3)).isEmpty());
        return cell;
    }

    private static byte[] checkpointBytes(boolean deflate) {
        try (Cell cell = suspended()) {
            return Checkpoint.capture(cell).toBytes(deflate);
        }
    }

    private static CheckpointException.Kind rejection(byte[] bytes) {
        return assertThrows(CheckpointException.class, () -> Checkpoint.fromBytes(bytes, "test")).kind();
    }

    @Test
    void theHeaderHoldsMagicVersionModuleHashAndLengths() {
        byte[] b = checkpointBytes(false);
        assertArrayEquals("CELLACKP".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(b, 8));
        assertEquals(3, b[8]);
        assertEquals(0, b[9]);
        assertEquals(0, b[10], "not deflated");
        Checkpoint c = Checkpoint.fromBytes(b, "test");
        assertEquals(c.moduleSha256(), java.util.HexFormat.of().formatHex(Arrays.copyOfRange(b, 12, 44)));
        assertEquals(b.length - CheckpointFile.HEADER_SIZE, c.payloadSize());
        assertEquals(sha256(ModuleWriter.write(MODULE)), c.moduleSha256());
    }

    @Test
    void deflatingSetsTheFlagAndShrinksThePayload() {
        byte[] plain = checkpointBytes(false);
        byte[] deflated = checkpointBytes(true);
        assertEquals(1, deflated[10]);
        assertTrue(deflated.length < plain.length, deflated.length + " vs " + plain.length);
        assertEquals(Checkpoint.fromBytes(plain, "p").payloadSize(), Checkpoint.fromBytes(deflated, "d").payloadSize());
    }

    @Test
    void everySingleByteChangeIsRejectedAsDamaged() {
        byte[] plain = checkpointBytes(false);
        byte[] deflated = checkpointBytes(true);
        qt().withExamples(EXAMPLES).forAll(booleans().all(), integers().between(0, Integer.MAX_VALUE - 1),
                integers().between(1, 255)).checkAssert((useDeflated, where, mask) -> {
                    byte[] b = (useDeflated ? deflated : plain).clone();
                    int at = where % b.length;
                    b[at] ^= mask.byteValue();
                    assertEquals(at < 8 ? CheckpointException.Kind.NOT_A_CHECKPOINT : CheckpointException.Kind.CORRUPT,
                            rejection(b), "byte " + at);
                });
    }

    @Test
    void everyTruncationIsRejectedAsDamaged() {
        byte[] b = checkpointBytes(true);
        qt().withExamples(EXAMPLES).forAll(integers().between(0, b.length - 1)).checkAssert(length ->
                assertEquals(length < 8 ? CheckpointException.Kind.NOT_A_CHECKPOINT : CheckpointException.Kind.CORRUPT,
                        rejection(Arrays.copyOf(b, length)), "cut to " + length));
    }

    @Test
    void aFileOfAnotherKindIsNotACheckpoint() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.fromBytes(ModuleWriter.write(MODULE), "guest.cel"));
        assertEquals(CheckpointException.Kind.NOT_A_CHECKPOINT, e.kind());
        assertTrue(e.getMessage().contains("guest.cel is not a Cella checkpoint"), e.getMessage());
    }

    /** {@code b} with header field bytes changed and the header checksum made right again. */
    private static byte[] withHeader(byte[] b, Consumer<byte[]> change) {
        byte[] c = b.clone();
        change.accept(c);
        long crc = CheckpointFile.crc(c, 0, 64);
        for (int i = 0; i < 4; i++) {
            c[64 + i] = (byte) (crc >>> (8 * i));
        }
        return c;
    }

    @Test
    void aNewerFormatVersionOrUnknownFlagIsRefusedByName() {
        byte[] b = checkpointBytes(false);
        CheckpointException v = assertThrows(CheckpointException.class,
                () -> Checkpoint.fromBytes(withHeader(b, h -> h[8] = 4), "new.ckpt"));
        assertEquals(CheckpointException.Kind.UNSUPPORTED_VERSION, v.kind());
        assertTrue(v.getMessage().contains("format version 4; this build reads version 3"), v.getMessage());
        CheckpointException f = assertThrows(CheckpointException.class,
                () -> Checkpoint.fromBytes(withHeader(b, h -> h[10] = 8), "flags.ckpt")); // bit 2 is a delta's
        assertEquals(CheckpointException.Kind.UNSUPPORTED_VERSION, f.kind());
        assertTrue(f.getMessage().contains("flags 0x8"), f.getMessage());
    }

    @Test
    void aCheckpointOfAnotherModuleIsRefused() {
        Checkpoint c = Checkpoint.fromBytes(checkpointBytes(false), "test");
        Module other = Runs.assemble(GuestGenerator.generate(8).source());
        CheckpointException e = assertThrows(CheckpointException.class, () -> c.restore(other, c.configBuilder().build()));
        assertEquals(CheckpointException.Kind.MODULE_MISMATCH, e.kind());
        assertTrue(e.getMessage().contains(c.moduleSha256()) && e.getMessage().contains(sha256(ModuleWriter.write(other))),
                e.getMessage());
    }

    // ---- intact checksums over impossible contents ----

    /** The payload of plain checkpoint bytes {@code b}, changed, framed again with right checksums. */
    private static byte[] reframed(byte[] b, Consumer<byte[]> change, int lengthDelta) {
        byte[] payload = Arrays.copyOfRange(b, CheckpointFile.HEADER_SIZE, b.length + Math.max(0, lengthDelta));
        change.accept(payload);
        int length = b.length - CheckpointFile.HEADER_SIZE + lengthDelta;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CheckpointFile.write(out, Arrays.copyOfRange(b, 12, 44), payload, length, false, null);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** The payload offset where the contents of section {@code tag} start. */
    private static int section(byte[] b, int tag) {
        int pos = CheckpointFile.HEADER_SIZE;
        while (b[pos] != tag) {
            long length = 0;
            for (int i = 0; i < 8; i++) {
                length |= (b[pos + 1 + i] & 0xFFL) << (8 * i);
            }
            pos += 9 + (int) length;
        }
        return pos + 9 - CheckpointFile.HEADER_SIZE;
    }

    private static void putI32(byte[] p, int at, int v) {
        for (int i = 0; i < 4; i++) {
            p[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static CheckpointException refusedOnRestore(byte[] bytes) {
        return assertThrows(CheckpointException.class, () -> {
            Checkpoint c = Checkpoint.fromBytes(bytes, "crafted");
            c.restore(c.configBuilder().build()).close();
        });
    }

    @Test
    void sectionsThatDoNotAddUpAreInvalid() {
        byte[] b = checkpointBytes(false);
        CheckpointException extra = refusedOnRestore(reframed(b, p -> { }, 1));
        assertEquals(CheckpointException.Kind.INVALID, extra.kind());
        assertTrue(extra.getMessage().contains("bytes after the last section"), extra.getMessage());
        CheckpointException cut = refusedOnRestore(reframed(b, p -> { }, -1));
        assertEquals(CheckpointException.Kind.INVALID, cut.kind());
        assertTrue(cut.getMessage().contains("section filesystem"), cut.getMessage());
    }

    @Test
    void anInvalidSectionIsNamedByItsOffsetInThePayloadNotInTheFile() {
        byte[] b = checkpointBytes(false);
        int run = section(b, CheckpointCodec.RUN);
        // The run section's length (the 8 bytes before its contents) claims more than is left.
        CheckpointException e = refusedOnRestore(reframed(b, p -> putI32(p, run - 8, Integer.MAX_VALUE), 0));
        assertEquals(CheckpointException.Kind.INVALID, e.kind());
        // The payload is read where it lies in the file (Checkpoint.fromBytes), after the header.
        assertTrue(e.getMessage().contains("at payload offset " + run + ": section run claims"),
                e.getMessage());
    }

    @Test
    void anExecutionStateTheModuleCannotHaveIsInvalid() {
        byte[] b = checkpointBytes(false);
        // The run section: inStart (1), six counters (48), fuel used and remaining (16), depth (4), then frame 1.
        int frame = section(b, CheckpointCodec.RUN) + 1 + 48 + 16 + 4;
        CheckpointException e = refusedOnRestore(reframed(b, p -> putI32(p, frame, 99), 0));
        assertEquals(CheckpointException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("frame 1 (function 99"), e.getMessage());
    }

    @Test
    void aMemoryOverTheConfiguredLimitIsInvalid() {
        byte[] b = checkpointBytes(false);
        int pages = section(b, CheckpointCodec.MEMORY);
        CheckpointException e = refusedOnRestore(reframed(b, p -> putI32(p, pages, 30_000), 0));
        assertEquals(CheckpointException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("a memory of 30000 pages"), e.getMessage());
    }

    @Test
    void restoringWithoutTheCellsMountsOrHostFunctionsIsRefused() throws IOException {
        Path mounted = java.nio.file.Files.createDirectories(dir.resolve("m"));
        byte[] b;
        try (Cell cell = Cell.create(MODULE, Runs.config().mount(mounted, "/data", true)
                .hostFunction("env", "unused", (inst, args) -> 0).build())) {
            assertTrue(cell.run(SuspendRequest.atFuelUsed(100)).isEmpty());
            b = Checkpoint.capture(cell).toBytes(false);
        }
        Checkpoint c = Checkpoint.fromBytes(b, "test");
        assertEquals(java.util.List.of("env.unused"), c.hostFunctions());
        CheckpointException mounts = assertThrows(CheckpointException.class,
                () -> c.restore(CellConfig.builder().hostFunction("env", "unused", (inst, args) -> 0).build()));
        assertEquals(CheckpointException.Kind.CONFIG_MISMATCH, mounts.kind());
        assertTrue(mounts.getMessage().contains("[/data (ro)]"), mounts.getMessage());
        assertEquals(java.util.List.of("/data:ro"), c.mounts());
        CheckpointException host = assertThrows(CheckpointException.class,
                () -> c.restore(c.configBuilder().mount(mounted, "/data", true).build()));
        assertEquals(CheckpointException.Kind.CONFIG_MISMATCH, host.kind());
        assertTrue(host.getMessage().contains("host function env.unused"), host.getMessage());
        c.restore(c.configBuilder().mount(mounted, "/data", true).hostFunction("env", "unused", (inst, args) -> 0)
                .build()).close();
    }

    @Test
    void onlyASuspendedCellCanBeCaptured() {
        try (Cell cell = Cell.create(MODULE, Runs.config().build())) {
            assertEquals(CheckpointException.Kind.NOT_SUSPENDED,
                    assertThrows(CheckpointException.class, () -> Checkpoint.capture(cell)).kind());
            cell.run();
            assertEquals(CheckpointException.Kind.NOT_SUSPENDED,
                    assertThrows(CheckpointException.class, () -> Checkpoint.capture(cell)).kind());
        }
    }

    @Test
    void aMissingFileIsAnInputOutputError() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(dir.resolve("none.ckpt")));
        assertEquals(CheckpointException.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("none.ckpt"), e.getMessage());
    }

    @Test
    void zeroPagesAreNotStored() {
        Module big = Runs.assemble("""
                memory 256
                func main() {
                    reg a: i32, v: i32, n: i32, one: i32
                    i32.const a, 1000000
                    i32.const v, 42
                    i32.store a, 0, v
                    i32.const n, 1000
                    i32.const one, 1
                spin:
                    i32.sub n, n, one
                    br_if n, spin
                    ret
                }
                export func main "_start"
                """);
        try (Cell cell = Cell.create(big, CellConfig.builder().build())) {
            assertTrue(cell.run(SuspendRequest.atFuelUsed(500)).isEmpty());
            Checkpoint c = Checkpoint.capture(cell);
            assertTrue(c.payloadSize() < 65_536 + 4096, "16 MiB with one page written took " + c.payloadSize());
            assertTrue(c.payloadSize() > 65_536, "the written page is stored");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
