package dev.cella.sandbox.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.vm.BulkWork;
import dev.cella.vm.Memory;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Red team, issue 13 finding 3, growth: a guest growing its memory one page at a time to 128 MiB
 * made the host copy the whole memory on every page (about 8 GiB copied, 41 s and 850 MB of RSS
 * for 128 MiB). Memory now has a capacity that grows by half when passed, so the same guest
 * makes a handful of copies, its array stays within the quota, and every access is still bounded
 * by the size the guest sees, not by the capacity, on every engine.
 */
class CheapGrowthTest {
    private static final long MIB = 1 << 20;
    private static final int PAGE = Module.PAGE_SIZE;

    /** grow-by-page.casm: grows by one page until refused, then exits 0. */
    private static final String GROW_ALL = resource("/redteam/grow-by-page.casm");

    private static String resource(String name) {
        try (InputStream in = CheapGrowthTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Module module(String src) {
        Module m = Assembler.assemble(src, "redteam.casm");
        Verifier.verify(m);
        return m;
    }

    private static CellConfig.Builder quiet(EngineKind engine) {
        return CellConfig.builder().engine(engine).args(List.of("guest")).stdout(new ByteArrayOutputStream())
                .stderr(new ByteArrayOutputStream());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void growingAPageAtATimeTo128MiBCopiesAFewTimesAndStaysWithinTheQuota(EngineKind engine) {
        long quota = 128 * MIB;
        try (Cell cell = Cell.create(module(GROW_ALL), quiet(engine).memoryLimit(quota).build())) {
            RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                return cell.run();
            });
            assertEquals(Outcome.EXITED, r.outcome(), () -> r.toString());
            Memory m = cell.instance().memory();
            // A sixteenth of the quota is reserved for the stack (docs/sandbox.md, "The stack").
            long cap = quota - quota / 16;
            assertEquals(cap, m.size(), "grew to the quota less the stack, one page at a time");
            assertEquals(1, r.accounting().memoryGrowsRefused(), "only the grow past the cap was refused");
            // A copy per page would be 1,919 of them; growing the capacity by half makes about 13.
            assertTrue(m.reallocations() <= 16, "reallocations: " + m.reallocations());
            assertTrue(m.hostBytes() <= cap, "host bytes " + m.hostBytes() + " over the cap " + cap);
            // Each grow is charged the bytes it adds, so growing to 128 MiB costs what 128 MiB does.
            long instructions = 4L * 1920 + 10;
            assertTrue(r.accounting().fuelUsed() <= BulkWork.units(quota) + instructions,
                    "fuel " + r.accounting().fuelUsed());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void theCapacityStopsAtTheQuotaLessWhatTablesAndGlobalsTake(EngineKind engine) {
        // 1,000 globals take 8,000 bytes: memory may grow to 14 pages of what a 1 MiB quota leaves
        // once 64 KiB are reserved for the stack, and its array must not be rounded up to 15 pages,
        // which would put the footprint over that.
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            src.append("global g").append(i).append(": i64 = 0\n");
        }
        src.append(GROW_ALL);
        try (Cell cell = Cell.create(module(src.toString()), quiet(engine).memoryLimit(MIB).build())) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome(), () -> r.toString());
            Memory m = cell.instance().memory();
            assertEquals(14, m.pages());
            assertTrue(m.hostBytes() <= MIB - 64 * 1024, "host bytes " + m.hostBytes());
            assertEquals(8_000, m.overhead());
        }
    }

    /** Exports that touch memory at a given address, run after the memory grew within its capacity. */
    private static final String PROBES = """
            memory 1
            func grow(n: i32) -> i32 {
                reg r: i32
                memory.grow r, n
                ret r
            }
            export func grow
            func load8(a: i32) -> i32 {
                reg r: i32
                i32.load8_u r, a, 0
                ret r
            }
            export func load8
            func load32(a: i32) -> i32 {
                reg r: i32
                i32.load r, a, 0
                ret r
            }
            export func load32
            func load64(a: i32) -> i64 {
                reg r: i64
                i64.load r, a, 0
                ret r
            }
            export func load64
            func store16(a: i32) {
                reg v: i32
                i32.const v, -1
                i32.store16 a, 0, v
                ret
            }
            export func store16
            func fill(a: i32, n: i32) {
                reg v: i32
                i32.const v, 9
                memory.fill a, v, n
                ret
            }
            export func fill
            """;

    private static void assertOutOfBounds(Executable e) {
        Trap t = org.junit.jupiter.api.Assertions.assertThrows(Trap.class, e);
        assertEquals(TrapKind.OUT_OF_BOUNDS_MEMORY, t.kind());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void accessesTrapAtTheSizeNotTheCapacityOnEveryEngine(EngineKind engine) {
        try (Cell cell = Cell.create(module(PROBES), quiet(engine).build())) {
            assertEquals(1, (int) cell.call("grow", 1)[0]);
            Memory m = cell.instance().memory();
            assertTrue(m.capacity() > m.size(), "the memory has room past its size: " + m.capacity());
            int size = m.size();
            // Warm each probe up, so that a tiering engine runs them compiled too.
            for (int i = 0; i < 20_000; i++) {
                cell.call("load8", i & 0xFFFF);
                cell.call("load32", i & 0xFFFF);
                cell.call("load64", i & 0xFFFF);
                cell.call("store16", i & 0xFFFF);
                cell.call("fill", i & 0xFFFF, 4);
            }
            assertEquals(0, cell.call("load8", size - 1)[0]);
            assertOutOfBounds(() -> cell.call("load8", size));
            assertEquals(0, cell.call("load32", size - 4)[0]);
            assertOutOfBounds(() -> cell.call("load32", size - 3));
            assertEquals(0, cell.call("load64", size - 8)[0]);
            assertOutOfBounds(() -> cell.call("load64", size - 7));
            cell.call("store16", size - 2);
            assertOutOfBounds(() -> cell.call("store16", size - 1));
            cell.call("fill", size - 4, 4);
            assertOutOfBounds(() -> cell.call("fill", size - 4, 5));
            assertOutOfBounds(() -> cell.call("fill", size, 1));
            // Nothing was written past the size: the next page grows in zero.
            assertEquals(2, (int) cell.call("grow", 1)[0]);
            assertEquals(0, cell.call("load64", size)[0]);
            assertEquals(0x0909_0909, (int) cell.call("load32", size - 4)[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aHostCallSeesTheSizeNotTheCapacity(EngineKind engine) {
        // fd_write of an iovec that ends one byte past the size: EFAULT (21), nothing written.
        Module m = module("""
                import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
                memory 1
                export func main "_start"
                func main() -> i32 {
                    reg one: i32, old: i32, iov: i32, buf: i32, len: i32, fd: i32, n: i32, written: i32, errno: i32
                    i32.const one, 1
                    memory.grow old, one
                    i32.const iov, 0
                    i32.const buf, %d
                    i32.const len, 2
                    i32.store iov, 0, buf
                    i32.store iov, 4, len
                    i32.const fd, 1
                    i32.const n, 1
                    i32.const written, 16
                    call fd_write, (fd, iov, n, written), (errno)
                    ret errno
                }
                """.formatted(2 * PAGE - 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Cell cell = Cell.create(m, quiet(engine).stdout(out).build())) {
            assertEquals(21, (int) cell.call("_start")[0]);
            assertTrue(cell.instance().memory().capacity() > 2 * PAGE);
            assertEquals(0, out.size());
        }
    }
}
