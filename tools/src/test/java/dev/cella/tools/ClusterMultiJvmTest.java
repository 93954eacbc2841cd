package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cella.cluster.ClusterClient;
import dev.cella.cluster.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members in three child JVMs on loopback, with mutual TLS, ports picked here, killed in
 * {@code finally}: a batch submitted through {@code cella cluster submit} writes the same output
 * files as {@code cella batch}; placement follows cores and memory quotas; a cell that fits no
 * member is refused; a member and a submitter with a key the cluster does not trust are refused;
 * a member killed with SIGKILL mid-run loses no cell and duplicates no output; a drained member
 * leaves.
 */
@Timeout(300)
class ClusterMultiJvmTest {
    private static final String PASSWORD = "test-only-password";
    private static final Path EXAMPLES = Path.of(System.getProperty("cella.examples", "../examples")).toAbsolutePath();

    static {
        System.setProperty(ClusterCommand.PASSWORD_PROPERTY, PASSWORD); // the submitter's side runs in this JVM
    }

    /** Prints fib(0) to fib(N), a line each: a long cell whose output grows as it runs. */
    private static final Path FIBS = Path.of("src/test/resources/cluster/fibs.casm").toAbsolutePath();

    @TempDir
    Path dir;

    private Path goodKey;
    private String seedName;

    private final List<Process> processes = new ArrayList<>();

    @Test
    void submitPlacementRefusalTlsKillAndDrain() throws Exception {
        // Each store trusts the certificate of its own key entry, so it serves as the trust store
        // too: members with "good" trust each other and nobody else.
        Process genBad = keyPair("bad");
        Path good = dir.resolve("good.p12");
        awaitOk(keyPair("good"));
        awaitOk(genBad);
        Path bad = dir.resolve("bad.p12");
        Path trust = good;
        Path badTrust = bad;
        int[] ports = {freePort(), freePort(), freePort(), freePort()};
        String seed = "127.0.0.1:" + ports[0];
        goodKey = good;
        try {
            Process a = node(ports[0], seed, 1, "64M", good, trust, "a");
            Process b = node(ports[1], seed, 1, "64M", good, trust, "b");
            Process c = node(ports[2], seed, 2, "512M", good, trust, "c");
            for (String n : List.of("a", "b", "c")) {
                awaitLog(n, "is up");
            }
            String to = client(ports[0]); // the seed's client port: every submitter talks to it
            seedName = to;
            awaitMembers(to, good, trust, 3);

            // Outputs: identical to a local batch, file by file.
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                text.append("name=f").append(i).append(" binary=").append(EXAMPLES.resolve("fib.casm"))
                        .append(" args=\"").append(10 + i % 12).append("\" stdout=out/f").append(i).append(".txt\n");
            }
            text.append("name=big binary=").append(EXAMPLES.resolve("hello.casm")).append(" memory=256M stdout=out/big.txt\n");
            Path local = batch("local", text.toString());
            Path remote = batch("remote", text.toString());
            assertEquals(0, cella("batch", local.toString()).code);
            Result r = cella(tls(good, trust, "cluster", "submit", "--to", to, remote.toString()));
            assertEquals(0, r.code, r.err + r.out);
            for (int i = 0; i < 40; i++) {
                assertArrayEquals(Files.readAllBytes(local.resolveSibling("out/f" + i + ".txt")),
                        Files.readAllBytes(remote.resolveSibling("out/f" + i + ".txt")), "f" + i);
            }
            assertEquals("Hello, world!\n", Files.readString(remote.resolveSibling("out/big.txt")));
            // Placement: only c has room for big; c's two cores take about half of the others.
            Map<String, Integer> perMember = new HashMap<>();
            for (String line : r.out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && f[0].matches("f\\d+")) {
                    perMember.merge(f[1], 1, Integer::sum);
                }
                if (f.length > 2 && f[0].equals("big")) {
                    assertEquals("127.0.0.1:" + ports[2], f[1], line);
                }
            }
            int onC = perMember.getOrDefault("127.0.0.1:" + ports[2], 0);
            assertTrue(onC > perMember.getOrDefault("127.0.0.1:" + ports[0], 0)
                    && onC > perMember.getOrDefault("127.0.0.1:" + ports[1], 0), r.out);

