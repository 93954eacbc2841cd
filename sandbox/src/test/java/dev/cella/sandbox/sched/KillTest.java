package dev.cella.sandbox.sched;

import static dev.cella.sandbox.sched.SchedGuests.LONG;
import static dev.cella.sandbox.sched.SchedGuests.records;
import static dev.cella.sandbox.sched.SchedGuests.writer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killing a cell in the middle of writing: its file holds exactly the records of the fd_write
 * calls that completed, nothing torn, and the other cells' files and results are untouched.
 */
class KillTest {
    private static final long SLICE = 65_536;
    private static final int RECORDS = 100;
    /** Steps between two records: 80,000 units of fuel, more than one poll interval. */
    private static final int SPIN = 40_000;

    @TempDir
    Path dir;

    private record Writer(String name, Cell cell, Path file) {}

    private List<Writer> writers(Module module, String... names) throws IOException {
        List<Writer> out = new ArrayList<>();
        for (String name : names) {
            Path d = Files.createDirectory(dir.resolve(name));
            Cell cell = Cell.create(module, CellConfig.builder().mount(d, "/", false).build());
            out.add(new Writer(name, cell, d.resolve("out.txt")));
        }
        return out;
    }

    /** Checks that {@code w}'s file holds whole records 0..k-1 for k the calls that returned (or one more). */
    private static int assertConsistent(Writer w) throws IOException {
        String text = Files.readString(w.file, StandardCharsets.US_ASCII);
        assertEquals(0, text.length() % 8, "no torn record in " + w.name + ": " + text.length() + " bytes");
        int k = text.length() / 8;
        assertEquals(records(k), text, "records of " + w.name + " in order");
        // The kill lands at a safe point: maybe after a write returned and before the guest
        // counted it, never inside the write.
        int counted = (int) w.cell.instance().globals()[0];
        assertTrue(k == counted || k == counted + 1, w.name + ": " + k + " records, " + counted + " calls counted");
        return k;
    }

    private static void assertFinishedWell(Writer w, CellHandle h) throws IOException, InterruptedException {
        RunResult r = h.await(LONG);
        assertNotNull(r, w.name + " never finished");
        assertEquals(Outcome.EXITED, r.outcome(), w.name + ": " + r.error());
        assertEquals(0, r.exitStatus());
        assertEquals(records(RECORDS), Files.readString(w.file, StandardCharsets.US_ASCII), w.name);
    }

    @Test
    void killAtASliceEndLeavesItsFileConsistentAndOthersUntouched() throws IOException, InterruptedException {
        List<Writer> ws = writers(writer(RECORDS, SPIN), "a", "b", "c");
        SchedulerObserver killB = new SchedulerObserver() {
            @Override
            public void sliceEnded(Scheduler s, CellHandle cell, long fuel) {
                if (cell.name().equals("b") && cell.stats().slices() == 30) {
                    cell.kill();
                }
            }
        };
        try (Scheduler s = SchedGuests.deterministic(SLICE).observer(killB).memoryPool(1 << 20).build()) {
            List<CellHandle> hs = new ArrayList<>();
            for (Writer w : ws) {
                hs.add(s.spawn(w.cell, CellSpec.named(w.name)));
            }
            s.resume();
            RunResult killed = hs.get(1).await(LONG);
            assertNotNull(killed);
            assertInstanceOf(CellKilled.class, killed.error());
            int k = assertConsistent(ws.get(1));
            assertTrue(k > 0 && k < RECORDS, "killed in the middle: " + k + " records");
            assertFinishedWell(ws.get(0), hs.get(0));
            assertFinishedWell(ws.get(2), hs.get(2));
            assertEquals(0, s.memoryPool().used(), "all memory is back in the pool");
        }
    }

    @Test
    void killFromAnotherThreadWhileWritingLeavesItsFileConsistent() throws IOException, InterruptedException {
        List<Writer> ws = writers(writer(RECORDS, SPIN), "a", "b", "c");
        try (Scheduler s = Scheduler.builder().threads(2).sliceFuel(SLICE).build()) {
            List<CellHandle> hs = new ArrayList<>();
            for (Writer w : ws) {
                hs.add(s.spawn(w.cell, CellSpec.named(w.name)));
            }
            Path victim = ws.get(1).file;
            while (!Files.exists(victim) || Files.size(victim) < 8 * 10) {
                Thread.onSpinWait();
            }
            hs.get(1).kill();
            RunResult killed = hs.get(1).await(LONG);
            assertNotNull(killed);
            if (killed.outcome() == Outcome.EXITED) {
                // It finished its last record before the kill arrived: nothing to check but the file.
                assertEquals(records(RECORDS), Files.readString(victim, StandardCharsets.US_ASCII));
            } else {
                assertInstanceOf(CellKilled.class, killed.error());
                assertConsistent(ws.get(1));
            }
            assertFinishedWell(ws.get(0), hs.get(0));
            assertFinishedWell(ws.get(2), hs.get(2));
        }
    }

    /** Descriptors of this process open on {@code file}, from /proc/self/fd (Linux). */
    private static long openDescriptors(Path file) throws IOException {
        Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException | UnsupportedOperationException e) {
                    return false; // a descriptor closed while listing, or not a link
                }
            }).count();
        }
    }

    @Test
    void aKilledCellsHostFilesAreClosed() throws IOException, InterruptedException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to see open descriptors");
        List<Writer> ws = writers(writer(RECORDS, SPIN), "only");
        try (Scheduler s = SchedGuests.deterministic(SLICE).build()) {
            CellHandle h = s.spawn(ws.get(0).cell, CellSpec.named("only"));
            s.pauseAt(20 * SLICE);
            s.resume();
            assertTrue(s.awaitIdle(LONG));
            assertEquals(1, openDescriptors(ws.get(0).file), "the parked guest holds its file open");
            h.kill();
            assertNotNull(h.await(LONG));
            int k = assertConsistent(ws.get(0));
            assertTrue(k > 0 && k < RECORDS);
            assertEquals(0, openDescriptors(ws.get(0).file), "the killed guest's file is closed");
        }
    }
}
