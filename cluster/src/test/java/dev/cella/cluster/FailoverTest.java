package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Coordinator failover (docs/cluster.md, "Coordinator failover"): the rule that decides per cell
 * whether a new coordinator resumes it from a replica or starts it over ({@link Takeover}), the
 * submitter's output per segment and its rewind ({@link SegmentOutput}), a re-attach the member
 * refuses with a reason (never a crash), and a submission whose coordinator leaves taken over by
 * another member with every line of output exactly once.
 */
@Timeout(120)
class FailoverTest {
    private static final Path FIBS = Path.of("../tools/src/test/resources/cluster/fibs.casm");
    private static final byte[] KEY = "the cluster's segment key".getBytes(StandardCharsets.UTF_8);

    private static Takeover.CellState running(long next, boolean whole) {
        return new Takeover.CellState(false, next, whole);
    }

    @Test
    void aCellResumesFromAReplicaOnlyIfTheSubmitterHoldsEverySegmentBeforeIt() {
        Takeover.CellState ended = new Takeover.CellState(true, 0, true);
        assertEquals(Takeover.Action.ENDED, Takeover.decide(ended, 7));
        assertEquals(Takeover.Action.ENDED, Takeover.decide(ended, -1));
        // No replica: start over, whatever the submitter holds.
        assertEquals(Takeover.Action.RESTART, Takeover.decide(running(0, true), -1));
        assertEquals(Takeover.Action.RESTART, Takeover.decide(running(5, true), -1));
        // The replica's segment counted and its output arrived (next = held + 1), or counted and
        // was lost with the coordinator, or never counted (next = held): resume from it.
        assertEquals(Takeover.Action.RESUME, Takeover.decide(running(5, true), 4));
        assertEquals(Takeover.Action.RESUME, Takeover.decide(running(5, true), 5));
        assertEquals(Takeover.Action.RESUME, Takeover.decide(running(0, true), 0));
        // A replica behind the submitter (another replica held later ones and was lost too).
        assertEquals(Takeover.Action.RESUME, Takeover.decide(running(9, true), 2));
        // The output of a segment before the replica's is missing: start over.
        assertEquals(Takeover.Action.RESTART, Takeover.decide(running(4, true), 5));
        assertEquals(Takeover.Action.RESTART, Takeover.decide(running(0, true), 1));
        // The submitter skipped a seq (it cannot vouch for what it holds): start over.
        assertEquals(Takeover.Action.RESTART, Takeover.decide(running(5, false), 4));
    }

    @Test
    void aMalformedReattachIsNamed() {
        List<Wire.CellJob> one = List.of(job("s", 0));
        List<Takeover.CellState> state = List.of(running(0, true));
        assertNull(Takeover.problem(new Takeover.Attach("s", one, 1, "m:1", state, null)));
        assertTrue(Takeover.problem(new Takeover.Attach("s", one, 0, "m:1", state, null)).contains("attempt 0"));
        assertTrue(Takeover.problem(new Takeover.Attach("s", one, Takeover.MAX_ATTEMPT + 1, "m:1", state, null))
                .contains("attempt"));
        assertTrue(Takeover.problem(new Takeover.Attach("s", one, 1, "m:1", List.of(), null)).contains("0 cell states"));
        assertTrue(Takeover.problem(new Takeover.Attach("s", one, 1, "m:1", List.of(running(-3, true)), null))
                .contains("-3"));
    }

    @Test
    void theSubmitterKeepsEachSegmentOnceAndDropsWhatATakeoverRewinds() {
        SegmentOutput o = new SegmentOutput();
        o.add(0, b("a\n"), b(""));
        o.add(1, b("b\n"), b("e1"));
        o.add(1, b("b\n"), b("e1")); // sent again: kept once
        o.add(2, b(""), b(""));
        o.add(3, b("d\n"), b(""));
        assertEquals(4, o.next());
        assertTrue(o.whole());
        o.rewind(2); // a takeover resumes from segment 2: 2 and 3 come again
        assertEquals(2, o.next());
        o.add(2, b(""), b(""));
        o.add(3, b("d\n"), b(""));
        o.add(4, b("e\n"), b("e4"));
        assertEquals("a\nb\nd\ne\nz", new String(o.out(b("z")), StandardCharsets.UTF_8));
        assertEquals("e1e4", new String(o.err(b("")), StandardCharsets.UTF_8));

        SegmentOutput gap = new SegmentOutput();
        gap.add(0, b("a"), b(""));
        gap.add(2, b("c"), b(""));
        assertFalse(gap.whole(), "seq 1 was skipped");
        gap.rewind(0); // started over: nothing held, nothing missing
        assertTrue(gap.whole());
        assertFalse(gap.holds());
        gap.rewind(5); // beyond what is held: nothing to drop
        assertEquals(0, gap.next());
    }

