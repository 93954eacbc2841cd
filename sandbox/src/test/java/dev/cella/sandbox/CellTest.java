package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.GuestExit;
import dev.cella.vm.LinkException;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API: creating cells, running and calling, results, host functions, stdio. */
class CellTest {
    @TempDir
    Path tmp;

    private static final String HELLO = """
            import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
            memory 1
            data 16 "hello\\n"
            export func main "_start"
            func main() {
                reg iov: i32, text: i32, len: i32, fd: i32, one: i32, out: i32, errno: i32
                i32.const iov, 0
                i32.const text, 16
                i32.const len, 6
                i32.store iov, 0, text
                i32.store iov, 4, len
                i32.const fd, 1
                i32.const one, 1
                i32.const out, 8
                call fd_write, (fd, iov, one, out), (errno)
                ret
            }
            """;

    private static final String LIBRARY = """
            import double "env" "double" (i32) -> i32
            import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
            memory 1
            global calls: i32 mut = 0
            export func add "add"
            export func twice "twice"
            export func quit "quit"
            export func boom "boom"
            func add(a: i32, b: i32) -> i32 {
                reg c: i32, one: i32
                i32.global_get c, calls
                i32.const one, 1
                i32.add c, c, one
                i32.global_set calls, c
                i32.add a, a, b
                ret a
            }
            func twice(a: i32) -> i32 {
                call double, (a), (a)
                ret a
            }
            func quit(s: i32) {
                call proc_exit, (s)
                ret
            }
            func boom() {
                unreachable
            }
            """;

    private static Module hello() {
        return Guests.assemble(HELLO, "hello.casm");
    }

    private static Module library() {
        return Guests.assemble(LIBRARY, "library.casm");
    }

    private static CellConfig.Builder withDouble() {
        return CellConfig.builder().hostFunction("env", "double", (inst, args) -> 2 * (int) args[0]);
    }

