package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import dev.cella.sandbox.durable.Segment;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments replicated before they count, and authenticated (docs/cluster.md, "Replication"):
 * two members and a test peer in one JVM over loopback TCP.
 */
@Timeout(90)
class ReplicationTest {
    /** Prints fib(0) to fib(N), a line each (the cluster's durable-run guest in tools' tests). */
    private static final Path FIBS = Path.of("../tools/src/test/resources/cluster/fibs.casm");
    private static final byte[] KEY = "the cluster's segment key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_KEY = "another cluster's key".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int N = 22;

    @TempDir
    Path dir;

    private static ClusterNode member(int port, String seed, Path dataDir, byte[] key) {
        return ClusterNode.start(new Settings("127.0.0.1", port, List.of(seed), null, null), 1, 256L << 20, dataDir,
                key);
    }

    /** Waits until {@code coordinator} sees {@code count} members up (so that it has a replica to choose). */
    static void awaitUp(RawClient peer, String coordinator, int count) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            peer.member(coordinator).tell(new Wire.StatusQuery(peer.self()));
            Wire.Text t = peer.expect(Wire.Text.class, WAIT);
            if (t.lines().stream().filter(l -> l.contains(" up ")).count() == count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(coordinator + " does not see " + count + " members up");
    }

    private static List<Wire.CellJob> fibsCells(String id, int count) throws Exception {
        return fibsCells(id, count, N);
    }

