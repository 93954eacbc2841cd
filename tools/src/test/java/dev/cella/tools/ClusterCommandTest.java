package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code cella cluster}: usage errors (64), an unreachable member (77), never a stack trace. */
@Timeout(60)
class ClusterCommandTest {
    @TempDir
    Path dir;

    private static void assertClean(CliRunner.Result r, int code) {
        assertEquals(code, r.code(), r.err());
        assertTrue(r.err().startsWith("cella: "), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    }

    @Test
    void usageErrors() {
        assertClean(CliRunner.cella("cluster"), ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "node", "--seed", "127.0.0.1:2551"), ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "node", "--port", "70000", "--seed", "127.0.0.1:2551"),
                ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "node", "--port", "2551", "--seed", "nohost"), ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "node", "--port", "2551", "--seed", "h:1", "--cores", "0"),
                ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "node", "--port", "2551", "--seed", "h:1", "--client-port", "2551"),
                ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "node", "--port", "65535", "--seed", "h:1"), ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "status", "--to", "127.0.0.1:x"), ExitCode.USAGE.code);
        assertClean(CliRunner.cella("cluster", "status", "--to", "127.0.0.1:2552,nohost"), ExitCode.USAGE.code);
        CliRunner.Result drain = CliRunner.cella("cluster", "drain", "--to", "127.0.0.1:2552,127.0.0.1:2554");
        assertClean(drain, ExitCode.USAGE.code);
        assertTrue(drain.err().contains("drain names one member"), drain.err());
        assertClean(CliRunner.cella("cluster", "status", "--to", "127.0.0.1:2551", "--tls-keystore", "k.p12"),
                ExitCode.USAGE.code);
        assertTrue(CliRunner.cella("cluster", "--help").out().contains("submit"));
        assertTrue(CliRunner.cella("cluster", "node", "--help").out().contains("--memory"));
    }

    @Test
    void aBatchFileThatIsBadOrAsksForHostThingsFailsBeforeContact() throws IOException {
        assertClean(CliRunner.cella("cluster", "submit", "--to", "127.0.0.1:2551", dir.resolve("none.txt").toString()),
                ExitCode.NO_INPUT.code);
        Path b = dir.resolve("b.txt");
        Files.writeString(b, "name=x binary=x.casm mount=" + dir + ":/data\n");
        CliRunner.Result r = CliRunner.cella("cluster", "submit", "--to", "127.0.0.1:2551", "--timeout", "1s",
                b.toString());
        assertTrue(r.code() == ExitCode.USAGE.code || r.code() == ExitCode.NO_INPUT.code, r.err());
    }

    @Test
    void noMemberAnswering() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        CliRunner.Result r = CliRunner.cella("cluster", "status", "--to", "127.0.0.1:" + port, "--timeout", "1s");
        assertClean(r, ExitCode.CLUSTER_UNAVAILABLE.code);
        assertTrue(r.err().contains("127.0.0.1:" + port), r.err());
        // Several members, none answering: each is named.
        r = CliRunner.cella("cluster", "status", "--to", "127.0.0.1:" + port + ",localhost:" + port, "--timeout", "1s");
        assertClean(r, ExitCode.CLUSTER_UNAVAILABLE.code);
        assertTrue(r.err().contains("127.0.0.1:" + port) && r.err().contains("localhost:" + port), r.err());
    }
}
