package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two members and a submitter in one JVM, over loopback TCP: submit, placement, refusal, status. */
@Timeout(60)
class InProcessClusterTest {
    /** The hello example, from the repository's examples/ (Surefire runs in the module's folder). */
    static final Path HELLO = Path.of("../examples/hello.casm");

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void submitsPlacesAndRefuses() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        String seed = "127.0.0.1:" + p1;
        byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(HELLO), "hello.casm"));
        try (ClusterNode a = ClusterNode.start(new Settings("127.0.0.1", p1, List.of(seed), null, null), 1, 64L << 20);
                ClusterNode b = ClusterNode.start(new Settings("127.0.0.1", p2, List.of(seed), null, null), 1, 256L << 20)) {
            assertTrue(a.awaitUp(Duration.ofSeconds(20)));
            assertTrue(b.awaitUp(Duration.ofSeconds(20)));
            try (ClusterClient c = ClusterClient.connect(new Settings("127.0.0.1", 0, List.of(), null, null), a.clientName(),
                    ClusterClient.CONTACT)) {
                String id = ClusterClient.newSubmission();
                List<Wire.CellJob> jobs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    long mem = i == 0 ? 128L << 20 : -1; // only b has room for cell 0
                    jobs.add(new Wire.CellJob(id, i, "h" + i, module, List.of("hello.casm"), 1, -1, mem, 0, "interp",
                            null, true, false, i % 2 == 0 ? 0 : 1000)); // odd ones durable
                }
                Map<Integer, Wire.CellDone> done = new TreeMap<>();
                c.submit(id, jobs, d -> done.put(d.index(), d));
                assertEquals(20, done.size());
                for (Wire.CellDone d : done.values()) {
                    assertEquals("EXITED", d.outcome(), d.error());
                    assertEquals("Hello, world!\n", new String(d.stdout(), StandardCharsets.UTF_8));
                }
                assertEquals(b.name(), done.get(0).member());
                long onA = done.values().stream().filter(d -> d.member().equals(a.name())).count();
                assertTrue(onA >= 5 && onA <= 15, "equal cores share the cells: " + onA + " of 20 on a");

                String id2 = ClusterClient.newSubmission();
                List<Wire.CellJob> big = List.of(new Wire.CellJob(id2, 0, "huge", module, List.of("x"), 1, -1,
                        1L << 30, 0, "interp", null, false, false, 0));
                ClusterException e = assertThrows(ClusterException.class, () -> c.submit(id2, big, d -> { }));
                assertEquals(ClusterException.Kind.REFUSED, e.kind());
                assertTrue(e.getMessage().contains("huge"), e.getMessage());

                List<String> status = c.status();
                assertTrue(status.stream().anyMatch(l -> l.startsWith(a.name())), status.toString());
                assertTrue(status.stream().anyMatch(l -> l.startsWith(b.name())), status.toString());
            }
        }
    }
}
