package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated checkpoint files with their checksums made right (what a forger can do without the
 * key): every one must end in a {@link CheckpointException} or a restored cell that runs to some
 * end within its fuel; never another exception, which the command line would turn into exit 70.
 * Mutations aim at the sections' structure rather than at memory contents: a section is picked
 * first, then a place in it.
 */
class CheckpointFuzzTest {
    private static final int CASES = Integer.getInteger("cella.fuzz.cases", 3000);

    @TempDir
    Path dir;

    @Test
    void mutatedFilesWithRightChecksumsFailCleanlyOrResume() throws IOException {
        Path mounted = Files.createDirectories(dir.resolve("in/abc"));
        Files.writeString(mounted.resolve("passwd"), "inside the mount\n");
        Path root = dir.resolve("in");
        byte[] real = Forge.checkpointWithOpenFile(root, "/in/abc/passwd");
        byte[] payload = Forge.payload(real);
        List<int[]> sections = sections(payload);
        Random random = new Random(13);
        List<String> failures = new ArrayList<>();
        int refused = 0;
        int resumed = 0;
        for (int n = 0; n < CASES && failures.size() < 5; n++) {
            StringBuilder what = new StringBuilder("case " + n + ":");
            byte[] mutated = payload;
            for (int k = random.nextInt(3); k >= 0; k--) {
                mutated = mutate(mutated, sections, random, what);
            }
            byte[] file = Forge.reframe(real, mutated, random.nextInt(5) == 0);
            if (random.nextInt(10) == 0) { // a header field too (version, flags, hash, lengths), its CRC made right
                int at = 8 + random.nextInt(52);
                file[at] ^= (byte) (1 + random.nextInt(255));
                Forge.put(file, 64, Forge.crc(file, 0, 64), 4);
                what.append(" header@").append(at);
            }
            try {
                Checkpoint c = Checkpoint.fromBytes(file, "fuzzed");
                // Every engine restores: a forged state must be refused (or run) on each alike.
                EngineKind engine = EngineKind.values()[n % EngineKind.values().length];
                try (Cell cell = c.restore(c.configBuilder().engine(engine).mount(root, "/in", true).fuel(1_000_000)
                        .timeout(Duration.ofSeconds(2)).stdout(OutputStream.nullOutputStream()).build())) {
                    cell.resume(null);
                }
                resumed++;
            } catch (CheckpointException e) {
                refused++;
            } catch (Throwable t) {
                failures.add(what + " " + t);
            }
        }
        assertTrue(failures.isEmpty(), "not clean errors:\n" + String.join("\n", failures));
        assertTrue(refused > CASES / 2 && resumed > 0, refused + " refused, " + resumed + " resumed");
    }

    /** The sections of {@code payload} as {start of contents, end}: a tag byte and a 64-bit length each. */
    private static List<int[]> sections(byte[] payload) {
        List<int[]> out = new ArrayList<>();
        int pos = 0;
        while (pos < payload.length) {
            int start = pos + 9;
            int end = start + (int) Forge.get(payload, pos + 1);
            out.add(new int[] {pos, end});
            pos = end;
        }
        return out;
    }

    private static final long[] INTERESTING = {0, 1, -1, 2, 0x7F, 0xFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
        Long.MAX_VALUE, Long.MIN_VALUE, 65_536, 4_194_304, 1 << 20};

    /** One mutation of {@code p} inside a random section (headers included), described in {@code what}. */
    private static byte[] mutate(byte[] p, List<int[]> sections, Random random, StringBuilder what) {
        if (p.length == 0) {
            return p; // truncated to nothing already
        }
        int[] s = sections.get(random.nextInt(sections.size()));
        int span = Math.min(s[1] - s[0], 256); // the start of each section: counts, sizes, the first fields
        int at = Math.min(p.length - 1, s[0] + (random.nextBoolean() ? random.nextInt(Math.max(1, span))
                : random.nextInt(Math.max(1, s[1] - s[0]))));
        byte[] b;
        switch (random.nextInt(6)) {
            case 0 -> {
                b = p.clone();
                b[at] ^= (byte) (1 + random.nextInt(255));
                what.append(" flip@").append(at);
            }
            case 1 -> {
                b = p.clone();
                long v = random.nextInt(3) == 0 ? random.nextLong() : INTERESTING[random.nextInt(INTERESTING.length)];
                int width = random.nextBoolean() ? 4 : 8;
                for (int i = 0; i < width && at + i < b.length; i++) {
                    b[at + i] = (byte) (v >>> (8 * i));
                }
                what.append(" set").append(width).append('@').append(at).append('=').append(v);
            }
            case 2 -> {
                int len = 1 + random.nextInt(16);
                int end = Math.min(p.length, at + len);
                b = new byte[p.length - (end - at)];
                System.arraycopy(p, 0, b, 0, at);
                System.arraycopy(p, end, b, at, p.length - end);
                what.append(" delete@").append(at).append('+').append(end - at);
            }
            case 3 -> {
                byte[] ins = new byte[1 + random.nextInt(16)];
                random.nextBytes(ins);
                b = new byte[p.length + ins.length];
                System.arraycopy(p, 0, b, 0, at);
                System.arraycopy(ins, 0, b, at, ins.length);
                System.arraycopy(p, at, b, at + ins.length, p.length - at);
                what.append(" insert@").append(at).append('+').append(ins.length);
            }
            case 4 -> {
                b = Arrays.copyOf(p, at);
                what.append(" truncate@").append(at);
            }
            default -> {
                int len = 1 + random.nextInt(32);
                int from = random.nextInt(p.length);
                len = Math.min(len, p.length - from);
                b = p.clone();
                System.arraycopy(p, from, b, at, Math.min(len, p.length - at));
                what.append(" copy").append(from).append("->").append(at).append('+').append(len);
            }
        }
        return b;
    }
}
