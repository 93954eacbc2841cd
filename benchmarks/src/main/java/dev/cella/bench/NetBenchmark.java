package dev.cella.bench;

import dev.cella.isa.module.Module;
import dev.cella.net.NetAttachment;
import dev.cella.net.NetGrants;
import dev.cella.net.Network;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.wasm.WasmImporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The virtual network (docs/network.md, "Performance"), with the example guests of examples/net
 * (run from the repository's root, or set {@code -Dcella.examples=DIR}), on the JIT:
 *
 * <ul>
 *   <li>{@code bulk}: one cell sends 256 MiB to another over a virtual connection in 64 KiB
 *       writes; the score is MiB/s (goal: 1 GB/s).
 *   <li>{@code roundTrips}: 20,000 64-byte request/response round trips between two cells; the
 *       score is round trips per second (goal: 100,000).
 *   <li>{@code http}: the HTTP example guest behind a listen grant on loopback, under a load
 *       generator of 16 keep-alive connections making 4,000 requests per invocation, each answer
 *       checked (status and length); the score is requests per second (goal: 5,000). An error or
 *       a socket left open fails the run.
 * </ul>
 * Each invocation of bulk and roundTrips creates both cells from prepared images (a few
 * milliseconds, included in the figure).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NetBenchmark {
    static final int BULK_MIB = 256;
    static final int ROUND_TRIPS = 20_000;
    static final int HTTP_CONNECTIONS = 16;
    static final int HTTP_REQUESTS = 4_000;

    private CellImage bench;
    private CellImage http;
    private NetAttachment httpNet;
    private Cell httpCell;
    private Thread httpThread;
    private int httpPort;

    static Module load(String name) throws IOException {
        Path dir = Path.of(System.getProperty("cella.examples", "examples"), "net");
        return WasmImporter.translate(Files.readAllBytes(dir.resolve(name)));
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bench = CellImage.of(load("net-bench.wasm"), EngineKind.JIT);
        http = CellImage.of(load("http-server.wasm"), EngineKind.JIT);
        httpNet = NetAttachment.builder("web").grants(NetGrants.NONE.with(new NetGrants.Forward("127.0.0.1", 0, 8080)))
                .build();
        httpCell = Cell.create(http, CellConfig.builder().args(List.of("http-server", "8080")).extension(httpNet).build());
        httpPort = httpNet.hostPort(8080);
        httpThread = Thread.ofPlatform().name("http-cell").start(httpCell::run);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        httpCell.kill();
        httpThread.join(10_000);
        httpCell.close();
        // No leaked sockets: every host connection the load generator made is closed (they
        // drain for at most 5 s after the cell ends).
        long end = System.nanoTime() + 10_000_000_000L;
        while (httpNet.openHostSockets() > 0 && System.nanoTime() - end < 0) {
            Thread.sleep(20);
        }
        if (httpNet.openHostSockets() > 0) {
            throw new IllegalStateException(httpNet.openHostSockets() + " host sockets left open");
        }
    }

    /** Runs two cells of the bench guest on a new network, the first listening, and waits for both. */
    private void pair(List<String> serverArgs, List<String> clientArgs) {
        Network net = new Network("bench");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Cell server = Cell.create(bench, CellConfig.builder().args(serverArgs).stdout(out)
                .extension(NetAttachment.builder("server").network(net).build()).build());
        Cell client = Cell.create(bench, CellConfig.builder().args(clientArgs)
                .extension(NetAttachment.builder("client").network(net).build()).build());
        CompletableFuture<RunResult> s = run(server);
        CompletableFuture<RunResult> c = run(client);
        check(c.join());
        check(s.join());
    }

    private static CompletableFuture<RunResult> run(Cell cell) {
        CompletableFuture<RunResult> f = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try (cell) {
                f.complete(cell.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static void check(RunResult r) {
        if (r.outcome() != Outcome.EXITED || r.exitStatus() != 0) {
            throw new IllegalStateException("a benchmark cell failed: " + r);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BULK_MIB)
    public void bulk() {
        pair(List.of("net-bench", "bulk-server", "9000"),
                List.of("net-bench", "bulk-client", "server", "9000", String.valueOf(BULK_MIB), "65536"));
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void roundTrips() {
        pair(List.of("net-bench", "pp-server", "9001"),
                List.of("net-bench", "pp-client", "server", "9001", String.valueOf(ROUND_TRIPS)));
    }

    @Benchmark
    @OperationsPerInvocation(HTTP_REQUESTS)
    public int http() throws Exception {
        return HttpLoad.run(httpPort, HTTP_CONNECTIONS, HTTP_REQUESTS / HTTP_CONNECTIONS);
    }

    /**
     * A small HTTP/1.1 load generator: {@code connections} keep-alive connections on virtual
     * threads, each making {@code perConnection} GET requests in turn and reading each response
     * in full (its status line and Content-Length body). Bounded: a connection that gets no
     * answer within 10 seconds fails the run.
     */
    static final class HttpLoad {
        private HttpLoad() {}

        static int run(int port, int connections, int perConnection) throws Exception {
            AtomicInteger ok = new AtomicInteger();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        s.setSoTimeout(10_000);
                        s.setTcpNoDelay(true);
                        OutputStream out = s.getOutputStream();
                        InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                        byte[] request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                        for (int r = 0; r < perConnection; r++) {
                            out.write(request);
                            out.flush();
                            readResponse(in);
                            ok.incrementAndGet();
                        }
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
                all.add(f);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            if (ok.get() != connections * perConnection) {
                throw new IllegalStateException(ok.get() + " of " + connections * perConnection + " requests answered");
            }
            return ok.get();
        }

        /** Reads one response: headers to the blank line, then Content-Length bytes; fails on a non-200 status. */
        private static void readResponse(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the server closed the connection mid-response");
                }
                head.append((char) b);
            }
            String h = head.toString();
            if (!h.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("bad response: " + h);
            }
            int at = h.indexOf("Content-Length: ");
            int len = Integer.parseInt(h.substring(at + 16, h.indexOf("\r\n", at)));
            in.readNBytes(len);
        }
    }
}