    @Test
    void aBadReattachGetsARefusalAndTheConnectionGoesOn() throws Exception {
        int port = InProcessClusterTest.freePort();
        String self = "127.0.0.1:" + port;
        try (ClusterNode a = ClusterNode.start(new Settings("127.0.0.1", port, List.of(self), null, null), 1, 64L << 20)) {
            assertTrue(a.awaitUp(Duration.ofSeconds(30)));
            String[] hp = Settings.hostPort(a.clientName());
            try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
                s.setSoTimeout(20_000);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                // Two cell states for one cell.
                SubmitProtocol.write(out, job("sub", 0));
                SubmitProtocol.writeAttach(out, "sub", 1, "127.0.0.1:1", List.of(running(0, true), running(0, true)));
                out.flush();
                assertRefused(in, "2 cells announced, 1 sent");
                // Attempt 0.
                SubmitProtocol.write(out, job("sub", 0));
                SubmitProtocol.writeAttach(out, "sub", 0, "127.0.0.1:1", List.of(running(0, true)));
                out.flush();
                assertRefused(in, "attempt 0");
                // This member named as the coordinator lost.
                SubmitProtocol.write(out, job("sub", 0));
                SubmitProtocol.writeAttach(out, "sub", 1, a.name(), List.of(running(0, true)));
                out.flush();
                assertRefused(in, "names this member");
                // A body cut short.
                out.writeInt(4);
                out.writeByte(SubmitProtocol.ATTACH);
                out.writeShort(1);
                out.writeByte('x');
                out.flush();
                assertRefused(in, "malformed re-attach");
                // The connection still serves.
                SubmitProtocol.writeEmpty(out, SubmitProtocol.STATUS_QUERY);
                out.flush();
                assertInstanceOf(Wire.Text.class, SubmitProtocol.read(in).message());
            }
        }
    }

    private static void assertRefused(DataInputStream in, String why) throws Exception {
        Wire.Refused r = assertInstanceOf(Wire.Refused.class, SubmitProtocol.read(in).message());
        assertTrue(r.reason().contains(why), r.reason());
    }

    /**
     * Three members; the submitter talks to b and names a as the next. b leaves while its cells
     * run (b is the coordinator and one of the runners; a and c hold replicas): the submitter
     * re-attaches to a, which takes the submission over, and every cell's output is whole, each
     * line once.
     */
    @Test
    void aSubmissionWhoseCoordinatorLeavesIsTakenOverWithEveryLineOnce() throws Exception {
        int[] ports = {InProcessClusterTest.freePort(), InProcessClusterTest.freePort(), InProcessClusterTest.freePort()};
        String seed = "127.0.0.1:" + ports[0];
        int n = 30;
        try (ClusterNode a = member(ports[0], seed);
                ClusterNode c = member(ports[2], seed)) {
            ClusterNode b = member(ports[1], seed);
            boolean bClosed = false;
            try {
                assertTrue(a.awaitUp(Duration.ofSeconds(30)) && b.awaitUp(Duration.ofSeconds(30))
                        && c.awaitUp(Duration.ofSeconds(30)));
                Settings client = new Settings("127.0.0.1", 0, List.of(), null, null);
                try (ClusterClient status = ClusterClient.connect(client, b.clientName(), ClusterClient.CONTACT)) {
                    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (status.status().stream().filter(l -> l.contains(" up ")).count() < 3) {
                        assertTrue(System.nanoTime() < end, "b does not see three members up");
                        Thread.sleep(100);
                    }
                }
                String id = ClusterClient.newSubmission();
                byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(FIBS), "fibs.casm"));
                List<Wire.CellJob> jobs = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    jobs.add(new Wire.CellJob(id, i, "f" + i, module, List.of("fibs.casm", String.valueOf(n)), 1, -1, -1,
                            0, "interp", null, true, false, 300_000));
                }
                Map<Integer, Wire.CellDone> ends = new ConcurrentHashMap<>();
                Throwable[] failed = new Throwable[1];
                ClusterClient sub = ClusterClient.connect(client, List.of(b.clientName(), a.clientName()),
                        ClusterClient.CONTACT);
                Thread submitter = submitting(sub, id, jobs, ends, failed);
                // Once every cell has a replica (on a or c: b never holds its own), b leaves mid-run.
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (a.replicas().size() + c.replicas().size() < jobs.size()) {
                    assertTrue(System.nanoTime() < end && submitter.isAlive(), "not every cell has a replica");
                    Thread.sleep(20);
                }
                assertTrue(ends.size() < jobs.size(), "cells still run when b leaves");
                b.close();
                bClosed = true;
                submitter.join(Duration.ofSeconds(90).toMillis());
                assertNull(failed[0], () -> "the submission failed: " + failed[0]);
                // Cells resumed from their replicas, none started over. Not necessarily all six: the
                // submitter tries b again first (a broken connection may be b alive), and a cell b
                // ended meanwhile, or whose end reached the submitter before b went, needs no resuming.
                try (ClusterClient status = ClusterClient.connect(client, a.clientName(), ClusterClient.CONTACT)) {
                    List<String> lines = status.status();
                    assertTrue(lines.get(lines.size() - 1).matches(".*1 taken over from lost coordinators: [1-6] "
                            + "cells resumed from replicas, 0 started over"), lines.toString());
                }
                assertEquals(jobs.size(), ends.size());
                for (Wire.CellDone d : ends.values()) {
                    assertEquals("EXITED", d.outcome(), d.error());
                    assertEquals(ReplicationTest.expectedFibs(n), new String(d.stdout(), StandardCharsets.UTF_8),
                            "cell " + d.index());
                }
                // The new coordinator deletes the replicas when the submission ends.
                end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (a.replicas().size() + c.replicas().size() > 0) {
                    assertTrue(System.nanoTime() < end, "the taken-over submission's replicas are deleted");
                    Thread.sleep(50);
                }
            } finally {
                if (!bClosed) {
                    b.close();
                }
            }
        }
    }

    /**
     * The submitter's connection to its coordinator breaks (closed as a network failure would)
     * while every member lives: the submitter re-attaches to the same member, whose frozen
     * submission goes on from what counted; every cell ends once, its output whole, and none
     * starts over (docs/cluster.md, "The submitter's connection").
     */
    @Test
    void aSubmitterWhoseConnectionBreaksReattachesToItsCoordinatorAndNoCellStartsOver() throws Exception {
        int[] ports = {InProcessClusterTest.freePort(), InProcessClusterTest.freePort()};
        String seed = "127.0.0.1:" + ports[0];
        int n = 30;
        try (ClusterNode a = member(ports[0], seed);
                ClusterNode b = member(ports[1], seed)) {
            assertTrue(a.awaitUp(Duration.ofSeconds(30)) && b.awaitUp(Duration.ofSeconds(30)));
            Settings client = new Settings("127.0.0.1", 0, List.of(), null, null);
            try (ClusterClient status = ClusterClient.connect(client, a.clientName(), ClusterClient.CONTACT)) {
                awaitCells(status, 2, -1);
            }
            String id = ClusterClient.newSubmission();
            byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(FIBS), "fibs.casm"));
            List<Wire.CellJob> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                jobs.add(new Wire.CellJob(id, i, "f" + i, module, List.of("fibs.casm", String.valueOf(n)), 1, -1, -1, 0,
                        "interp", null, true, false, 300_000));
            }
            Map<Integer, Wire.CellDone> ends = new ConcurrentHashMap<>();
            Throwable[] failed = new Throwable[1];
            ClusterClient sub = ClusterClient.connect(client, a.clientName(), ClusterClient.CONTACT); // a alone
            Thread submitter = submitting(sub, id, jobs, ends, failed);
            // Once every cell has counted a segment: b, the only other member, holds every replica,
            // and a run commits seq 1 only once seq 0 counted.
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!everyCellPast(b.replicas(), id, jobs)) {
                assertTrue(System.nanoTime() < end && submitter.isAlive(), "not every cell counted a segment");
                Thread.sleep(20);
            }
            assertTrue(ends.size() < jobs.size(), "cells still run when the connection breaks");
            sub.dropConnection();
            submitter.join(Duration.ofSeconds(90).toMillis());
            assertNull(failed[0], () -> "the submission failed: " + failed[0]);
            assertEquals(jobs.size(), ends.size());
            for (Wire.CellDone d : ends.values()) {
                assertEquals("EXITED", d.outcome(), d.error());
                assertEquals(ReplicationTest.expectedFibs(n), new String(d.stdout(), StandardCharsets.UTF_8),
                        "cell " + d.index());
            }
            try (ClusterClient status = ClusterClient.connect(client, a.clientName(), ClusterClient.CONTACT)) {
                String last = status.status().getLast();
                assertTrue(last.matches(".*; 1 re-attached by their submitters: [1-6] cells resumed, 0 started over"), last);
            }
        }
    }

    /** Runs {@code sub}'s submission on a thread of its own: each end into {@code ends} once, a failure into {@code failed[0]}. */
    private static Thread submitting(ClusterClient sub, String id, List<Wire.CellJob> jobs, Map<Integer, Wire.CellDone> ends,
            Throwable[] failed) {
        return Thread.ofPlatform().start(() -> {
            try (sub) {
                sub.submit(id, jobs, d -> assertNull(ends.put(d.index(), d), "cell " + d.index() + " ended twice"));
            } catch (Throwable t) {
                failed[0] = t;
            }
        });
    }

    /** True once the replica of every cell of {@code jobs} on {@code r} is past its first segment. */
    private static boolean everyCellPast(Replicas r, String id, List<Wire.CellJob> jobs) throws Exception {
        for (Wire.CellJob j : jobs) {
            byte[] seg = r.get(id, j.index());
            if (seg == null || dev.cella.sandbox.durable.Segment.fromBytes(seg, KEY, 1 << 24).seq() < 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * A submitter whose connection ends (and who names no other member) leaves nothing behind:
     * its coordinator freezes the submission, whose runs stop on the members and whose
     * reservations are released (docs/cluster.md, "Coordinator failover").
     */
    @Test
    void theCellsOfASubmitterThatIsGoneStop() throws Exception {
        int[] ports = {InProcessClusterTest.freePort(), InProcessClusterTest.freePort()};
        String seed = "127.0.0.1:" + ports[0];
        try (ClusterNode a = member(ports[0], seed);
                ClusterNode b = member(ports[1], seed)) {
            assertTrue(a.awaitUp(Duration.ofSeconds(30)) && b.awaitUp(Duration.ofSeconds(30)));
            Settings client = new Settings("127.0.0.1", 0, List.of(), null, null);
            try (ClusterClient status = ClusterClient.connect(client, a.clientName(), ClusterClient.CONTACT)) {
                awaitCells(status, 2, -1); // both members up
                String id = ClusterClient.newSubmission();
                byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(FIBS), "fibs.casm"));
                List<Wire.CellJob> jobs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    jobs.add(new Wire.CellJob(id, i, "f" + i, module, List.of("fibs.casm", "50"), 1, -1, 1 << 20, 0,
                            "interp", null, true, false, 300_000));
                }
                ClusterClient sub = ClusterClient.connect(client, a.clientName(), ClusterClient.CONTACT);
                Thread submitter = Thread.ofPlatform().start(() -> {
                    try {
                        sub.submit(id, jobs, d -> { });
                    } catch (ClusterException e) {
                        // the connection was closed under it
                    }
                });
                awaitCells(status, 2, 4); // running
                sub.close();
                submitter.join(Duration.ofSeconds(30).toMillis());
                awaitCells(status, 2, 0);
                List<String> lines = status.status();
                assertTrue(lines.getLast().contains("0 cells placed") && lines.stream().noneMatch(l -> l.contains("1.0 MiB")),
                        "reservations released: " + lines);
            }
        }
    }

    /**
     * Waits until the status shows {@code members} members up and, unless {@code cells} is -1,
     * {@code cells} cells on them in all (their loads are refreshed every second).
     */
    private static void awaitCells(ClusterClient status, int members, int cells) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> lines = status.status();
        while (lines.stream().filter(l -> l.contains(" up ")).count() != members || cells >= 0
                && lines.stream().filter(l -> l.contains(" up ")).mapToInt(l -> Integer.parseInt(l.trim()
                        .split("\\s+")[7])).sum() != cells) {
            assertTrue(System.nanoTime() < end, "waiting for " + cells + " cells: " + lines);
            Thread.sleep(100);
            lines = status.status();
        }
    }

    private static ClusterNode member(int port, String seed) {
        return ClusterNode.start(new Settings("127.0.0.1", port, List.of(seed), null, null), 1, 256L << 20, null, KEY);
    }

    private static Wire.CellJob job(String submission, int index) {
        return new Wire.CellJob(submission, index, "x", new byte[] {1}, List.of("x"), 1, -1, -1, 0, "interp", null,
                false, false, 0);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
