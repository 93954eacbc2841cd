package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's door for submitters ({@link Gateway}, {@link SubmitProtocol}): a submission whose
 * cells are misnumbered is refused, an unknown frame ends the connection, and with TLS a submitter
 * whose key the member does not trust gets no answer while one it trusts does.
 */
@Timeout(90)
class GatewayTest {
    private static final String PASSWORD = "test-only-password";

    @TempDir
    Path dir;

    @Test
    void aMisnumberedSubmissionIsRefusedAndAnUnknownFrameEndsTheConnection() throws Exception {
        int port = InProcessClusterTest.freePort();
        String self = "127.0.0.1:" + port;
        try (ClusterNode a = ClusterNode.start(new Settings("127.0.0.1", port, List.of(self), null, null), 1, 64L << 20)) {
            String[] hp = Settings.hostPort(a.clientName());
            try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
                s.setSoTimeout(20_000);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                Wire.CellJob j = new Wire.CellJob("sub", 1, "x", new byte[] {1}, List.of("x"), 1, -1, -1, 0, "interp",
                        null, false, false, 0); // index 1 where 0 belongs
                SubmitProtocol.write(out, j);
                SubmitProtocol.writeSubmit(out, "sub", 1);
                out.flush();
                Wire.Refused r = assertInstanceOf(Wire.Refused.class, SubmitProtocol.read(in).message());
                assertTrue(r.reason().contains("cell 0 is numbered 1"), r.reason());

                out.writeInt(1);
                out.writeByte('R'); // a member-to-member message: not something a submitter may send
                out.flush();
                assertNull(SubmitProtocol.read(in), "the member closed the connection");
            }
            // The member still serves others.
            try (ClusterClient c = ClusterClient.connect(new Settings("127.0.0.1", 0, List.of(), null, null),
                    a.clientName(), ClusterClient.CONTACT)) {
                assertTrue(c.status().get(0).startsWith("member"), c.status().toString());
            }
        }
    }

    @Test
    void withTlsOnlyASubmitterTheMemberTrustsIsAnswered() throws Exception {
        Path good = keyPair("good");
        Path bad = keyPair("bad");
        int port = InProcessClusterTest.freePort();
        String self = "127.0.0.1:" + port;
        Settings.Tls goodTls = new Settings.Tls(good, good, PASSWORD); // each store trusts its own key only
        try (ClusterNode a = ClusterNode.start(new Settings("127.0.0.1", port, List.of(self), goodTls, null), 1,
                64L << 20)) {
            assertTrue(a.awaitUp(Duration.ofSeconds(30)));
            try (ClusterClient c = ClusterClient.connect(new Settings("127.0.0.1", 0, List.of(), goodTls, null),
                    a.clientName(), ClusterClient.CONTACT)) {
                assertTrue(c.status().stream().anyMatch(l -> l.startsWith(self)), c.status().toString());
            }
            // A key the member does not trust, with a trust store that does trust the member: only
            // the member's check of the submitter's certificate can refuse it.
            Path badTrustsGood = keyPair("bad2");
            importInto(good, "good", badTrustsGood);
            for (Settings.Tls wrong : List.of(new Settings.Tls(bad, bad, PASSWORD),
                    new Settings.Tls(badTrustsGood, badTrustsGood, PASSWORD))) {
                ClusterException e = assertThrows(ClusterException.class, () -> ClusterClient.connect(
                        new Settings("127.0.0.1", 0, List.of(), wrong, null), a.clientName(), Duration.ofSeconds(5)));
                assertEquals(ClusterException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
            }
        }
    }

    private Path keyPair(String alias) throws Exception {
        Path p = dir.resolve(alias + ".p12");
        run(keytool(), "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=cella-" + alias, "-validity", "2", "-storetype", "PKCS12", "-keystore", p.toString(), "-storepass",
                PASSWORD, "-keypass", PASSWORD);
        return p;
    }

    /** Adds the certificate of {@code alias} in {@code from} to the trusted entries of {@code to}. */
    private void importInto(Path from, String alias, Path to) throws Exception {
        Path cert = dir.resolve(alias + ".crt");
        run(keytool(), "-exportcert", "-alias", alias, "-keystore", from.toString(), "-storepass", PASSWORD, "-file",
                cert.toString());
        run(keytool(), "-importcert", "-noprompt", "-alias", alias + "-trusted", "-file", cert.toString(), "-storetype",
                "PKCS12", "-keystore", to.toString(), "-storepass", PASSWORD);
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }
}
