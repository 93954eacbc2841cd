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
 * Tables survive a checkpoint: their grown sizes, the references guest code wrote into them and
 * which element segments are dropped. A run cut anywhere and restored writes what an
 * uninterrupted run writes, with the same fuel.
 */
class CheckpointTablesTest {
    /**
     * Puts dbl in tab[0] from the passive segment, drops it, then twelve times grows tab by one
     * inc (every third round turned into neg, from the element before it) and ext by one null,
     * and passes acc through every element of tab; writes acc, ext's size and whether the
     * segment is empty (a table.init of one element traps: 1 if it does not) to stdout.
     */
    private static final String GUEST = """
            import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
            memory 1
            type unop (i32) -> i32
            table tab 1 20
            table ext 1 16 externref
            elem [inc, dbl, neg]
            export func main "_start"
            func inc(x: i32) -> i32 {
                reg one: i32, r: i32
                i32.const one, 1
                i32.add r, x, one
                ret r
            }
            func dbl(x: i32) -> i32 {
                reg r: i32
                i32.add r, x, x
                ret r
            }
            func neg(x: i32) -> i32 {
                reg z: i32, r: i32
                i32.const z, 0
                i32.sub r, z, x
                ret r
            }
            func main() {
                reg f: funcref, g: funcref, e: externref, z: i32, one: i32, three: i32, acc: i32, round: i32, rounds: i32, j: i32, size: i32, old: i32, m: i32, prev: i32, buf: i32, iov: i32, len: i32, out: i32, errno: i32
                i32.const z, 0
                i32.const one, 1
                i32.const three, 3
                i32.const acc, 7
                i32.const round, 0
                i32.const rounds, 12
                table.init tab, 0, z, one, one
                elem.drop 0
            again:
                ref.func f, inc
                funcref.table_grow old, tab, f, one
                externref.null e
                externref.table_grow m, ext, e, one
                i32.rem_u m, round, three
                br_if m, skip
                i32.sub prev, old, one
                ref.func g, neg
                funcref.table_set tab, old, g
            skip:
                table.size size, tab
                i32.const j, 0
            inner:
                call_indirect unop, tab, j, (acc), (acc)
                i32.add j, j, one
                i32.br_lt_u j, size, inner
                i32.add round, round, one
                i32.br_lt_u round, rounds, again
                i32.const buf, 512
                i32.store buf, 0, acc
                table.size size, ext
                i32.store buf, 4, size
                i32.const iov, 256
                i32.const len, 8
                i32.store iov, 0, buf
                i32.store iov, 4, len
                i32.const out, 300
                call fd_write, (one, iov, one, out), (errno)
                ret
            }
            """;

    @Test
    void aRunCutAnywhereEndsAsAnUninterruptedOne() {
        Module module = Runs.assemble(GUEST);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        long total;
        try (Cell cell = Cell.create(module, CellConfig.builder().stdout(whole).build())) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome(), r.accounting().ending());
            total = r.accounting().fuelUsed();
        }
        assertEquals(8, whole.size());
        assertEquals(13, whole.toByteArray()[4], "ext grew twelve times");
        int trials = 0;
        for (long point = 0; point < total; point += Math.max(1, total / 25)) {
            String name = "at" + point;
            Runs.Resumed run = Runs.cutAt(module, CellConfig::builder, point, name);
            RunResult r = run.result();
            assertEquals(Outcome.EXITED, r.outcome(), name + ": " + r.accounting().ending());
            assertEquals(total, r.accounting().fuelUsed(), name);
            assertArrayEquals(whole.toByteArray(), run.stdout(), name);
            trials++;
        }
        assertTrue(trials >= 20, "only " + trials + " points tried");
    }
}