            // A cell whose quota fits no member is refused, and nothing runs.
            Path huge = batch("huge", "name=huge binary=" + EXAMPLES.resolve("hello.casm") + " memory=1G\n");
            Result refused = cella(tls(good, trust, "cluster", "submit", "--to", to, huge.toString()));
            assertEquals(ExitCode.CLUSTER_REFUSED.code, refused.code, refused.err);
            assertTrue(refused.err.contains("huge") && !refused.err.contains("\tat "), refused.err);

            // The wrong key: a member that cannot join, a submitter that gets no answer.
            Process wrong = node(ports[3], seed, 8, "1G", bad, badTrust, "wrong");
            Result denied = cella(tls(bad, badTrust, "cluster", "status", "--timeout", "3s", "--to", to));
            assertEquals(ExitCode.CLUSTER_UNAVAILABLE.code, denied.code, denied.err);
            assertEquals(3, members(to, good, trust), "the member with the wrong key did not join");
            wrong.destroyForcibly();

            StringBuilder slow = new StringBuilder();
            for (int i = 0; i < 9; i++) {
                slow.append("name=s").append(i).append(" binary=").append(FIBS).append(" args=\"")
                        .append(30 + i % 3).append("\" stdout=slow/s").append(i).append(".txt\n");
            }
            Path slowLocal = batch("slow-local", slow.toString());
            Path slowRemote = batch("slow-remote", slow.toString());
            assertEquals(0, cella("batch", slowLocal.toString()).code);
            String aName = "127.0.0.1:" + ports[0];
            String bName = "127.0.0.1:" + ports[1];
            String cName = "127.0.0.1:" + ports[2];
            Settings watch = new Settings("127.0.0.1", 0, List.of(), new Settings.Tls(good, trust, PASSWORD), null);
            try (ClusterClient watcher = ClusterClient.connect(watch, to, Duration.ofSeconds(10))) {
                // kill -9 of the coordinator mid-run (a fourth member, d, that the submitter talks
                // to, naming a as the next): the submitter re-attaches to a, which takes the
                // submission over once d is removed, resuming the cells from their replicas; every
                // output line exactly once (docs/cluster.md, "Coordinator failover").
                int dPort = freePort();
                Process dProcess = node(dPort, seed, 1, "64M", good, trust, "d");
                awaitLog("d", "is up");
                awaitMembers(to, good, trust, 4);
                String dName = "127.0.0.1:" + dPort;
                Path failRemote = batch("fail-remote", slow.toString());
                Result f = submitWhile(watcher, failRemote, dName, client(dPort) + "," + to, () -> dProcess.destroyForcibly());
                assertEquals(0, f.code, f.err + f.out);
                for (int i = 0; i < 9; i++) {
                    assertEquals(Files.readString(slowLocal.resolveSibling("slow/s" + i + ".txt")),
                            Files.readString(failRemote.resolveSibling("slow/s" + i + ".txt")), "s" + i);
                }
                String taken = watcher.status().getLast();
                assertTrue(taken.matches(".*1 taken over from lost coordinators: [1-9]\\d* cells resumed from replicas.*"),
                        taken + "\n" + Files.readString(dir.resolve("a.log")));

                // kill -9 of b mid-run: its durable cells resume elsewhere from their last committed
                // segment, every output line exactly once, and the lost member's committed work is not
                // run again: a and c together run less fuel than all the cells used.
                List<String> before = settledStatus(watcher); // the loads include the last submission's commits
                Result k = submitWhile(watcher, slowRemote, bName, () -> b.destroyForcibly()); // SIGKILL
                assertEquals(0, k.code, k.err + k.out);
                assertTrue(k.out.lines().noneMatch(l -> l.contains(bName)), "every cell ended elsewhere: " + k.out);
                for (int i = 0; i < 9; i++) {
                    assertEquals(Files.readString(slowLocal.resolveSibling("slow/s" + i + ".txt")),
                            Files.readString(slowRemote.resolveSibling("slow/s" + i + ".txt")), "s" + i);
                }
                long committedOnB = fuelOn(lastSeen, bName) - fuelOn(before, bName);
                List<String> after = settledStatus(watcher);
                long ranOnAc = fuelOn(after, aName) + fuelOn(after, cName) - fuelOn(before, aName) - fuelOn(before, cName);
                assertTrue(committedOnB > 0 && ranOnAc <= cellFuel(k.out) - committedOnB, "b committed "
                        + committedOnB + " fuel before it was killed; a and c ran " + ranOnAc + " of "
                        + cellFuel(k.out) + ":\n" + String.join("\n", after));

                // Drain of c with a long cell running there: the cell resumes on a and completes,
                // its output whole; c leaves and its process ends by itself.
                Path longLocal = batch("long-local", "name=long binary=" + FIBS + " args=32 stdout=out/long.txt\n");
                Path longRemote = batch("long-remote", "name=long binary=" + FIBS + " args=32 stdout=out/long.txt\n");
                assertEquals(0, cella("batch", longLocal.toString()).code);
                Result d;
                try (ClusterClient toC = ClusterClient.connect(watch, client(ports[2]), Duration.ofSeconds(10))) {
                    before = watcher.status();
                    d = submitWhile(watcher, longRemote, cName, () -> assertTrue(
                            String.join("\n", toC.drain()).contains("draining"), "drain answered"));
                }
                assertEquals(0, d.code, d.err + d.out);
                assertTrue(d.out.lines().anyMatch(l -> l.startsWith("long") && l.contains(aName)), d.out);
                assertEquals(Files.readString(longLocal.resolveSibling("out/long.txt")),
                        Files.readString(longRemote.resolveSibling("out/long.txt")));
                long ranOnA = fuelOn(settledStatus(watcher), aName) - fuelOn(before, aName);
                assertTrue(ranOnA < cellFuel(d.out), "a resumed the drained cell: " + ranOnA + " of " + cellFuel(d.out));
            }
            assertTrue(c.waitFor(30, TimeUnit.SECONDS), "a drained member's process ends: "
                    + Files.readString(dir.resolve("c.log")));
            assertEquals(0, c.exitValue(), Files.readString(dir.resolve("c.log")));
            // Handed over member to member (docs/cluster.md, "Moving a cell"), not handed back.
            assertTrue(Files.readString(dir.resolve("c.log")).contains("over: stopped at"),
                    Files.readString(dir.resolve("c.log")));
            assertTrue(a.isAlive());
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The last status {@link #submitWhile} saw before it acted. */
    private List<String> lastSeen = List.of();

    /**
     * Submits {@code batch} (durable, small segments) from another thread and, as soon as member
     * {@code on} has committed a segment of a cell it runs (its fuel in the status grows), runs
     * {@code act}; returns the submission's result.
     */
    private Result submitWhile(ClusterClient watcher, Path batch, String on, ThrowingRunnable act) throws Exception {
        return submitWhile(watcher, batch, on, seedName, act);
    }

    /** {@link #submitWhile(ClusterClient, Path, String, ThrowingRunnable)} with {@code --to to}. */
    private Result submitWhile(ClusterClient watcher, Path batch, String on, String to, ThrowingRunnable act)
            throws Exception {
        long start = fuelOn(watcher.status(), on);
        Result[] submitted = new Result[1];
        Thread submitter = new Thread(() -> submitted[0] = cella(tls(goodKey, goodKey, "cluster", "submit",
                "--segment-fuel", "2000000", "--to", to, batch.toString())));
        submitter.start();
        boolean acted = false;
        while (submitter.isAlive()) {
            List<String> st = watcher.status();
            if (cellsOn(st, on) > 0 && fuelOn(st, on) > start) {
                lastSeen = st;
                act.run();
                acted = true;
                break;
            }
            Thread.sleep(50);
        }
        submitter.join();
        assertTrue(acted, on + " never committed a segment before the submission ended: " + submitted[0].out);
        return submitted[0];
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The status once the members' loads (refreshed every second) include the last commits. */
    private static List<String> settledStatus(ClusterClient watcher) throws InterruptedException {
        Thread.sleep(2500);
        return watcher.status();
    }

    /** A member's fuel used in a status table (the last column). */
    private static long fuelOn(List<String> status, String name) {
        for (String l : status) {
            String[] f = l.trim().split("\\s+");
            if (f[0].equals(name) && f.length > 3) {
                return Long.parseLong(f[f.length - 1]);
            }
        }
        return 0;
    }

    /** The fuel the cells of a submission used, summed from the submitter's lines ("... after N fuel"). */
    private static long cellFuel(String out) {
        return out.lines().filter(l -> l.endsWith(" fuel")).mapToLong(l -> {
            String[] f = l.trim().split("\\s+");
            return Long.parseLong(f[f.length - 2]);
        }).sum();
    }

    private Path batch(String name, String text) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.createDirectories(d.resolve("out"));
        Files.createDirectories(d.resolve("slow"));
        Path f = d.resolve("batch.txt");
        Files.writeString(f, text);
        return f;
    }

    /** Waits until member {@code name}'s output contains {@code text}. */
    private void awaitLog(String name, String text) throws Exception {
        Path log = dir.resolve(name + ".log");
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        fail("member " + name + " did not print '" + text + "': " + (Files.exists(log) ? Files.readString(log) : ""));
    }

    private void awaitMembers(String to, Path key, Path trust, int n) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (members(to, key, trust) == n) {
                return;
            }
            Thread.sleep(500);
        }
        fail("the cluster did not reach " + n + " members: " + cella(tls(key, trust, "cluster", "status", "--to", to)).out);
    }

    /** Members the status of the member at client address {@code to} shows as up. */
    private int members(String to, Path key, Path trust) {
        Result r = cella(tls(key, trust, "cluster", "status", "--to", to));
        if (r.code != 0) {
            return -1;
        }
        return (int) r.out.lines().filter(l -> l.matches("127\\.0\\.0\\.1:\\d+\\s+up\\s.*")).count();
    }

    /** The cells member {@code name} runs, as the status lines show them (0 if not shown). */
    private static int cellsOn(List<String> status, String name) {
        for (String l : status) {
            String[] f = l.trim().split("\\s+");
            if (f[0].equals(name) && f.length > 3) {
                return Integer.parseInt(f[f.length - 3]); // ... cells finished fuel
            }
        }
        return 0;
    }

    private static String[] tls(Path key, Path trust, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(2, "--tls-keystore");
        all.add(3, key.toString());
        all.add(4, "--tls-truststore");
        all.add(5, trust.toString());
        return all.toArray(String[]::new);
    }

    private record Result(int code, String out, String err) {}

    /** Runs cella in this JVM (the submitter's side). The key stores' password comes from a system property here. */
    private static final long T0 = System.nanoTime();

    private static Result cella(String... args) {
        System.err.printf("[%6.2f] cella %s%n", (System.nanoTime() - T0) / 1e9, String.join(" ", args).replaceAll("/tmp/\\S*/", ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cella.run(args, InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Each member's client port (submitters' connections), by its cluster port. */
    private final Map<Integer, Integer> clientPorts = new HashMap<>();

    /** host:port where submitters reach the member whose cluster port is {@code port}. */
    private String client(int port) {
        return "127.0.0.1:" + clientPorts.get(port);
    }

    private Process node(int port, String seed, int cores, String memory, Path key, Path trust, String name)
            throws IOException {
        int clientPort = freePort();
        clientPorts.put(port, clientPort);
        List<String> cmd = new ArrayList<>(List.of(javaBin("java"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", CliRunner.childClassPath(), "dev.cella.tools.Cella"));
        cmd.addAll(List.of(tls(key, trust, "cluster", "node", "--port", Integer.toString(port), "--seed", seed,
                "--client-port", Integer.toString(clientPort), "--cores", Integer.toString(cores), "--memory", memory,
                "--heartbeat-pause", "1s", "--checkpoint-key", segmentKey().toString(), "--data-dir",
                dir.resolve(name + "-data").toString())));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put(ClusterCommand.PASSWORD_ENV, PASSWORD);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** The members' shared segment key (docs/cluster.md, "Replication"), written once. */
    private Path segmentKey() throws IOException {
        Path k = dir.resolve("segment.key");
        if (!Files.exists(k)) {
            Files.writeString(k, "test segment key");
        }
        return k;
    }

    private static String javaBin(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    /** Starts keytool making a PKCS#12 store with a fresh self-signed key pair (test-only keys). */
    private Process keyPair(String alias) throws IOException {
        return new ProcessBuilder(javaBin("keytool"), "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=cella-" + alias, "-validity", "2", "-storetype", "PKCS12", "-keystore",
                dir.resolve(alias + ".p12").toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
    }

    private static void awaitOk(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
