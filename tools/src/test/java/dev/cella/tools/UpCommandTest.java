package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.images.AppFile;
import dev.cella.images.AppRunner;
import dev.cella.images.ImageCache;
import dev.cella.sandbox.EngineKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cella up}: apps of cells from images (docs/images.md, "Apps"). */
class UpCommandTest {
    @TempDir
    Path tmp;

    /** A program that prints {@code text} and exits with {@code status}. */
    private static String printAndExit(String text, int status) {
        return """
                import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                memory 1
                data 16 "%s"
                export func main "_start"
                func main() {
                    reg iov: i32, text: i32, len: i32, fd: i32, count: i32, written: i32, errno: i32, status: i32
                    i32.const iov, 0
                    i32.const text, 16
                    i32.const len, %d
                    i32.store iov, 0, text
                    i32.store iov, 4, len
                    i32.const fd, 1
                    i32.const count, 1
                    i32.const written, 8
                    call fd_write, (fd, iov, count, written), (errno)
                    i32.const status, %d
                    call proc_exit, (status), ()
                    ret
                }
                """.formatted(text.replace("\n", "\\n"), text.length(), status);
    }

    /** A program that prints "start", counts to 2^26, prints "done" and exits 0. */
    private static final String LONG = """
            import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
            memory 1
            data 32 "start\\n"
            data 48 "done\\n"
            export func main "_start"
            func main() {
                reg iov: i32, text: i32, len: i32, fd: i32, count: i32, written: i32, errno: i32, i: i32, one: i32, end: i32
                i32.const iov, 0
                i32.const fd, 1
                i32.const count, 1
                i32.const written, 8
                i32.const text, 32
                i32.const len, 6
                i32.store iov, 0, text
                i32.store iov, 4, len
                call fd_write, (fd, iov, count, written), (errno)
                i32.const i, 0
                i32.const one, 1
                i32.const end, 67108864
            loop:
                i32.add i, i, one
                i32.br_lt_u i, end, loop
                i32.const text, 48
                i32.const len, 5
                i32.store iov, 0, text
                i32.store iov, 4, len
                call fd_write, (fd, iov, count, written), (errno)
                ret
            }
            """;

    private Path image(String name, String program) throws Exception {
        Path src = tmp.resolve(name + ".casm");
        Files.writeString(src, program);
        Path image = tmp.resolve(name + ".tar");
        CliRunner.Result r = cella("pack", src.toString(), "-o", image.toString());
        assertEquals(0, r.code(), r.toString());
        return image;
    }

    private Path app(String yaml) throws Exception {
        Path app = tmp.resolve("app.yaml");
        Files.writeString(app, yaml);
        return app;
    }

    private static long count(String text, String line) {
        return text.lines().filter(line::equals).count();
    }