    private static List<Wire.CellJob> fibsCells(String id, int count, int n) throws Exception {
        byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(FIBS), "fibs.casm"));
        List<Wire.CellJob> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(new Wire.CellJob(id, i, "f" + i, module, List.of("fibs.casm", String.valueOf(n)), 1, -1, -1, 0,
                    "interp", null, true, false, 100_000));
        }
        return jobs;
    }

    private static String expectedFibs() {
        return expectedFibs(N);
    }

    /** What fibs.casm prints for {@code n}: fib(0) to fib(n), a line each. */
    static String expectedFibs(int n) {
        StringBuilder s = new StringBuilder();
        long a = 0;
        long b = 1;
        for (int i = 0; i <= n; i++) {
            s.append(a).append('\n');
            long c = a + b;
            a = b;
            b = c;
        }
        return s.toString();
    }

    /** Collects the submission's messages until every cell has ended; returns each cell's output, checked. */
    private static List<Wire.CellDone> collect(RawClient peer, int cells) throws InterruptedException {
        return collect(peer, cells, N);
    }

    private static List<Wire.CellDone> collect(RawClient peer, int cells, int n) throws InterruptedException {
        ByteArrayOutputStream[] out = new ByteArrayOutputStream[cells];
        long[] next = new long[cells];
        List<Wire.CellDone> done = new ArrayList<>();
        for (int i = 0; i < cells; i++) {
            out[i] = new ByteArrayOutputStream();
        }
        while (done.size() < cells) {
            Msg m = peer.next(WAIT);
            switch (m) {
                case null -> throw new AssertionError("the submission stalled with " + done.size() + " cells ended");
                case Wire.CellOutput o -> {
                    // Released once per seq, in order (a segment without output sends none).
                    assertTrue(o.seq() >= next[o.index()], "cell " + o.index() + " seq " + o.seq());
                    next[o.index()] = o.seq() + 1;
                    out[o.index()].writeBytes(o.stdout());
                }
                case Wire.CellDone d -> {
                    assertEquals("EXITED", d.outcome(), d.error());
                    assertEquals(expectedFibs(n), out[d.index()].toString(StandardCharsets.UTF_8), "cell " + d.index());
                    done.add(d);
                }
                default -> { }
            }
        }
        return done;
    }

    private static int await(java.util.function.IntSupplier value, int want) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        int v = value.getAsInt();
        while (v != want && System.nanoTime() < end) {
            Thread.sleep(50);
            v = value.getAsInt();
        }
        return v;
    }

    private static int size(Replicas r) {
        try {
            return r.size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSegmentCountsOnlyOnceAnotherMemberHoldsIt() throws Exception {
        int p1 = InProcessClusterTest.freePort();
        int p2 = InProcessClusterTest.freePort();
        String seed = "127.0.0.1:" + p1;
        Path dirB = dir.resolve("b");
        Files.createDirectories(dirB);
        try (ClusterNode a = member(p1, seed, dir.resolve("a"), KEY);
                ClusterNode b = member(p2, seed, dirB, KEY);
                RawClient peer = new RawClient()) {
            assertTrue(a.awaitUp(WAIT) && b.awaitUp(WAIT));
            awaitUp(peer, a.name(), 2);
            // b is every cell's replica: a's cells go to the other member, b's too, as a is
            // their coordinator (and a coordinator is never its own replica).
            b.replicas().hold(true);
            String id = ClusterClient.newSubmission();
            peer.member(a.name()).tell(new Wire.Submit(id, fibsCells(id, 4), peer.self()));

            // The replica holds segments but has not answered: nothing is released.
            assertTrue(await(() -> Math.min(size(b.replicas()), 2), 2) == 2, "b holds segments of two cells or more");
            Msg early = peer.next(Duration.ofMillis(1500));
            assertNull(early, "released before the replica answered: " + early);
            assertEquals(0, size(a.replicas()), "the coordinator is not its own replica");
            try (Stream<Path> files = Files.walk(dirB.resolve("replicas"))) {
                Path one = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
                Segment s = Segment.fromBytes(Files.readAllBytes(one), KEY, 16 << 20); // whole, and tagged
                assertTrue(s.cellId().startsWith(id + "/"), s.cellId());
            }

            b.replicas().hold(false);
            List<Wire.CellDone> done = collect(peer, 4);
            assertTrue(done.stream().anyMatch(d -> d.member().equals(b.name())), "some cells ran on b");
            assertTrue(done.stream().anyMatch(d -> d.member().equals(a.name())), "some cells ran on a");
            // Bounded: one segment per cell while it runs, none once the submission ended.
            assertEquals(0, await(() -> size(b.replicas()), 0), "the finished submission's replicas are deleted");
        }
    }

    @Test
    void aCellThatEndsInItsFirstSegmentCountsWithoutAReplica() throws Exception {
        int p1 = InProcessClusterTest.freePort();
        int p2 = InProcessClusterTest.freePort();
        String seed = "127.0.0.1:" + p1;
        try (ClusterNode a = member(p1, seed, null, KEY);
                ClusterNode b = member(p2, seed, null, KEY);
                RawClient peer = new RawClient()) {
            assertTrue(a.awaitUp(WAIT) && b.awaitUp(WAIT));
            awaitUp(peer, a.name(), 2);
            // b would be every cell's replica, but withholds its answers: a segment that needs
            // one never counts. These cells end within their first segment (fib(0) to fib(5),
            // far below 100,000 units of fuel): their final segments count at once.
            b.replicas().hold(true);
            String id = ClusterClient.newSubmission();
            peer.member(a.name()).tell(new Wire.Submit(id, fibsCells(id, 6, 5), peer.self()));
            List<Wire.CellDone> done = collect(peer, 6, 5);
            assertTrue(done.stream().anyMatch(d -> d.member().equals(b.name())), "some cells ran on b");
            assertEquals(0, size(b.replicas()), "no final segment was sent to a replica");
            b.replicas().hold(false);
        }
    }

    @Test
    void aReplicaRefusesASegmentWhoseTagDoesNotVerify() throws Exception {
        int p1 = InProcessClusterTest.freePort();
        String seed = "127.0.0.1:" + p1;
        Path dataDir = dir.resolve("m");
        Files.createDirectories(dataDir);
        try (ClusterNode m = member(p1, seed, dataDir, KEY); RawClient peer = new RawClient()) {
            assertTrue(m.awaitUp(WAIT));
            String id = ClusterClient.newSubmission();
            Segment seg = new Segment(Worker.cellId(id, 3), 5, 1000, new byte[] {1, 2, 3},
                    "line\n".getBytes(StandardCharsets.UTF_8), new byte[0], Optional.empty());
            byte[] good = seg.toBytes(KEY);
            byte[] tampered = good.clone();
            tampered[tampered.length / 2] ^= 1; // inside the output: a changed line
            List<byte[]> attacks = List.of(tampered, seg.toBytes(OTHER_KEY), seg.toBytes(null),
                    new Segment(Worker.cellId(id, 4), 5, 1000, new byte[] {1}, new byte[0], new byte[0],
                            Optional.empty()).toBytes(KEY)); // a valid segment of another cell
            for (byte[] bad : attacks) {
                peer.member(m.name()).tell(new Wire.Replicate(id, 3, 1, 5, "peer", bad, peer.self()));
                Wire.Replicated r = peer.expect(Wire.Replicated.class, WAIT);
                assertFalse(r.ok());
                assertTrue(r.error().startsWith("UNAUTHENTICATED") || r.error().startsWith("MALFORMED"), r.error());
                assertNull(m.replicas().get(id, 3), "nothing kept");
            }
            peer.member(m.name()).tell(new Wire.Replicate(id, 3, 1, 5, "peer", good, peer.self()));
            Wire.Replicated r = peer.expect(Wire.Replicated.class, WAIT);
            assertTrue(r.ok(), r.error());
            assertEquals(m.name(), r.member());
            assertArrayEquals(good, m.replicas().get(id, 3));
            assertEquals(1, size(m.replicas()));

            // Kept on the disk: a member started again on the same directory still has it.
            assertArrayEquals(good, new Replicas("x", dataDir, KEY).get(id, 3));
            peer.member(m.name()).tell(new Wire.ForgetReplicas(id));
            assertEquals(0, await(() -> size(m.replicas()), 0));
        }
    }

    @Test
    void aMemberWithAnotherKeyGetsNoCellsAndItsCellsResumeWhereSegmentsVerify() throws Exception {
        int p1 = InProcessClusterTest.freePort();
        int p2 = InProcessClusterTest.freePort();
        String seed = "127.0.0.1:" + p1;
        try (ClusterNode a = member(p1, seed, null, KEY);
                ClusterNode b = member(p2, seed, null, OTHER_KEY);
                RawClient peer = new RawClient()) {
            assertTrue(a.awaitUp(WAIT) && b.awaitUp(WAIT));
            awaitUp(peer, a.name(), 2);
            String id = ClusterClient.newSubmission();
            peer.member(a.name()).tell(new Wire.Submit(id, fibsCells(id, 4), peer.self()));
            // b's segments do not verify at a, and a's do not at b (its replica): b is refused
            // both ways, its cells run again on a, and every output is still whole and once.
            List<Wire.CellDone> done = collect(peer, 4);
            for (Wire.CellDone d : done) {
                assertEquals(a.name(), d.member());
            }
            peer.member(a.name()).tell(new Wire.StatusQuery(peer.self()));
            List<String> status = peer.expect(Wire.Text.class, WAIT).lines();
            assertTrue(status.stream().anyMatch(l -> l.startsWith(b.name()) && l.contains("untrusted")),
                    status.toString());
            assertEquals(0, size(b.replicas()));
        }
    }

    private static int cellsOn(RawClient peer, String member) {
        try {
            peer.member(member).tell(new Wire.LoadQuery(peer.self()));
            while (true) {
                Wire.Load l = peer.expect(Wire.Load.class, WAIT);
                if (l.member().equals(member)) {
                    return l.cells();
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theCellsOfACoordinatorThatIsGoneStopAndItsReplicasAreDroppedAfterAWhile() throws Exception {
        int[] ports = {InProcessClusterTest.freePort(), InProcessClusterTest.freePort(), InProcessClusterTest.freePort()};
        String seed = "127.0.0.1:" + ports[0];
        try (ClusterNode a = member(ports[0], seed, null, KEY);
                ClusterNode c = member(ports[2], seed, null, KEY);
                RawClient peer = new RawClient()) {
            ClusterNode b = member(ports[1], seed, null, KEY);
            try {
                assertTrue(a.awaitUp(WAIT) && b.awaitUp(WAIT) && c.awaitUp(WAIT));
                awaitUp(peer, b.name(), 3);
                String id = ClusterClient.newSubmission();
                // Three long cells, one per member (equal cores), coordinated by b.
                List<Wire.CellJob> jobs = new ArrayList<>();
                for (Wire.CellJob j : fibsCells(id, 3, 40)) {
                    jobs.add(new Wire.CellJob(j.submission(), j.index(), j.name(), j.module(), j.args(), 1, -1, -1, 0,
                            "interp", null, true, false, 1_000_000));
                }
                peer.member(b.name()).tell(new Wire.Submit(id, jobs, peer.self()));
                assertEquals(1, await(() -> Math.min(1, cellsOn(peer, a.name())) * Math.min(1, cellsOn(peer, c.name()))
                        * Math.min(1, size(a.replicas())) * Math.min(1, size(c.replicas())), 1),
                        "a and c run cells of b's, and hold replicas");
                c.replicas().orphanKeep(Duration.ofSeconds(1)); // a keeps them the default two minutes
            } finally {
                b.close();
            }
            // b has left: nobody acknowledges its cells' segments; a and c stop them, and keep its
            // replicas for a submitter to re-attach for a while (c one second), then delete them.
            assertEquals(0, await(() -> cellsOn(peer, a.name()) + cellsOn(peer, c.name()), 0), "b's cells stopped");
            assertEquals(0, await(() -> size(c.replicas()), 0), "b's replicas deleted once c's time is up");
            assertTrue(size(a.replicas()) > 0, "a keeps b's replicas for its default time");
        }
    }
}
