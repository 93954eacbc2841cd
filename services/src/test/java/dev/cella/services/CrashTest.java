package dev.cella.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost when the JVM is killed: a child JVM ({@link CrashWriter}) writes
 * to a data directory and reports each write it was told succeeded; the test kills it with
 * {@code destroyForcibly} (SIGKILL) in the middle of its writing, reopens the directory and
 * finds every acknowledged write, and no trace of the transactions that never committed.
 */
class CrashTest {
    @Test
    void acknowledgedWritesSurviveKill9(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Stream.of("jdk.module.path", "java.class.path").map(p -> System.getProperty(p, ""))
                .filter(p -> !p.isEmpty()).collect(Collectors.joining(File.pathSeparator));
        Process child = new ProcessBuilder(java, "-cp", cp, CrashWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long acked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((line = out.readLine()) != null && acked < 300 && System.nanoTime() < until) {
                assertTrue(line.startsWith("ack "), line);
                acked = Long.parseLong(line.substring(4));
            }
            // Killed while writing: the child is in the middle of its next write. (Acknowledgements
            // printed but not read yet are not checked; destroying the process closes the pipe.)
            child.destroyForcibly();
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(acked >= 1, "the writer acknowledged nothing");
        try (Services s = Services.builder().dataDir(dir).build()) {
            DbTransaction tx = s.db("crash").begin();
            for (long i = 1; i <= acked; i++) {
                byte[] n = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
                assertNotNull(s.kv("crash").get(("k" + i).getBytes(StandardCharsets.US_ASCII)), "kv k" + i);
                assertNotNull(tx.get("t", ("row" + i).getBytes(StandardCharsets.US_ASCII)), "db row" + i);
                assertNull(tx.get("t", ("ghost" + i).getBytes(StandardCharsets.US_ASCII)), "uncommitted ghost" + i);
                assertEquals(new String(n), new String(s.kv("crash").get(("k" + i).getBytes())));
            }
            long last = Long.parseLong(new String(tx.get("t", "last".getBytes()), StandardCharsets.US_ASCII));
            assertTrue(last >= acked, "last committed " + last + " < acknowledged " + acked);
            long kept = s.queue("crash").depth("");
            assertTrue(kept >= acked, kept + " messages kept, " + acked + " acknowledged");
            for (long i = 1; i <= acked; i++) {
                Delivery d = s.queue("crash").receive("", 0, Integer.MAX_VALUE, QueueNamespace.Waiting.NONE);
                assertEquals(Long.toString(i), new String(d.message(), StandardCharsets.US_ASCII), "messages in order");
            }
        }
    }
}
