package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The HTTP example served through a host grant: a host listening socket on a loopback port the
 * system picks, forwarded to the guest's port 8080, fetched with Java's HttpClient and with curl
 * (if the machine has it).
 */
class HttpExampleTest {
    @Test
    void servesPagesThroughAListenGrant() throws Exception {
        NetAttachment net = NetAttachment.builder("web")
                .grants(NetGrants.NONE.with(new NetGrants.Forward("127.0.0.1", 0, 8080))).build();
        CompletableFuture<Guests.Run> server = Guests.start("http-server", net, "8080", "6");
        int port = net.hostPort(8080);
        assertTrue(port > 0);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/p" + i))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("<h1>Hello from a cell</h1>"), r.body());
        }
        String curled = curl("http://127.0.0.1:" + port + "/");
        if (curled == null) {
            // No curl on this machine: the sixth request comes from HttpClient instead.
            curled = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .header("Connection", "close").build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        assertTrue(curled.contains("Hello from a cell"), curled);
        Guests.Run r = server.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.status(), r.stderr() + r.result());
        assertTrue(r.stderr().contains("served 6 requests"), r.stderr());
        assertTrue(net.stats().accepts() >= 2);
        assertEquals(0, net.stats().denied());
        assertNoHostSocketLeft(net);
    }

    /**
     * Every host socket the cell's bridge opened (the listening one and each accepted connection)
     * closes once the cell ended and the pumps drained, well before the bridge's last-resort close
     * after {@link HostBridge#DRAIN_MILLIS}: a pump that forgets to close its connection fails this.
     */
    static void assertNoHostSocketLeft(NetAttachment net) throws InterruptedException {
        long end = System.nanoTime() + HostBridge.DRAIN_MILLIS * 1_000_000 / 2;
        while (net.openHostSockets() != 0 && System.nanoTime() - end < 0) {
            Thread.sleep(10);
        }
        assertEquals(0, net.openHostSockets(), "host sockets still open after the cell ended");
    }

    /** The body curl fetches from {@code url}, or null if curl is not installed. */
    static String curl(String url) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("curl", "-sS", "--max-time", "20", url).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
