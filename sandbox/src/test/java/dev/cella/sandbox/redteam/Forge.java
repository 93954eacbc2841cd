package dev.cella.sandbox.redteam;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.vm.SuspendRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;

/**
 * What a forger of checkpoint files does: take a real file, change its payload and make its
 * checksums right again (CRC-32C is no authentication). Knows only the frame of
 * docs/checkpoint.md (a 68-byte header: flags at 10, lengths at 44 and 52, CRCs at 60 and 64).
 */
final class Forge {
    static final int HEADER = 68;

    private Forge() {}

    /** open-wait-cat.casm: opens argv[1], spins about 200,000 units of fuel, then copies it to stdout. */
    static Module openWaitCat() {
        try (InputStream in = Forge.class.getResourceAsStream("/redteam/open-wait-cat.casm")) {
            Module m = Assembler.assemble(new String(in.readAllBytes(), StandardCharsets.UTF_8), "open-wait-cat.casm");
            Verifier.verify(m);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A plain (not deflated) checkpoint of open-wait-cat with {@code guestFile} open, taken in its
     * spin: host directory {@code mounted} is at {@code /in}, read-only.
     */
    static byte[] checkpointWithOpenFile(Path mounted, String guestFile) {
        try (Cell cell = Cell.create(openWaitCat(), CellConfig.builder().args(java.util.List.of("cat", guestFile))
                .mount(mounted, "/in", true).build())) {
            if (cell.run(SuspendRequest.atFuelUsed(100_000)).isPresent()) {
                throw new AssertionError("open-wait-cat ended before its checkpoint point");
            }
            return Checkpoint.capture(cell).toBytes(false);
        }
    }

    /** The payload of a plain checkpoint file. */
    static byte[] payload(byte[] file) {
        return Arrays.copyOfRange(file, HEADER, HEADER + (int) get(file, 44));
    }

    /**
     * {@code file}'s header around {@code payload}, with lengths and checksums made right: deflated
     * if {@code deflate} (flag bit 0). Other flags are kept except authentication, which a forger
     * cannot make right.
     */
    static byte[] reframe(byte[] file, byte[] payload, boolean deflate) {
        byte[] stored = payload;
        if (deflate) {
            Deflater d = new Deflater(Deflater.BEST_SPEED);
            d.setInput(payload);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            d.end();
            stored = out.toByteArray();
        }
        byte[] h = Arrays.copyOf(file, HEADER);
        put(h, 10, deflate ? 1 : 0, 2);
        put(h, 44, stored.length, 8);
        put(h, 52, payload.length, 8);
        return withChecksums(h, stored);
    }

    /** Header {@code h} (its fields as they are) and {@code stored}, with both CRCs computed. */
    static byte[] withChecksums(byte[] h, byte[] stored) {
        byte[] out = Arrays.copyOf(h, HEADER + stored.length);
        System.arraycopy(stored, 0, out, HEADER, stored.length);
        put(out, 60, crc(stored, 0, stored.length), 4);
        put(out, 64, crc(out, 0, 64), 4);
        return out;
    }

    /** {@code b} with every occurrence of ASCII {@code from} replaced by {@code to} (same length). */
    static byte[] replaceAll(byte[] b, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("same length only");
        }
        byte[] out = b.clone();
        int found = 0;
        for (int i = 0; i + f.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
                found++;
            }
        }
        if (found == 0) {
            throw new AssertionError(from + " is not in the payload");
        }
        return out;
    }

    static long crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return c.getValue();
    }

    static void put(byte[] b, int at, long v, int width) {
        for (int i = 0; i < width; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    static long get(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (b[at + i] & 0xFFL) << (8 * i);
        }
        return v;
    }
}