    @Test
    void aFailingReplicaIsRestartedTheConfiguredNumberOfTimes() throws Exception {
        image("flaky", printAndExit("attempt\n", 3));
        image("ok", printAndExit("fine\n", 0));
        Path app = app("""
                cells:
                  flaky:
                    image: flaky.tar
                    replicas: 2
                    restart: {policy: on-failure, max-restarts: 2, backoff: 1ms}
                  ok:
                    image: ok.tar
                    restart: {policy: on-failure, max-restarts: 5, backoff: 1ms}
                """);
        CliRunner.Result r = cella("up", "--status-interval", "0s", app.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(3, count(r.out(), "flaky-0 | attempt"), r.toString());
        assertEquals(3, count(r.out(), "flaky-1 | attempt"), r.toString());
        assertEquals(1, count(r.out(), "ok-0 | fine"), "a replica that exits 0 is never restarted\n" + r);
        assertTrue(r.err().lines().anyMatch(l -> l.matches("\\s+flaky-0\\s+failed\\s+2\\s+.*exited 3")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("\\s+ok-0\\s+exited\\s+0\\s+.*exited 0")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("\\s+\\(all\\)\\s+0 running\\s+4\\s+\\d+\\s+\\d+K\\s*")), r.err());
    }

    @Test
    void anAppOfReplicasThatAllSucceedExitsZero() throws Exception {
        image("ok", printAndExit("fine\n", 0));
        CliRunner.Result r = cella("up", "--status-interval", "0s", app("cells: {ok: {image: ok.tar, replicas: 3}}").toString());
        assertEquals(0, r.code(), r.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(1, count(r.out(), "ok-" + i + " | fine"), r.toString());
        }
    }

    @Test
    void anAppFileWithAnErrorNamesTheLineAndField() throws Exception {
        image("ok", printAndExit("fine\n", 0));
        record Case(String yaml, String message) {}
        for (Case c : List.of(
                new Case("cells:\n  w:\n    image: ok.tar\n    replicas: -1\n",
                        ":4:15: cells.w.replicas: must be from 0 to 10000, not -1"),
                new Case("cells:\n  w:\n    image: ok.tar\n    restart: {policy: sometimes}\n",
                        ":4:23: cells.w.restart.policy: expected never or on-failure, found 'sometimes'"),
                new Case("cells:\n  w:\n    image: ok.tar\n    networks: [backend]\n",
                        ":4:16: cells.w.networks[0]: 'backend' is not declared in the app's top-level 'networks'"),
                new Case("cells:\n  w:\n    imag: ok.tar\n", ":3:11: cells.w.imag: unknown field"),
                new Case("cells:\n  w:\n    image: ok.tar\n    ports: [80]\n", ":4:13: cells.w.ports[0]: a published port is HOST:GUEST"),
                new Case("cells:\n  w:\n    image: missing.tar\n", "missing.tar: no such file"),
                new Case("services: [queue:jobs]\ncells:\n  w:\n    image: ok.tar\n    services: [kv:jobs:rw]\n",
                        ":5:16: cells.w.services[0]: 'kv:jobs:rw' is not declared in the app's top-level 'services'"),
                new Case("services: [queue:jobs:rw]\ncells: {w: {image: ok.tar}}\n",
                        ":1:12: services[0]: 'queue:jobs:rw' is not KIND:NAME"),
                new Case("services: [mail:x]\ncells: {w: {image: ok.tar}}\n", ":1:12: services[0]: 'mail' in 'mail:x' is not a service"),
                new Case("networks: [lan, lan]\ncells: {w: {image: ok.tar}}\n", ":1:17: networks[1]: 'lan' is declared twice"),
                new Case("cells:\n  w:\n    image: ok.tar\n    replicas: 2\n    ports: [\"8080:80\"]\n",
                        ":5:13: cells.w.ports[0]: host port 8080 can be published by one replica only"),
                new Case("cells:\n  w:\n    image: ok.tar\n    ports: [\"8080:0\"]\n",
                        ":4:13: cells.w.ports[0]: a host port is 0 (any free one) to 65535 and a guest port 1 to 65535"))) {
            CliRunner.Result r = cella("up", app(c.yaml()).toString());
            assertTrue(r.err().contains(c.message()), c.yaml() + "\n" + r);
            assertEquals(c.message().contains("no such file") ? ExitCode.MALFORMED_BINARY.code : ExitCode.USAGE.code,
                    r.code(), r.toString());
        }
    }

    @Test
    void anImageAskingForAGrantTheAppDoesNotGiveIsRefused() throws Exception {
        Path src = tmp.resolve("p.casm");
        Files.writeString(src, printAndExit("x\n", 0));
        Files.writeString(tmp.resolve("m.yaml"), "mounts: [{path: /data}]\n");
        assertEquals(0, cella("pack", src.toString(), "--manifest", tmp.resolve("m.yaml").toString(), "-o",
                tmp.resolve("p.tar").toString()).code());
        CliRunner.Result r = cella("up", app("cells:\n  p:\n    image: p.tar\n").toString());
        assertEquals(ExitCode.NOT_GRANTED.code, r.code(), r.toString());
        assertTrue(r.err().contains("app.yaml:3:5: p: p.tar: the image asks for a mount at /data"), r.err());
        Files.createDirectories(tmp.resolve("data"));
        assertEquals(0, cella("up", "--status-interval", "0s",
                app("cells:\n  p:\n    image: p.tar\n    mounts: [data:/data]\n").toString()).code());
    }

    @Test
    void aStoppedAppIsCheckpointedAndResumedWhereItStopped() throws Exception {
        image("long", LONG);
        Path appFile = app("cells: {long: {image: long.tar, replicas: 2}}");
        AppFile app = AppFile.parse(appFile, Files.readString(appFile));
        Path dir = tmp.resolve("ckpt");
        Files.createDirectories(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageCache cache = new ImageCache(null);
        AppRunner first = new AppRunner(app, new AppRunner.Options(EngineKind.INTERP, cache, dir, false, n -> out, n -> out));
        first.start();
        while (first.status().stream().anyMatch(s -> s.fuelUsed() < 1000)) {
            Thread.sleep(1);
        }
        first.stop();
        List<AppRunner.Status> stopped = first.await();
        assertTrue(stopped.stream().allMatch(s -> s.state() == AppRunner.State.CHECKPOINTED), stopped.toString());
        assertEquals("start\nstart\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(dir.resolve("long-0.ckpt")) && Files.exists(dir.resolve("long-1.ckpt")));

        out.reset();
        AppRunner second = new AppRunner(app, new AppRunner.Options(EngineKind.INTERP, cache, dir, true, n -> out, n -> out));
        second.start();
        List<AppRunner.Status> ended = second.await();
        assertTrue(ended.stream().allMatch(s -> s.state() == AppRunner.State.EXITED), ended.toString());
        assertEquals("done\ndone\n", out.toString(StandardCharsets.UTF_8), "resumed runs go on without starting again");
        assertFalse(Files.exists(dir.resolve("long-0.ckpt")), "a resumed checkpoint is used once");
    }

    @Test
    void sigtermStopsTheAppCheckpointingEachCellAndUpResumeFinishesIt() throws Exception {
        image("long", LONG);
        Path appFile = app("cells: {long: {image: long.tar, replicas: 2}}");
        Path dir = tmp.resolve("ckpt");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", CliRunner.childClassPath(), Cella.class.getName(), "up", "--status-interval", "0s",
                "--checkpoint-dir", dir.toString(), appFile.toString()));
        Process p = new ProcessBuilder(command).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            // Each replica is in its long loop once it has printed its first line.
            assertTrue(out.readLine().endsWith(" | start"));
            assertTrue(out.readLine().endsWith(" | start"));
            p.toHandle().destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "cella up did not end");
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), err);
            assertTrue(err.lines().filter(l -> l.contains("checkpointed at fuel")).count() == 2, err);
        } finally {
            p.destroyForcibly();
        }
        CliRunner.Result resumed = cella("up", "--status-interval", "0s", "--resume", "--checkpoint-dir", dir.toString(),
                appFile.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals(1, count(resumed.out(), "long-0 | done"), resumed.toString());
        assertEquals(0, count(resumed.out(), "long-0 | start"), resumed.toString());
    }
}
