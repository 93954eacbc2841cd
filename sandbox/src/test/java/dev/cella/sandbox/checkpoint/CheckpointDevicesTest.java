package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Open descriptors on {@code /dev/urandom} and {@code /dev/null} survive a checkpoint: a run cut
 * anywhere and restored prints exactly the random bytes of an uninterrupted run.
 */
class CheckpointDevicesTest {
    /** Opens dev/urandom and dev/null, then six times copies 8 random bytes to stdout and to dev/null. */
    private static final String GUEST = """
            import path_open "wasi_snapshot_preview1" "path_open" (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32
            import fd_read "wasi_snapshot_preview1" "fd_read" (i32, i32, i32, i32) -> i32
            import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
            memory 1
            data 256 "dev/urandom"
            data 272 "dev/null"
            export func main "_start"
            func main() {
                reg root: i32, one: i32, zero: i32, path: i32, len: i32, out: i32, errno: i32, rnd: i32, nul: i32, iov: i32, buf: i32, n: i32, i: i32, six: i32, stdout: i32, rights: i64
                i32.const root, 3
                i32.const one, 1
                i32.const zero, 0
                i32.const out, 300
                i64.const rights, 0x42
                i32.const path, 256
                i32.const len, 11
                call path_open, (root, one, path, len, zero, rights, rights, zero, out), (errno)
                br_if errno, failed
                i32.load rnd, out
                i32.const path, 272
                i32.const len, 8
                call path_open, (root, one, path, len, zero, rights, rights, zero, out), (errno)
                br_if errno, failed
                i32.load nul, out
                i32.const iov, 320
                i32.const buf, 512
                i32.const n, 8
                i32.store iov, 0, buf
                i32.store iov, 4, n
                i32.const i, 0
                i32.const six, 6
                i32.const stdout, 1
            again:
                i32.br_ge_u i, six, done
                call fd_read, (rnd, iov, one, out), (errno)
                br_if errno, failed
                call fd_write, (stdout, iov, one, out), (errno)
                br_if errno, failed
                call fd_write, (nul, iov, one, out), (errno)
                br_if errno, failed
                i32.add i, i, one
                br again
            done:
                ret
            failed:
                unreachable
            }
            """;

    private static CellConfig.Builder config(ByteArrayOutputStream out) {
        return CellConfig.builder().randomSeed(77).stdout(out);
    }

    @Test
    void aRunCutAnywhereGivesTheSameRandomBytesAsAnUninterruptedOne() {
        Module module = Runs.assemble(GUEST);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        long total;
        try (Cell cell = Cell.create(module, config(whole).build())) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome(), r.accounting().ending());
            total = r.accounting().fuelUsed();
        }
        assertEquals(48, whole.size());
        int trials = 0;
        for (long point = 0; point < total; point += Math.max(1, total / 25)) {
            String name = "at" + point;
            Runs.Resumed run = Runs.cutAt(module, () -> CellConfig.builder().randomSeed(77), point, name);
            RunResult r = run.result();
            assertEquals(Outcome.EXITED, r.outcome(), name + ": " + r.accounting().ending());
            assertEquals(total, r.accounting().fuelUsed(), name);
            assertEquals(0, r.accounting().fsBytesWritten(), name + ": /dev/null takes no disk quota");
            assertArrayEquals(whole.toByteArray(), run.stdout(), name);
            trials++;
        }
        assertTrue(trials >= 20, "only " + trials + " points tried");
    }
}
