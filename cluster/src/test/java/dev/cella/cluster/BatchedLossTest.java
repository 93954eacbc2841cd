package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member lost while it holds cells that reached it in one batch ({@link Outbox}), and whose
 * commits and ends leave in batches: every cell of the submission ends exactly once, its output
 * whole and in order (docs/cluster.md, "Batched messages"). Three members in one JVM; the member
 * is downed by another, as the split brain resolver downs one killed with SIGKILL (the multi-JVM
 * test, ClusterMultiJvmTest in tools, kills one).
 */
@Timeout(120)
class BatchedLossTest {
    private static final Path FIBS = Path.of("../tools/src/test/resources/cluster/fibs.casm");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CELLS = 24;
    private static final int N = 26;

    private static ClusterNode member(int port, String seed) {
        return ClusterNode.start(new Settings("127.0.0.1", port, List.of(seed), null, Duration.ofSeconds(1)), 1,
                256L << 20, null, null);
    }

    private static Wire.Load load(RawClient peer, String member) throws InterruptedException {
        peer.member(member).tell(new Wire.LoadQuery(peer.self()));
        while (true) {
            Wire.Load l = peer.expect(Wire.Load.class, WAIT);
            if (l.member().equals(member)) {
                return l;
            }
        }
    }

    @Test
    void aLostMembersBatchedCellsEndOnceElsewhere() throws Exception {
        int[] ports = {InProcessClusterTest.freePort(), InProcessClusterTest.freePort(), InProcessClusterTest.freePort()};
        String seed = "127.0.0.1:" + ports[0];
        try (ClusterNode a = member(ports[0], seed);
                ClusterNode c = member(ports[2], seed);
                RawClient peer = new RawClient();
                RawClient watcher = new RawClient()) {
            ClusterNode b = member(ports[1], seed);
            String bName;
            Wire.Load l;
            try {
                assertTrue(a.awaitUp(WAIT) && b.awaitUp(WAIT) && c.awaitUp(WAIT));
                bName = b.name();
                ReplicationTest.awaitUp(watcher, a.name(), 3);
                long end = System.nanoTime() + WAIT.toNanos();
                byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(FIBS), "fibs.casm"));
                String id = ClusterClient.newSubmission();
                List<Wire.CellJob> jobs = new ArrayList<>();
                for (int i = 0; i < CELLS; i++) {
                    // Durable, several segments each: some of b's count (and are replicated) before it goes.
                    jobs.add(new Wire.CellJob(id, i, "f" + i, module, List.of("fibs.casm", String.valueOf(N)), 1, -1,
                            -1, 0, "interp", null, true, false, 1_000_000));
                }
                peer.member(a.name()).tell(new Wire.Submit(id, jobs, peer.self()));
                // b got its third of the cells in one batch; once it has committed segments of
                // them and ended none (its cells share its core, so they end together, later), it
                // is downed, as the split brain resolver downs a member that is gone: from then on
                // nothing it sends counts, and its cells are placed again.
                l = load(watcher, bName);
                while (!(l.fuel() > 0 || l.finished() > 0) && System.nanoTime() < end) {
                    Thread.sleep(10);
                    l = load(watcher, bName);
                }
                assertTrue(l.finished() == 0 && l.cells() == CELLS / 3, "b had every cell of its batch to lose: " + l);
                a.down(bName);
            } finally {
                b.close();
            }

            ByteArrayOutputStream[] out = new ByteArrayOutputStream[CELLS];
            long[] next = new long[CELLS];
            boolean[] ended = new boolean[CELLS];
            List<String> members = new ArrayList<>();
            for (int i = 0; i < CELLS; i++) {
                out[i] = new ByteArrayOutputStream();
            }
            while (members.size() < CELLS) {
                Msg m = peer.next(WAIT);
                switch (m) {
                    case null -> throw new AssertionError("stalled with " + members.size() + " cells ended");
                    case Wire.CellOutput o -> {
                        assertFalse(ended[o.index()], "output after the end of cell " + o.index());
                        assertTrue(o.seq() >= next[o.index()], "cell " + o.index() + " seq " + o.seq() + " again");
                        next[o.index()] = o.seq() + 1;
                        out[o.index()].writeBytes(o.stdout());
                    }
                    case Wire.CellDone d -> {
                        assertFalse(ended[d.index()], "cell " + d.index() + " ended twice");
                        ended[d.index()] = true;
                        assertEquals("EXITED", d.outcome(), d.error());
                        assertEquals(ReplicationTest.expectedFibs(N), out[d.index()].toString(StandardCharsets.UTF_8), "cell " + d.index());
                        members.add(d.member());
                    }
                    default -> { }
                }
            }
            assertNull(peer.next(Duration.ofMillis(500)), "nothing after the last end");
            assertTrue(members.stream().filter(x -> !x.equals(bName)).count() > 2 * CELLS / 3,
                    "b's cells ended on a and c: " + members);
        }
    }
}
