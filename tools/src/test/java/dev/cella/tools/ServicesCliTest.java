package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.services.Services;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared services from the command line: the examples of examples/services run as
 * docs/services.md shows them, and the options' errors.
 */
class ServicesCliTest {
    @TempDir
    Path tmp;

    @Test
    void aCellIsDeniedANamespaceItWasNotGranted() {
        CliRunner.Result r = cella("run", "--service", "kv:mine:rw", example("services/denied.wasm"));
        assertEquals(0, r.code(), r.err());
        assertEquals("kv:mine: ok\nkv:theirs: Capabilities insufficient\nread kv:theirs: refused (ENOTCAPABLE)\n", r.out());
    }

    @Test
    void aReadOnlyGrantIsTheDefault() {
        CliRunner.Result r = cella("run", "--service", "kv:mine", example("services/denied.wasm"));
        assertTrue(r.out().startsWith("kv:mine: Read-only file system\n"), r.out());
    }

    @Test
    void aCounterKeptAcrossRestartsInTheDatabase() {
        Path data = tmp.resolve("data");
        for (int run = 1; run <= 3; run++) {
            CliRunner.Result r = cella("run", "--service", "db:state:rw", "--data-dir", data.toString(),
                    example("services/counter.wasm"));
            assertEquals(0, r.code(), r.err());
            assertEquals("run " + run + "\n", r.out());
        }
        CliRunner.Result inMemory = cella("run", "--service", "db:state:rw", example("services/counter.wasm"));
        assertEquals("run 1\n", inMemory.out(), "without --data-dir nothing is kept");
    }

    @Test
    void producerAndConsumersShareAQueueAndEachJobIsDoneOnce() throws Exception {
        Path data = tmp.resolve("data");
        Path dir = Path.of(example("services/jobs.batch")).getParent().toAbsolutePath();
        Path batch = tmp.resolve("jobs.batch");
        Files.writeString(batch, "scheduler threads=2\nservices data-dir=" + data + "\n"
                + "name=producer binary=" + dir.resolve("producer.wasm") + " args=\"150 3\" service=queue:jobs:rw\n"
                + "name=consumer binary=" + dir.resolve("consumer.wasm") + " args=consumer copies=3 "
                + "service=queue:jobs:ro service=kv:results:rw\n");
        CliRunner.Result r = cella("batch", batch.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("kv:results holds 301 keys"), r.out());
        try (Services s = Services.builder().dataDir(data).build()) {
            for (int i = 1; i <= 150; i++) {
                byte[] v = s.kv("results").get(("result:" + i).getBytes(StandardCharsets.US_ASCII));
                assertEquals(Integer.toString(i * i), v == null ? null : new String(v, StandardCharsets.US_ASCII), "job " + i);
            }
            assertNull(s.kv("results").get("duplicates".getBytes()), "no job processed twice");
            assertEquals(0, s.queue("jobs").depth(""), "every message acknowledged");
        }
    }

    @Test
    void statsReportTheServices() {
        CliRunner.Result r = cella("run", "--stats=json", "--service", "kv:mine:rw", example("services/denied.wasm"));
        assertTrue(r.err().contains("{\"services\":{\"ops\":1,\"refused\":0,\"keys_created\":1,\"bytes_written\":2,"), r.err());
        assertTrue(r.err().contains("{\"grant\":\"kv:mine:rw\",\"keys\":1,\"bytes\":2"), r.err());
    }

    @Test
    void aQuotaReachedIsTheGuestsToHandle() {
        CliRunner.Result r = cella("run", "--service", "kv:mine:rw", "--service-limit", "kv:mine:keys=0",
                example("services/denied.wasm"));
        assertTrue(r.out().startsWith("kv:mine: Quota exceeded\n"), r.out()); // EDQUOT
    }

    @Test
    void checkpointsRecordTheGrantsAndResumeNeedsThem() {
        Path ckpt = tmp.resolve("c.ckpt");
        CliRunner.Result first = cella("run", "--service", "kv:mine:rw", "--checkpoint-at", "1000", "--checkpoint-file",
                ckpt.toString(), example("services/denied.wasm"));
        assertEquals(0, first.code(), first.err());
        CliRunner.Result without = cella("resume", ckpt.toString());
        assertTrue(without.err().contains("host function cella_kv."), without.err());
        assertTrue(without.code() != 0);
        CliRunner.Result other = cella("resume", "--service", "kv:mine:ro", ckpt.toString());
        assertTrue(other.err().contains("grant kv:mine:rw"), other.err());
        CliRunner.Result same = cella("resume", "--service", "kv:mine:rw", ckpt.toString());
        assertEquals(0, same.code(), same.err());
        assertEquals("kv:mine: ok\nkv:theirs: Capabilities insufficient\nread kv:theirs: refused (ENOTCAPABLE)\n",
                first.out() + same.out());
    }

    @Test
    void badOptionsAreUsageErrors() {
        for (String[] args : new String[][] {
            {"--service", "cache:x", "g"}, {"--service", "kv:bad name", "g"}, {"--service", "kv:x:rx", "g"},
            {"--service", "kv:x", "--service-quota", "keys=-1", "g"}, {"--service-limit", "kv:x:keys=1", "g"},
            {"--service", "kv:x", "--service", "kv:x:ro", "g"}, {"--data-dir", "d", "g"}}) {
            String[] full = new String[args.length + 1];
            full[0] = "run";
            System.arraycopy(args, 0, full, 1, args.length);
            full[full.length - 1] = example("services/denied.wasm");
            CliRunner.Result r = cella(full);
            assertEquals(ExitCode.USAGE.code, r.code(), String.join(" ", args) + ": " + r.err());
        }
    }

    @Test
    void aDataDirectoryThatIsAFileIsMissingInput() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        CliRunner.Result r = cella("run", "--service", "kv:x:rw", "--data-dir", file.toString(), example("services/denied.wasm"));
        assertEquals(ExitCode.NO_INPUT.code, r.code(), r.err());
    }

    @Test
    void batchServiceErrorsNameTheLine() throws Exception {
        Path batch = tmp.resolve("b.batch");
        Files.writeString(batch, "name=a binary=" + Path.of(example("services/denied.wasm")).toAbsolutePath()
                + " service=kv:x:maybe\n");
        CliRunner.Result r = cella("batch", batch.toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("b.batch:1:"), r.err());
    }
}
