package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.cluster.ClusterNode;
import dev.cella.cluster.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cella cluster submit APP.yaml} on two members in this JVM (plain TCP on loopback): an
 * app's replicas print what the same app prints under {@code cella up} (their image's files,
 * arguments and environment reached the members), failed replicas are restarted by their rule,
 * and a group asking for what cannot work across members is refused naming its line.
 */
@Timeout(120)
class ClusterAppTest {
    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The wordfreq example image packed into {@code tmp}. */
    private void packWordfreq() {
        Path dir = Path.of(CliRunner.example("images/wordfreq/app.yaml")).getParent();
        CliRunner.Result r = cella("pack", dir.resolve("wordfreq.wasm").toString(), "--files",
                dir.resolve("files").toString(), "--manifest", dir.resolve("image.yaml").toString(), "-o",
                tmp.resolve("wordfreq.tar").toString());
        assertEquals(0, r.code(), r.toString());
    }

    /** The output lines, sorted: replicas run in parallel, so only each one's own lines keep their order. */
    private static List<String> sorted(String out) {
        return out.lines().sorted().toList();
    }

    /** The replicas' standard error lines ({@code name-i | ...}), sorted, without the status table. */
    private static List<String> guestLines(String err) {
        return err.lines().filter(l -> l.matches("[a-z]+-\\d+ \\| .*")).sorted().toList();
    }

    @Test
    void anAppRunsOnTheClusterAsUnderUpAndHostThingsAreRefused() throws Exception {
        packWordfreq();
        // count: the image's default args read the image's files; worker: each replica's share by
        // CELLA_REPLICA, written into its own copy of the tree; merge: finds no parts in its own
        // tree, exits 75 and is restarted twice, then fails.
        Path app = tmp.resolve("app.yaml");
        Files.writeString(app, """
                name: wf
                cells:
                  count:
                    image: wordfreq.tar
                  worker:
                    image: wordfreq.tar
                    replicas: 3
                    args: [worker, /share/texts, /share]
                    env: {UNUSED: "1"}
                  merge:
                    image: wordfreq.tar
                    args: [merge, /share, "3"]
                    restart: {policy: on-failure, max-restarts: 2, backoff: 1ms}
                """);
        CliRunner.Result local = cella("up", "--status-interval", "0s", app.toString());
        assertEquals(1, local.code(), local.toString());

        int p1 = freePort();
        int p2 = freePort();
        String seed = "127.0.0.1:" + p1;
        try (ClusterNode a = ClusterNode.start(new Settings("127.0.0.1", p1, List.of(seed), null, null), 1, 256L << 20);
                ClusterNode b = ClusterNode.start(new Settings("127.0.0.1", p2, List.of(seed), null, null), 1, 256L << 20)) {
            assertTrue(a.awaitUp(Duration.ofSeconds(30)));
            assertTrue(b.awaitUp(Duration.ofSeconds(30)));
            CliRunner.Result r = cella("cluster", "submit", "--segment-fuel", "50000000", "--to", a.clientName(),
                    app.toString());
            assertEquals(1, r.code(), r.toString());
            assertEquals(sorted(local.out()), sorted(r.out()), r.toString());
            assertTrue(r.out().contains("worker-2 | worker 2 of 3: "), r.out());
            assertEquals(guestLines(local.err()), guestLines(r.err()), r.toString()); // merge's complaints, 3 times
            assertTrue(r.err().lines().anyMatch(l -> l.matches("\\s+merge-0\\s+failed\\s+2\\s+.*exited 75 on .*")),
                    r.err());
            assertTrue(r.err().lines().anyMatch(l -> l.matches("\\s+count-0\\s+exited\\s+0\\s+.*exited 0 on 127.*")),
                    r.err());

            // A group with a mount, a network, a service or a port is refused before anything runs.
            Files.createDirectories(tmp.resolve("out"));
            Path bad = tmp.resolve("bad.yaml");
            Files.writeString(bad, """
                    networks: [lan]
                    cells:
                      ok:
                        image: wordfreq.tar
                      w:
                        image: wordfreq.tar
                        mounts: [out:/out:rw]
                        networks: [lan]
                    """);
            CliRunner.Result refused = cella("cluster", "submit", "--to", a.clientName(), bad.toString());
            assertEquals(ExitCode.CLUSTER_REFUSED.code, refused.code(), refused.toString());
            assertTrue(refused.err().contains("bad.yaml:6:") && refused.err().contains("cells.w: mounts, networks "
                    + "cannot work across cluster members"), refused.err());
            assertFalse(refused.err().contains("\tat "), refused.err());

            // --to with members passed over: one where nothing listens is named, and the status
            // comes from the next; a batch whose cell fits no member is refused by both members
            // named (exit 79), each named with its reason.
            String nobody = "127.0.0.1:" + freePort();
            CliRunner.Result status = cella("cluster", "status", "--to", nobody + "," + a.clientName());
            assertEquals(0, status.code(), status.toString());
            assertTrue(status.err().startsWith("cella: cannot connect to cluster member " + nobody)
                    && status.err().contains("; talking to " + a.clientName() + " instead"), status.err());
            Path huge = tmp.resolve("huge.txt");
            Files.writeString(huge, "name=huge binary=" + CliRunner.example("hello.casm") + " memory=1G\n");
            CliRunner.Result both = cella("cluster", "submit", "--to", a.clientName() + "," + b.clientName(),
                    huge.toString());
            assertEquals(ExitCode.CLUSTER_REFUSED.code, both.code(), both.toString());
            assertTrue(both.err().contains("cella: member " + a.clientName() + " refused the submission: no member "
                    + "has the memory for huge") && both.err().contains("member " + b.clientName() + " refused the "
                    + "submission"), both.err());
        }
    }
}