    @Test
    void runWritesToABufferAndReportsTheExit() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Cell cell = Cell.create(hello(), CellConfig.builder().stdout(out).build())) {
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome());
            assertEquals(0, r.exitStatus());
            assertEquals(null, r.error());
            assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(6, r.accounting().stdoutBytesWritten());
            assertTrue(r.accounting().fuelUsed() > 0);
            assertEquals(65536, r.accounting().peakMemoryBytes());
        }
    }

    @Test
    void discardedOutputIsStillCountedAndStillLimited() {
        try (Cell cell = Cell.create(hello(), CellConfig.builder().maxOutput(5).build())) {
            RunResult r = cell.run();
            assertEquals(Quota.OUTPUT, ((QuotaExceeded) r.error()).quota());
        }
        try (Cell cell = Cell.create(hello(), CellConfig.builder().build())) {
            assertEquals(6, cell.run().accounting().stdoutBytesWritten());
        }
    }

    @Test
    void stdoutCanGoToAFile() throws IOException {
        Path file = tmp.resolve("out.txt");
        try (OutputStream out = Files.newOutputStream(file);
                Cell cell = Cell.create(hello(), CellConfig.builder().stdout(out).build())) {
            cell.run();
        }
        assertEquals("hello\n", Files.readString(file));
    }

    @Test
    void stdinComesFromAStringOrAFile() throws IOException {
        Module cat = Guests.assemble("""
                ; uses runtime.casm
                import fd_read "wasi_snapshot_preview1" "fd_read" (i32, i32, i32, i32) -> i32
                memory 1
                export func main "_start"
                func main() {
                    reg iov: i32, buf: i32, len: i32, zero: i32, one: i32, nread: i32, got: i32, errno: i32
                    i32.const iov, 256
                    i32.const buf, 1024
                    i32.const len, 1024
                    i32.store iov, 0, buf
                    i32.store iov, 4, len
                    i32.const zero, 0
                    i32.const one, 1
                    i32.const nread, 264
                more:
                    call fd_read, (zero, iov, one, nread), (errno)
                    br_if errno, failed
                    i32.load got, nread
                    br_unless got, done
                    call write_all, (one, buf, got), (errno)
                    br more
                done:
                    ret
                failed:
                    call proc_exit, (errno)
                    unreachable
                }
                """ + "\n" + runtime(), "stdin-cat.casm");
        assertEquals("from a string", Guests.run(cat, CellConfig.builder().stdin(Stdin.of("from a string"))).stdout());
        Path in = Files.writeString(tmp.resolve("in.txt"), "from a file");
        Guests.Ran r = Guests.run(cat, CellConfig.builder().stdin(Stdin.file(in)));
        assertEquals("from a file", r.stdout());
        assertEquals(11, r.result().accounting().stdinBytesRead());
        assertEquals("", Guests.run(cat, CellConfig.builder()).stdout());
        assertEquals(dev.cella.sandbox.wasi.Errno.IO,
                Guests.run(cat, CellConfig.builder().stdin(Stdin.file(tmp.resolve("missing")))).status());
    }

    private static String runtime() {
        try (var in = CellTest.class.getResourceAsStream("/guests/runtime.casm")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void callRunsExportsAndKeepsStateBetweenCalls() {
        try (Cell cell = Cell.create(library(), withDouble().build())) {
            assertArrayEquals(new long[] {5}, cell.call("add", 2, 3));
            assertArrayEquals(new long[] {-1}, cell.call("add", 0x7FFFFFFF, 0x80000000L));
            assertEquals(2, cell.instance().globals()[0]);
            assertArrayEquals(new long[] {42}, cell.call("twice", 21));
            assertEquals(Outcome.EXITED, cell.accounting().outcome());
        }
    }

    @Test
    void callReportsTrapsExitsAndMisuseAsTypedErrors() {
        try (Cell cell = Cell.create(library(), withDouble().build())) {
            Trap t = assertThrows(Trap.class, () -> cell.call("boom"));
            assertEquals(TrapKind.UNREACHABLE, t.kind());
            assertEquals(Outcome.TRAPPED, cell.accounting().outcome());
            assertEquals(7, assertThrows(GuestExit.class, () -> cell.call("quit", 7)).status());
            assertThrows(SandboxException.class, () -> cell.call("missing"));
            assertThrows(SandboxException.class, () -> cell.call("add", 1));
        }
    }

    @Test
    void runWithoutAnEntryPointIsAnError() {
        try (Cell cell = Cell.create(library(), withDouble().build())) {
            RunResult r = cell.run();
            assertEquals(Outcome.ERROR, r.outcome());
            assertInstanceOf(SandboxException.class, r.error());
            assertEquals(-1, r.exitStatus());
        }
    }

    @Test
    void aCellRunsItsProgramOnceAndNotAfterClose() {
        try (Cell cell = Cell.create(hello(), CellConfig.builder().build())) {
            cell.run();
            assertThrows(SandboxException.class, cell::run);
            assertThrows(SandboxException.class, () -> cell.call("_start"));
        }
        Cell closed = Cell.create(hello(), CellConfig.builder().build());
        closed.close();
        assertThrows(SandboxException.class, closed::run);
    }

    @Test
    void procExitStatusAndTrapsAreReportedByRun() {
        Module exit3 = Guests.assemble("""
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                export func main "_start"
                func main() {
                    reg s: i32
                    i32.const s, 3
                    call proc_exit, (s)
                    ret
                }
                """, "exit3.casm");
        RunResult r = Guests.run(exit3, CellConfig.builder()).result();
        assertEquals(Outcome.EXITED, r.outcome());
        assertEquals(3, r.exitStatus());
        Module div = Guests.assemble("""
                export func main "_start"
                func main() {
                    reg a: i32, z: i32
                    i32.const a, 1
                    i32.div_s a, a, z
                    ret
                }
                """, "div.casm");
        RunResult d = Guests.run(div, CellConfig.builder()).result();
        assertEquals(Outcome.TRAPPED, d.outcome());
        assertEquals(TrapKind.INTEGER_DIVIDE_BY_ZERO, ((Trap) d.error()).kind());
        assertTrue(d.accounting().ending().contains("integer divide by zero"), d.accounting().ending());
    }

    @Test
    void hostFunctionsAreCheckedAtLinkTimeAndTheirFailuresAreTyped() {
        assertThrows(LinkException.class, () -> Cell.create(library(), CellConfig.builder().build()));
        FuncType wrong = new FuncType(List.of(ValType.I64), List.of(ValType.I32));
        assertThrows(LinkException.class, () -> Cell.create(library(),
                CellConfig.builder().hostFunction("env", "double", wrong, (i, a) -> 0).build()));
        FuncType right = new FuncType(List.of(ValType.I32), List.of(ValType.I32));
        try (Cell cell = Cell.create(library(), CellConfig.builder()
                .hostFunction("env", "double", right, (i, a) -> { throw new IllegalStateException("host bug"); })
                .build())) {
            SandboxException e = assertThrows(SandboxException.class, () -> cell.call("twice", 1));
            assertTrue(e.getMessage().contains("env.double"), e.getMessage());
        }
    }

    @Test
    void aHostFunctionOverridesTheWasiCallOfTheSameName() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] calls = {0};
        CellConfig c = CellConfig.builder().stdout(out)
                .hostFunction("wasi_snapshot_preview1", "fd_write", (inst, args) -> {
                    calls[0]++;
                    return 0;
                }).build();
        try (Cell cell = Cell.create(hello(), c)) {
            assertEquals(Outcome.EXITED, cell.run().outcome());
        }
        assertEquals(1, calls[0]);
        assertEquals(0, out.size());
    }

    @Test
    void killStopsARunningGuestFromAnotherThread() throws Exception {
        try (Cell cell = Cell.create(Guests.load("spin.casm"), CellConfig.builder().build())) {
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                cell.kill();
            });
            killer.start();
            RunResult r = cell.run();
            killer.join();
            assertEquals(Outcome.ERROR, r.outcome());
            assertInstanceOf(CellKilled.class, r.error());
        }
    }

    @Test
    void aHostClockSleepIsCutShortByTheDeadline() {
        Module sleeper = Guests.assemble("""
                import poll_oneoff "wasi_snapshot_preview1" "poll_oneoff" (i32, i32, i32, i32) -> i32
                memory 1
                export func main "_start"
                func main() {
                    reg sub: i32, ev: i32, n: i32, one: i32, errno: i32, t: i64
                    i32.const sub, 0
                    i32.const ev, 64
                    i32.const n, 128
                    i32.const one, 1
                    i32.store sub, 16, one
                    i64.const t, 3600000000000
                    i64.store sub, 24, t
                    call poll_oneoff, (sub, ev, one, n), (errno)
                    ret
                }
                """, "sleeper.casm");
        Guests.Ran r = Guests.run(sleeper, CellConfig.builder().allowClock(true).timeout(Duration.ofMillis(100)));
        assertEquals(Quota.TIME, r.quota().quota());
        Guests.Ran virtual = Guests.run(sleeper, CellConfig.builder().timeout(Duration.ofMillis(100)));
        assertEquals(Outcome.EXITED, virtual.outcome());
    }

    @Test
    void fuelAccumulatesOverCalls() {
        try (Cell cell = Cell.create(library(), withDouble().fuel(1000).build())) {
            cell.call("add", 1, 2);
            long once = cell.accounting().fuelUsed();
            cell.call("add", 1, 2);
            assertEquals(2 * once, cell.accounting().fuelUsed());
        }
    }

    @Test
    void accountingPrintsAsText() {
        try (Cell cell = Cell.create(hello(), CellConfig.builder().build())) {
            Accounting a = cell.run().accounting();
            String text = a.toText();
            assertTrue(text.contains("exited (status 0)"), text);
            assertTrue(text.contains("stdout written  6 bytes"), text);
        }
        try (Cell spin = Cell.create(Guests.load("spin.casm"), CellConfig.builder().fuel(200_000).build())) {
            Accounting timed = spin.run().accounting();
            assertTrue(timed.wallNanos() > 0 && timed.cpuNanos() > 0, timed.toText());
            assertEquals(timed.wallNanos(), spin.accounting().wallNanos());
        }
        Accounting q = Guests.run("spin.casm", CellConfig.builder().fuel(10)).result().accounting();
        assertEquals(Quota.FUEL, q.quota());
        assertTrue(q.toText().contains("quota exceeded: fuel (limit 10 units"), q.toText());
    }

    /**
     * A run's CPU time is the guest's wherever it ran: the JIT moves a run started on a thread it
     * did not create (this one) to a thread with a deep stack while this one waits, and that
     * thread's CPU counts (it did not: `cella run --stats` said 5 ms of CPU for an 800 ms run).
     * The bound, 10 units of fuel a nanosecond of CPU, is over 10 times what the JIT does on this
     * loop (0.4-1), and load on the machine cannot make it fail: waiting costs no CPU.
     */
    @Test
    void cpuTimeCountsTheThreadThatRanTheGuest() {
        long fuel = 300_000_000L;
        for (EngineKind engine : List.of(EngineKind.JIT, EngineKind.AUTO)) {
            try (Cell spin = Cell.create(Guests.load("spin.casm"), CellConfig.builder().engine(engine).fuel(fuel).build())) {
                Accounting a = spin.run().accounting();
                assertEquals(Quota.FUEL, a.quota());
                assertTrue(a.cpuNanos() >= fuel / 10, engine + ": " + a.toText());
            }
        }
    }

    @Test
    void imagesAreCachedPerModuleAndEngineKind() {
        Module a = hello();
        Module b = hello();
        assertSame(CellImage.of(a, EngineKind.INTERP), CellImage.of(a, EngineKind.INTERP));
        assertNotSame(CellImage.of(a, EngineKind.INTERP), CellImage.of(b, EngineKind.INTERP));
        assertNotSame(CellImage.of(a, EngineKind.INTERP), CellImage.prepare(a, EngineKind.INTERP));
        for (EngineKind kind : EngineKind.values()) {
            assertEquals(kind, CellImage.of(a, kind).engineKind());
            assertEquals(kind, EngineKind.parse(kind.text().toUpperCase(java.util.Locale.ROOT)), "parse reads text back");
            try (Cell cell = Cell.create(CellImage.of(a, kind), CellConfig.builder().build())) {
                assertEquals(Outcome.EXITED, cell.run().outcome(), kind.toString());
            }
        }
    }

    @Test
    void theConfigurationValidatesWhatItIsGiven() throws IOException {
        assertThrows(SandboxException.class, () -> CellConfig.builder().args(List.of("a\0b")).build());
        assertThrows(SandboxException.class, () -> CellConfig.builder().env(Map.of("A=B", "c")).build());
        assertThrows(SandboxException.class, () -> CellConfig.builder().fuel(-1));
        assertThrows(SandboxException.class, () -> CellConfig.builder().maxCallDepth(0));
        assertThrows(SandboxException.class, () -> CellConfig.builder().mount(tmp, "/a/../b", true));
        assertThrows(SandboxException.class, () -> CellConfig.builder().mount(tmp.resolve("missing"), "/m", true).build());
        Path d = Files.createDirectory(tmp.resolve("d"));
        assertThrows(SandboxException.class, () -> CellConfig.builder().mount(d, "/a", true).mount(d, "/a/b", true).build());
        assertThrows(SandboxException.class, () -> CellConfig.builder().mount(d, "/", true).mount(d, "/x", true).build());
        CellConfig c = CellConfig.builder().mount(d, "//x//y/", false).timeout(Duration.ZERO).build();
        assertEquals("/x/y", c.mounts().get(0).guestPath());
        assertEquals(null, c.timeout());
        CellConfig copy = c.toBuilder().fuel(5).build();
        assertEquals(5, copy.fuel());
        assertEquals(c.mounts(), copy.mounts());
        assertEquals(CellConfig.DEFAULT_MEMORY_LIMIT, copy.memoryLimit());
    }

    @Test
    void aMountAtTheRootIsTheWholeNamespace() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("root"));
        Files.writeString(d.resolve("f.txt"), "at the root");
        Guests.Ran r = Guests.run("cat.casm", CellConfig.builder().mount(d, "/", true), "3", "f.txt");
        assertEquals("at the root", r.stdout());
    }

    @Test
    void theHostCanPutFilesInAndReadThemBack() {
        try (Cell cell = Cell.create(Guests.load("cat.casm"),
                CellConfig.builder().args(List.of("cat", "3", "given.txt")).stdout(new ByteArrayOutputStream()).build())) {
            var fs = cell.fileSystem();
            var opened = fs.open(fs.root(), "given.txt", true,
                    dev.cella.sandbox.fs.VirtualFileSystem.CREATE | dev.cella.sandbox.fs.VirtualFileSystem.WRITE);
            byte[] text = "from the host".getBytes(StandardCharsets.UTF_8);
            opened.file().write(0, text, 0, text.length);
            RunResult r = cell.run();
            assertEquals(Outcome.EXITED, r.outcome());
            assertEquals(13, r.accounting().fsBytesRead());
        }
    }
}
