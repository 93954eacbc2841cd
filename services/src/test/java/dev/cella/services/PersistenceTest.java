package dev.cella.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a data directory keeps across a close and reopen, and what memory does not. */
class PersistenceTest {
    @Test
    void everyServiceReopensAsItWasLeft(@TempDir Path dir) {
        try (Services s = Services.builder().dataDir(dir).redeliveryAfter(Duration.ofHours(1)).build()) {
            s.kv("k").put("a".getBytes(), "1".getBytes());
            s.kv("k").put("gone".getBytes(), "x".getBytes());
            s.kv("k").delete("gone".getBytes());
            s.queue("q").subscribe("sub");
            s.queue("q").send("one".getBytes(), null);
            s.queue("q").send("two".getBytes(), null);
            s.queue("q").publish("news".getBytes(), null);
            Delivery d = s.queue("q").receive("", 0, 100, QueueNamespace.Waiting.NONE);
            s.queue("q").ack("", d.id());
            s.queue("q").receive("", 0, 100, QueueNamespace.Waiting.NONE); // "two" leased, never acknowledged
            DbTransaction tx = s.db("d").begin();
            tx.put("t", "x".getBytes(), "42".getBytes());
            tx.commit();
            DbTransaction open = s.db("d").begin();
            open.put("t", "y".getBytes(), "never".getBytes());
        }
        try (Services s = Services.builder().dataDir(dir).build()) {
            assertArrayEquals("1".getBytes(), s.kv("k").get("a".getBytes()));
            assertNull(s.kv("k").get("gone".getBytes()));
            assertEquals(1, s.quota(ServiceKind.KV, "k").keys(), "counts rebuilt from the store");
            Delivery d = s.queue("q").receive("", 0, 100, QueueNamespace.Waiting.NONE);
            assertEquals("two", new String(d.message()), "an unacknowledged message is delivered again after a restart");
            assertEquals("news", new String(s.queue("q").receive("sub", 0, 100, QueueNamespace.Waiting.NONE).message()));
            assertEquals(2, s.quota(ServiceKind.QUEUE, "q").messages());
            DbTransaction tx = s.db("d").begin();
            assertArrayEquals("42".getBytes(), tx.get("t", "x".getBytes()));
            assertNull(tx.get("t", "y".getBytes()), "an open transaction left nothing");
            s.queue("q").send("three".getBytes(), null);
            assertTrue(s.queue("q").receive("", 0, 100, QueueNamespace.Waiting.NONE).id() > d.id(), "ids keep growing");
        }
    }

    /**
     * Concurrent durable writes share store commits (group commit): eight writers of 50 puts each
     * need fewer than 400 commits, and every put is in the file when it returns (all are there
     * after a reopen).
     */
    @Test
    void concurrentWritersShareCommits(@TempDir Path dir) throws Exception {
        int writers = 8;
        int puts = 50;
        long commits;
        try (Services s = Services.builder().dataDir(dir).build()) {
            KvNamespace kv = s.kv("k");
            long before = s.storeVersion();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    for (int i = 0; i < puts; i++) {
                        kv.put((id + "/" + i).getBytes(), "v".getBytes());
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            commits = s.storeVersion() - before;
        }
        assertTrue(commits < writers * puts, commits + " commits for " + writers * puts + " concurrent puts");
        try (Services s = Services.builder().dataDir(dir).build()) {
            assertEquals(writers * puts, s.quota(ServiceKind.KV, "k").keys());
        }
    }

    @Test
    void memoryKeepsNothing() {
        try (Services s = Services.inMemory()) {
            s.kv("k").put("a".getBytes(), "1".getBytes());
            assertTrue(!s.persistent());
        }
        try (Services s = Services.inMemory()) {
            assertNull(s.kv("k").get("a".getBytes()));
        }
    }

    @Test
    void oneOpenerPerDataDirectory(@TempDir Path dir) throws Exception {
        try (Services s = Services.builder().dataDir(dir).build()) {
            s.kv("k").put("a".getBytes(), "1".getBytes());
            assertThrows(UncheckedIOException.class, () -> Services.builder().dataDir(dir).build());
        }
        Path file = Files.writeString(dir.resolve("file"), "not a directory");
        assertThrows(UncheckedIOException.class, () -> Services.builder().dataDir(file).build());
    }
}
