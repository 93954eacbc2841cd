package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cella.isa.module.Module;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Cells share nothing: two running at the same time in one JVM see neither each other's memory
 * nor files nor output, and a new cell never sees what an earlier one left in memory.
 */
class IsolationTest {
    /**
     * The guest writes its marker (argv[1], 8 bytes) over the first 64 KiB after the runtime's
     * area and into file "/mark", calls {@code rendezvous} (a host function that waits until both
     * cells have written), then checks that its memory and its file hold only its own marker, and
     * prints the file. It exits with 0 if everything was its own, else with 1.
     */
    private static final String GUEST = """
            ; uses runtime.casm
            import rendezvous "test" "rendezvous" () -> ()
            import path_open "wasi_snapshot_preview1" "path_open" (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32
            import fd_read "wasi_snapshot_preview1" "fd_read" (i32, i32, i32, i32) -> i32
            import fd_seek "wasi_snapshot_preview1" "fd_seek" (i32, i64, i32, i32) -> i32
            memory 2
            data 256 "mark"
            export func main "_start"

            func main() {
                reg argc: i32, one: i32, p: i32, mark: i64, at: i32, end: i32, eight: i32, v: i64, root: i32, path: i32, len: i32, oflags: i32, zero: i32, out: i32, errno: i32, fd: i32, iov: i32, buf: i32, nread: i32, got: i32, stdout: i32, rights: i64, pos: i32
                call load_args, (), (argc)
                i32.const one, 1
                call arg, (one), (p)
                i64.load mark, p
                i32.const at, 65536
                i32.const end, 131072
                i32.const eight, 8
            fill:
                i64.store at, 0, mark
                i32.add at, at, eight
                i32.br_lt_u at, end, fill
                i32.const root, 3
                i32.const path, 256
                i32.const len, 4
                i32.const oflags, 1
                i32.const zero, 0
                i32.const out, 264
                i64.const rights, 0x46
                call path_open, (root, one, path, len, oflags, rights, rights, zero, out), (errno)
                br_if errno, bad
                i32.load fd, out
                call write_all, (fd, p, eight), (errno)
                br_if errno, bad
                call rendezvous, (), ()
                i32.const at, 65536
            check:
                i64.load v, at
                i64.br_ne v, mark, bad
                i32.add at, at, eight
                i32.br_lt_u at, end, check
                i32.const pos, 272
                i64.const v, 0
                call fd_seek, (fd, v, zero, pos), (errno)
                i32.const iov, 280
                i32.const buf, 1024
                i32.store iov, 0, buf
                i32.const len, 64
                i32.store iov, 4, len
                i32.const nread, 288
                call fd_read, (fd, iov, one, nread), (errno)
                br_if errno, bad
                i32.load got, nread
                i32.br_ne got, eight, bad
                i64.load v, buf
                i64.br_ne v, mark, bad
                i32.const stdout, 1
                call write_all, (stdout, buf, got), (errno)
                ret
            bad:
                call proc_exit, (one)
                unreachable
            }
            """;

    @Test
    void twoCellsRunningAtTheSameTimeSeeOnlyTheirOwnMemoryFilesAndOutput() throws Exception {
        Module m = Guests.assemble(GUEST + "\n" + runtime(), "isolation.casm");
        CountDownLatch bothWrote = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> runs = List.of(
                    pool.submit(() -> runCell(m, "AAAAAAAA", bothWrote)),
                    pool.submit(() -> runCell(m, "BBBBBBBB", bothWrote)));
            assertEquals("AAAAAAAA", runs.get(0).get(60, TimeUnit.SECONDS));
            assertEquals("BBBBBBBB", runs.get(1).get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    private static String runCell(Module m, String marker, CountDownLatch bothWrote) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CellConfig c = CellConfig.builder().args(List.of("guest", marker)).stdout(out)
                .hostFunction("test", "rendezvous", (inst, args) -> {
                    bothWrote.countDown();
                    try {
                        bothWrote.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return 0;
                }).build();
        try (Cell cell = Cell.create(m, c)) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome(), String.valueOf(r.error()));
            assertEquals(0, r.exitStatus());
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static String runtime() throws Exception {
        try (var in = IsolationTest.class.getResourceAsStream("/guests/runtime.casm")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aNewCellsMemoryIsZeroedWhateverEarlierCellsLeftInIt() {
        Module m = Guests.assemble("""
                memory 1
                export memory "memory"
                export func dirty "dirty"
                func dirty() {
                    reg at: i32, v: i32, n: i32
                    i32.const at, 0
                    i32.const v, 0xAB
                    i32.const n, 65536
                    memory.fill at, v, n
                    ret
                }
                """, "dirty.casm");
        CellConfig c = CellConfig.builder().build();
        try (Cell first = Cell.create(m, c)) {
            first.call("dirty");
            assertEquals((byte) 0xAB, first.memory().snapshot()[65535]);
        }
        try (Cell second = Cell.create(m, c)) {
            byte[] mem = second.memory().snapshot();
            for (int i = 0; i < mem.length; i++) {
                if (mem[i] != 0) {
                    throw new AssertionError("byte " + i + " of a fresh cell is " + mem[i]);
                }
            }
        }
    }

    @Test
    void cellsOfOneConfigurationHaveSeparateInMemoryFilesystems() {
        Module writer = Guests.load("write.casm");
        Module reader = Guests.load("cat.casm");
        CellConfig.Builder c = CellConfig.builder();
        assertEquals(0, Guests.run(writer, c, "3", "shared.txt", "written by one cell").status());
        Guests.Ran other = Guests.run(reader, c, "3", "shared.txt");
        assertEquals(dev.cella.sandbox.wasi.Errno.NOENT, other.status());
        assertFalse(other.stdout().contains("written"));
    }
}
