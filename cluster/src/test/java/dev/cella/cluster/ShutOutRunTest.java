package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run its coordinator shuts out (fences, docs/cluster.md, "Durable runs") says so in the
 * member's log: a superseded run, from a placement before the cell's latest, commits a segment
 * and is refused; the member logs a WARNING naming the cell, the run's epoch and seq and the
 * coordinator's reason, and the cell ends once, from its live run, its output whole.
 */
@Timeout(120)
class ShutOutRunTest {
    private static final Path FIBS = Path.of("../tools/src/test/resources/cluster/fibs.casm");
    private static final byte[] KEY = "the cluster's segment key".getBytes(StandardCharsets.UTF_8);

    /** Keeps the records of the cluster's logger (System.Logger's default backend is java.util.logging). */
    private static final class Captured extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        /** The WARNING records' messages, formatted. */
        List<String> warnings() {
            return records.stream().filter(r -> r.getLevel() == Level.WARNING)
                    .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())).toList();
        }
    }

    @Test
    void aSupersededRunThatCommitsIsLoggedAsShutOut() throws Exception {
        Logger logger = Logger.getLogger("dev.cella.cluster");
        Captured log = new Captured();
        logger.addHandler(log);
        int port = InProcessClusterTest.freePort();
        int n = 30;
        try (ClusterNode m = ClusterNode.start(new Settings("127.0.0.1", port, List.of("127.0.0.1:" + port), null, null), 1,
                256L << 20, null, KEY); RawClient peer = new RawClient()) {
            assertTrue(m.awaitUp(Duration.ofSeconds(30)));
            Settings client = new Settings("127.0.0.1", 0, List.of(), null, null);
            String id = ClusterClient.newSubmission();
            byte[] module = ModuleWriter.write(Assembler.assemble(Files.readString(FIBS), "fibs.casm"));
            Wire.CellJob job = new Wire.CellJob(id, 0, "f0", module, List.of("fibs.casm", String.valueOf(n)), 1, -1, -1,
                    0, "interp", null, true, false, 300_000);
            Map<Integer, Wire.CellDone> ends = new ConcurrentHashMap<>();
            Throwable[] failed = new Throwable[1];
            ClusterClient sub = ClusterClient.connect(client, m.clientName(), ClusterClient.CONTACT);
            Thread submitter = Thread.ofPlatform().start(() -> {
                try (sub) {
                    sub.submit(id, List.of(job), d -> assertNull(ends.put(d.index(), d), "cell ended twice"));
                } catch (Throwable t) {
                    failed[0] = t;
                }
            });
            try (ClusterClient status = ClusterClient.connect(client, m.clientName(), ClusterClient.CONTACT)) {
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!status.status().getLast().contains("1 cells placed")) {
                    assertTrue(System.nanoTime() < end && submitter.isAlive(), "the cell is placed");
                    Thread.sleep(20);
                }
            }
            // The coordinator placed the cell under epoch 1; a run of it under epoch 0 (a
            // placement it superseded, as after a member that came back) commits its first segment.
            peer.member(m.name()).tell(new Wire.Run(job, peer.member(m.name()), 0, new byte[0]));
            submitter.join(Duration.ofSeconds(90).toMillis());
            assertNull(failed[0], () -> "the submission failed: " + failed[0]);
            Wire.CellDone d = ends.get(0);
            assertEquals("EXITED", d.outcome(), d.error());
            assertEquals(ReplicationTest.expectedFibs(n), new String(d.stdout(), StandardCharsets.UTF_8));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (log.warnings().stream().noneMatch(w -> w.contains("shut out"))) {
                assertTrue(System.nanoTime() < end, "no WARNING says the run was shut out: " + log.warnings());
                Thread.sleep(20);
            }
            String w = log.warnings().stream().filter(x -> x.contains("shut out")).findFirst().orElseThrow();
            assertTrue(w.contains(Worker.key(id, 0, 0)) && w.contains("f0") && w.contains("(epoch 0)")
                    && w.contains("at segment 0") && w.contains("the cell was placed anew (epoch 1)")
                    && w.contains(m.name()), w);
        } finally {
            logger.removeHandler(log);
        }
    }
}
