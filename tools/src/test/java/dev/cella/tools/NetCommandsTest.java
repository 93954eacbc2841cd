package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The network on the command line: {@code cella run --listen}, and batches with networks and pipes. */
class NetCommandsTest {
    @TempDir
    Path tmp;

    /** A loopback port free a moment ago (the test picks its own ports, on loopback only). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String get(int port, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void runServesHttpThroughListenAndReportsTheNetworkInStats() throws Exception {
        int port = freePort();
        CliRunner.Result r = serveTwoPages(port, port, "--listen", "127.0.0.1:" + port);
        assertTrue(r.err().contains("network: 2 sockets opened") || r.err().contains("network: 3 sockets opened"), r.err());
    }

    @Test
    void runPublishesAHostPortToTheGuestsPort() throws Exception {
        int hostPort = freePort();
        int guestPort = 8080; // a guest port unrelated to the host one: the forward maps between them
        serveTwoPages(hostPort, guestPort, "--publish", hostPort + ":" + guestPort);
    }

    /**
     * Runs the http-server example for two requests on {@code guestPort} with host grant
     * {@code grant} (and {@code --stats}), fetches two pages from the host's {@code hostPort}
     * and returns the finished run, checked to have succeeded with two accepts.
     */
    private static CliRunner.Result serveTwoPages(int hostPort, int guestPort, String... grant) throws Exception {
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> cella("run", grant[0], grant[1],
                "--stats", example("net/http-server.wasm"), String.valueOf(guestPort), "2"));
        String first = null;
        for (int i = 0; i < 200 && first == null; i++) {
            try {
                first = get(hostPort, "/");
            } catch (java.net.ConnectException e) {
                Thread.sleep(25); // the cell is not created yet: its host listening socket is not bound
            }
        }
        assertTrue(first != null && first.startsWith("HTTP/1.1 200 OK"), first);
        assertTrue(first.contains("Hello from a cell"), first);
        assertTrue(get(hostPort, "/again").contains("Hello from a cell"));
        CliRunner.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("2 accepts"), r.err());
        return r;
    }

    @Test
    void aGuestWithoutGrantsCannotReachTheHost() throws Exception {
        try (ServerSocket host = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRunner.Result r = cella("run", example("net/net-probe.wasm"), "escape", "1", String.valueOf(host.getLocalPort()));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("connect granted: ECONNREFUSED"), r.out()); // port 1: loopback is the cell itself
            host.setSoTimeout(200);
            assertThrowsTimeout(host);
        }
    }

    private static void assertThrowsTimeout(ServerSocket s) throws IOException {
        try (Socket c = s.accept()) {
            throw new AssertionError("the host saw a connection from an ungranted guest: " + c);
        } catch (java.net.SocketTimeoutException e) {
            // Nothing came: right.
        }
    }

    @Test
    void batchRunsServerAndClientsOnAVirtualNetworkAndAPipeline() throws Exception {
        String net = Path.of(example("net/kv-server.wasm")).getParent().toString();
        Path file = tmp.resolve("b.txt");
        Files.writeString(file, "scheduler threads=2\n"
                + "name=kv binary=" + net + "/kv-server.wasm args=\"7000 3\" net=lan stdout=kv.out\n"
                + "name=c binary=" + net + "/kv-client.wasm args=\"kv 7000 key val\" net=lan copies=3 stdout=c.out\n"
                + "name=gen binary=" + net + "/gen.wasm args=\"1000\"\n"
                + "name=count binary=" + net + "/wc.wasm stdin-from=gen stdout=count.out\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("kv-server: served 3 clients, 1 keys\n", Files.readString(tmp.resolve("kv.out")));
        assertEquals("key=val\nkey=val\nkey=val\n", Files.readString(tmp.resolve("c.out")));
        assertEquals("1000 2000 " + (1000 * 6 + 9 * 1 + 90 * 2 + 900 * 3 + 1 * 4) + "\n",
                Files.readString(tmp.resolve("count.out")));
        assertTrue(r.out().contains("network kv: 0 connects, 3 accepts"), r.out());
    }

    @Test
    void batchNetworkKeysAreChecked() throws Exception {
        Path file = tmp.resolve("bad.txt");
        Files.writeString(file, "name=a binary=" + example("hello.casm") + " stdin-from=nobody\n");
        CliRunner.Result r = cella("batch", file.toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
        assertTrue(r.err().contains("stdin-from=nobody names no guest"), r.err());
        Files.writeString(file, "name=a binary=" + example("hello.casm") + " listen=127.0.0.1:x\n");
        r = cella("batch", file.toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.err());
        assertTrue(r.err().contains("is not a port number"), r.err());
    }
}
