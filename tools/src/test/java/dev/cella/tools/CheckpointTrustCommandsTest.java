package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 4 at the command line: {@code cella resume} takes mounts, quotas and grants
 * from its own options, never from the checkpoint file; {@code --checkpoint-key} authenticates
 * files; a damaged or forged file is one clean line and exit 65 or 68, never 70.
 */
class CheckpointTrustCommandsTest {
    /** Opens argv[1], spins for about 200,000 units of fuel, then copies the file to stdout. */
    private static final String GUEST = Path.of("../sandbox/src/test/resources/redteam/open-wait-cat.casm").toString();
    private static final String SECRET = "SECRET-OUTSIDE-WHAT-RESUME-GRANTS";

    @TempDir
    Path tmp;
    private Path secretDir;
    private Path granted;

    @BeforeEach
    void layout() throws IOException {
        secretDir = Files.createDirectories(tmp.resolve("secret"));
        Files.writeString(secretDir.resolve("passwd"), SECRET + "\n");
        granted = Files.createDirectories(tmp.resolve("granted"));
        Files.writeString(granted.resolve("passwd"), "granted\n");
    }

    /** How many checkpoints this test has written: names each file apart. */
    private int checkpoints;

    /** Checkpoints GUEST in its spin with {@code mounted} at /in and /in/passwd open; extra run options first. */
    private Path checkpoint(Path mounted, String... options) {
        Path file = tmp.resolve("c" + checkpoints++ + ".ckpt");
        List<String> args = new java.util.ArrayList<>(List.of("run", "--mount", mounted + ":/in", "--checkpoint-at",
                "100000", "--checkpoint-file", file.toString()));
        args.addAll(List.of(options));
        args.addAll(List.of(GUEST, "/in/passwd"));
        CliRunner.Result r = cella(args.toArray(String[]::new));
        assertEquals(0, r.code(), r::toString);
        return file;
    }

    private static void assertOneLine(CliRunner.Result r, int code) {
        assertEquals(code, r.code(), r::toString);
        assertTrue(r.err().startsWith("cella: ") && r.err().indexOf('\n') == r.err().length() - 1, r::toString);
        assertFalse(r.err().contains("\tat ") || r.err().contains("internal error"), r::toString);
    }

    @Test
    void resumeTakesNoMountFromTheCheckpoint() {
        Path file = checkpoint(secretDir); // the file says: /in was the host directory holding the secret
        CliRunner.Result r = cella("resume", file.toString());
        assertFalse(r.out().contains(SECRET), r::toString);
        assertOneLine(r, ExitCode.LINK_ERROR.code);
        assertTrue(r.err().contains("/in (ro)"), r::toString);
        CliRunner.Result mine = cella("resume", "--mount", granted + ":/in", file.toString());
        assertEquals(0, mine.code(), mine::toString);
        assertEquals("granted\n", mine.out());
    }

    @Test
    void resumeTakesItsQuotasFromItsCommandLine() {
        Path file = checkpoint(granted, "--fuel", "150000");
        assertEquals(0, cella("resume", "--mount", granted + ":/in", file.toString()).code());
        CliRunner.Result tight = cella("resume", "--mount", granted + ":/in", "--fuel", "150000", file.toString());
        assertOneLine(tight, ExitCode.QUOTA_EXCEEDED.code);
        assertTrue(tight.err().contains("fuel (limit 150000"), tight::toString);
    }

    @Test
    void aMountMovedOrRemovedBeforeResumeIsACleanError() throws IOException {
        Path file = checkpoint(granted);
        Files.move(granted, tmp.resolve("moved"));
        assertOneLine(cella("resume", "--mount", granted + ":/in", file.toString()), ExitCode.NO_INPUT.code);
        Files.createDirectories(granted);
        // The directory is back but the file the guest had open is not.
        CliRunner.Result gone = cella("resume", "--mount", granted + ":/in", file.toString());
        assertOneLine(gone, ExitCode.LINK_ERROR.code);
        assertTrue(gone.err().contains("cannot be opened again"), gone::toString);
        CliRunner.Result moved = cella("resume", "--mount", tmp.resolve("moved") + ":/in", file.toString());
        assertEquals("granted\n", moved.out(), moved::toString);
    }

    @Test
    void aKeyAuthenticatesTheCheckpoint() throws IOException {
        Path key = Files.write(tmp.resolve("key"), "shared between trusted hosts".getBytes(StandardCharsets.UTF_8));
        Path other = Files.write(tmp.resolve("other"), "another key".getBytes(StandardCharsets.UTF_8));
        Path file = checkpoint(granted, "--checkpoint-key", key.toString());
        String mount = granted + ":/in";
        CliRunner.Result ok = cella("resume", "--mount", mount, "--checkpoint-key", key.toString(), file.toString());
        assertEquals("granted\n", ok.out(), ok::toString);
        assertOneLine(cella("resume", "--mount", mount, "--checkpoint-key", other.toString(), file.toString()),
                ExitCode.MALFORMED_BINARY.code);
        Path plain = checkpoint(granted);
        CliRunner.Result unsigned = cella("resume", "--mount", mount, "--checkpoint-key", key.toString(), plain.toString());
        assertOneLine(unsigned, ExitCode.MALFORMED_BINARY.code);
        assertTrue(unsigned.err().contains("not authenticated"), unsigned::toString);
        assertOneLine(cella("resume", "--mount", mount, "--checkpoint-key", tmp.resolve("none").toString(),
                file.toString()), ExitCode.NO_INPUT.code);
        CliRunner.Result alone = cella("run", "--checkpoint-key", key.toString(), example("hello.casm"));
        assertEquals(ExitCode.USAGE.code, alone.code(), alone::toString);
    }

    /** 76 bytes: a header claiming 2^31 - 17 inflated bytes over eight bytes of deflate stream. */
    private Path tinyFileClaimingTwoGiB() throws IOException {
        byte[] real = Files.readAllBytes(checkpoint(granted));
        byte[] f = Arrays.copyOf(real, 76);
        f[10] = 1; // deflated
        put(f, 44, 8, 8);
        put(f, 52, Integer.MAX_VALUE - 16, 8);
        Arrays.fill(f, 68, 76, (byte) 0x78);
        put(f, 60, crc(f, 68, 8), 4);
        put(f, 64, crc(f, 0, 64), 4);
        return Files.write(tmp.resolve("tiny.ckpt"), f);
    }

    @Test
    void aTinyFileClaimingAHugePayloadIsMalformedEvenWithASmallHeap() throws Exception {
        Path tiny = tinyFileClaimingTwoGiB();
        assertOneLine(cella("resume", tiny.toString()), ExitCode.MALFORMED_BINARY.code);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "-cp", CliRunner.childClassPath(), Cella.class.getName(), "resume", tiny.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cella did not end");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(ExitCode.MALFORMED_BINARY.code, p.exitValue(), output);
    }

    private static long crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return c.getValue();
    }

    private static void put(byte[] b, int at, long v, int width) {
        for (int i = 0; i < width; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
