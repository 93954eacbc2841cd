package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.images.AppFile;
import dev.cella.images.AppRunner;
import dev.cella.images.ImageCache;
import dev.cella.sandbox.EngineKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cella up} with virtual networks, shared services and published ports (docs/images.md,
 * "App files"): the example apps of examples/apps, built from the programs of examples/net and
 * examples/services, with their outputs checked.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpNetworkServicesTest {
    @TempDir
    Path tmp;

    /** Packs {@code examples/MODULE} into {@code tmp/NAME.tar}, with {@code manifest} if not null. */
    private void pack(String module, String name, String manifest) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("pack", CliRunner.example(module), "-o",
                tmp.resolve(name + ".tar").toString()));
        if (manifest != null) {
            Files.writeString(tmp.resolve(name + ".yaml"), manifest);
            args.addAll(List.of("--manifest", tmp.resolve(name + ".yaml").toString()));
        }
        CliRunner.Result r = cella(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
    }

    private Path app(String example) throws IOException {
        Path app = tmp.resolve(Path.of(example).getFileName());
        Files.copy(Path.of(CliRunner.example(example)), app);
        return app;
    }

    @Test
    void theKvServerAndItsClientsRunAsAnAppOnOneNetwork() throws Exception {
        pack("net/kv-server.wasm", "kv-server", null);
        pack("net/kv-client.wasm", "kv-client", null);
        CliRunner.Result r = cella("up", "--status-interval", "0s", app("apps/kv.yaml").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("alice-0 | alice=1\n") && r.out().contains("bob-0 | bob=2\n")
                && r.out().contains("carol-0 | carol=3\n"), r.toString());
        assertTrue(r.out().contains("kv-0 | kv-server: served 3 clients, 3 keys\n"), r.toString());
    }

    @Test
    void aClientOffTheServersNetworkCannotReachIt() throws Exception {
        pack("net/kv-server.wasm", "kv-server", null);
        pack("net/kv-client.wasm", "kv-client", null);
        Path app = tmp.resolve("split.yaml");
        Files.writeString(app, """
                networks: [a, b]
                cells:
                  kv: {image: kv-server.tar, args: ["7000", "0"], networks: [a]}
                  eve: {image: kv-client.tar, args: [kv-0, "7000", eve, "1"], networks: [b]}
                """);
        CliRunner.Result r = cella("up", "--status-interval", "0s", app.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("eve-0 | kv-client: kv-0:"), "the server's name does not resolve on b\n" + r);
    }

    @Test
    void theJobsProducerAndConsumersShareTheirQueueAsAnApp() throws Exception {
        pack("services/producer.wasm", "producer", "services: [queue:jobs]\n");
        pack("services/consumer.wasm", "consumer", "services: [queue:jobs, kv:results]\n");
        CliRunner.Result r = cella("up", "--status-interval", "0s", app("apps/jobs.yaml").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("producer-0 | producer: sent 200 jobs\n"), r.toString());
        Matcher m = Pattern.compile("consumer-(\\d) \\| consumer: handled (\\d+) jobs").matcher(r.out());
        int consumers = 0;
        int jobs = 0;
        while (m.find()) {
            consumers++;
            jobs += Integer.parseInt(m.group(2));
        }
        assertEquals(3, consumers, r.toString());
        assertEquals(200, jobs, "each job is handled once, by one consumer\n" + r);
    }

    @Test
    void aNamespaceTheImageAsksForMustBeGrantedToItsGroup() throws Exception {
        pack("services/consumer.wasm", "consumer", "services: [queue:jobs, kv:results]\n");
        Path app = tmp.resolve("app.yaml");
        Files.writeString(app, "services: [queue:jobs]\ncells:\n  c:\n    image: consumer.tar\n    services: [queue:jobs]\n");
        CliRunner.Result r = cella("up", app.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, r.code(), r.toString());
        assertTrue(r.err().contains("app.yaml:4:5: c: consumer.tar: the image asks for service 'kv:results'"), r.err());
    }

    @Test
    void aPublishedPortForwardsFromTheHostToTheReplica() throws Exception {
        pack("net/kv-server.wasm", "kv-server", "net: {listen: [7000]}\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free now; the app binds it again below
        }
        Path appFile = tmp.resolve("pub.yaml");
        Files.writeString(appFile, "cells:\n  kv:\n    image: kv-server.tar\n    args: [\"7000\", \"1\"]\n");
        CliRunner.Result refused = cella("up", appFile.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, refused.code(), refused.toString());
        assertTrue(refused.err().contains("forwarding to guest port 7000") && refused.err().contains("ports: [HOSTPORT:7000]"),
                refused.err());

        Files.writeString(appFile, Files.readString(appFile) + "    ports: [\"" + port + ":7000\"]\n");
        AppFile app = AppFile.parse(appFile, Files.readString(appFile));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AppRunner runner = new AppRunner(app, new AppRunner.Options(EngineKind.AUTO, new ImageCache(null), null, false,
                n -> out, n -> OutputStream.nullOutputStream()))) {
            runner.start();
            String reply = talk(port, "SET k v\nGET k\n");
            assertEquals("OK\nv\n", reply);
            assertTrue(runner.await(30_000), runner.status().toString());
            assertEquals(AppRunner.State.EXITED, runner.status().get(0).state(), runner.status().toString());
        }
        assertEquals("kv-server: served 1 clients, 1 keys\n", out.toString(StandardCharsets.UTF_8));
    }

    /** Sends {@code request} to 127.0.0.1:{@code port} (retrying until it listens) and returns the reply up to EOF. */
    private static String talk(int port, String request) throws Exception {
        for (int tries = 0; ; tries++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (ConnectException e) {
                if (tries == 3000) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }
}
