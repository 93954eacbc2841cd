package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --to A,B,...} (docs/cluster.md, "Submitting, and outputs"): a member that does not answer
 * or refuses the submission is passed over for the next, each named with its reason; when every
 * member refuses, the submission is refused (exit 79 on the command line) naming them all.
 */
@Timeout(120)
class PassOverTest {
    @Test
    void aMemberThatRefusesTheSubmissionIsPassedOverForTheNextAndAllRefusingIsARefusal() throws Exception {
        int small = InProcessClusterTest.freePort();
        int large = InProcessClusterTest.freePort();
        String nobody = "127.0.0.1:" + InProcessClusterTest.freePort(); // nothing listens there
        byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(InProcessClusterTest.HELLO), "hello.casm"));
        // Two clusters of one member each: only the large one has room for the cell's 128 MiB.
        try (ClusterNode s = ClusterNode.start(new Settings("127.0.0.1", small, List.of("127.0.0.1:" + small), null,
                null), 1, 64L << 20);
                ClusterNode l = ClusterNode.start(new Settings("127.0.0.1", large, List.of("127.0.0.1:" + large), null,
                        null), 1, 256L << 20)) {
            assertTrue(s.awaitUp(Duration.ofSeconds(20)) && l.awaitUp(Duration.ofSeconds(20)));
            Settings client = new Settings("127.0.0.1", 0, List.of(), null, null);
            List<String> notices = new CopyOnWriteArrayList<>();
            String id = ClusterClient.newSubmission();
            List<Wire.CellJob> jobs = List.of(new Wire.CellJob(id, 0, "h0", module, List.of("hello.casm"), 1, -1,
                    128L << 20, 0, "interp", null, true, false, 0));
            List<Wire.CellDone> ends = new ArrayList<>();
            try (ClusterClient c = ClusterClient.connect(client, List.of(nobody, s.clientName(), l.clientName()),
                    ClusterClient.CONTACT, notices::add)) {
                c.submit(id, jobs, ends::add);
            }
            assertEquals(1, ends.size());
            assertEquals("EXITED", ends.getFirst().outcome(), ends.getFirst().error());
            assertEquals(l.name(), ends.getFirst().member());
            assertEquals("Hello, world!\n", new String(ends.getFirst().stdout(), StandardCharsets.UTF_8));
            assertEquals(2, notices.size(), notices.toString());
            assertTrue(notices.get(0).contains("cannot connect to cluster member " + nobody)
                    && notices.get(0).endsWith("; talking to " + s.clientName() + " instead"), notices.get(0));
            assertTrue(notices.get(1).startsWith("member " + s.clientName() + " refused the submission: no member has "
                    + "the memory for h0") && notices.get(1).endsWith("; submitting to " + l.clientName() + " instead"),
                    notices.get(1));

            // Every member refuses, or does not answer: a refusal naming each.
            String id2 = ClusterClient.newSubmission();
            List<Wire.CellJob> huge = List.of(new Wire.CellJob(id2, 0, "huge", module, List.of("x"), 1, -1, 1L << 30, 0,
                    "interp", null, false, false, 0));
            try (ClusterClient c = ClusterClient.connect(client, List.of(s.clientName(), l.clientName(), nobody),
                    ClusterClient.CONTACT)) {
                ClusterException e = assertThrows(ClusterException.class, () -> c.submit(id2, huge, d -> { }));
                assertEquals(ClusterException.Kind.REFUSED, e.kind());
                assertTrue(e.getMessage().contains("member " + s.clientName() + " refused the submission: no member "
                        + "has the memory for huge") && e.getMessage().contains("member " + l.clientName() + " refused "
                        + "the submission") && e.getMessage().contains("cannot connect to cluster member " + nobody),
                        e.getMessage());
                assertTrue(c.status().stream().anyMatch(x -> x.startsWith(l.name())), "the last member that answered "
                        + "still answers questions");
            }
        }
    }
}
