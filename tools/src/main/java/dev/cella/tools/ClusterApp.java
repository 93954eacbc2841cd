package dev.cella.tools;

import dev.cella.cluster.AppCells;
import dev.cella.cluster.ClusterClient;
import dev.cella.cluster.ClusterException;
import dev.cella.cluster.Wire;
import dev.cella.images.AppFile;
import dev.cella.images.AppRunner;
import dev.cella.images.Image;
import dev.cella.images.ImageCache;
import dev.cella.images.ImageGrants;
import dev.cella.images.ImageReader;
import dev.cella.images.ImageSpec;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cella cluster submit APP.yaml}: the replicas of an app (the file of {@code cella up},
 * docs/images.md) run as cells of the cluster (docs/cluster.md, "Apps"). Each replica is placed
 * as a batch's cell is; it carries its image's module and files, its environment, quotas and
 * the clock and entropy grants of its group. Whatever names something on one host (mounts,
 * virtual networks, service namespaces, published ports) cannot work across members: a group
 * asking for it is refused before anything runs, naming its line in the app file.
 *
 * <p>Restarts are the submitter's: once a round of replicas has ended, those that failed and whose
 * group restarts on failure are submitted again, after the longest of their back-offs, until none
 * is left. Each replica's output is printed once, whole, when its run ends, each line with its name
 * in front as {@code cella up} prints it.
 */
final class ClusterApp {
    /** One replica, ready to send (its job's submission id and index are set per round). */
    private record Replica(String name, AppFile.CellGroup group, Wire.CellJob job) {}

    private final AppFile app;
    private final List<Replica> replicas;

    private ClusterApp(AppFile app, List<Replica> replicas) {
        this.app = app;
        this.replicas = replicas;
    }

    /**
     * Reads every image of {@code app} (digests checked, requests checked against the group's
     * grants) and prepares every replica, before any contact with the cluster.
     *
     * @param segmentFuel fuel per segment of each cell's durable run, 0 for plain cells
     * @throws ClusterException (REFUSED) naming the group's line if it asks for what a cluster cell cannot have
     * @throws dev.cella.images.ImageException if an image is unreadable, tampered with, or asks for what is not granted
     */
    static ClusterApp prepare(AppFile app, ImageCache cache, long segmentFuel) {
        Map<Path, Image> images = new LinkedHashMap<>();
        Map<Path, byte[]> modules = new LinkedHashMap<>();
        Map<Path, byte[]> trees = new LinkedHashMap<>();
        List<Replica> replicas = new ArrayList<>();
        for (AppFile.CellGroup g : app.cells()) {
            refuseHostThings(g);
            Image image = images.computeIfAbsent(g.image(), p -> ImageReader.read(p, g.image().toString()));
            String where = g.where() + ": " + g.name() + ": " + g.image().getFileName();
            new ImageGrants(List.of(), g.clock(), g.random(), Set.of(), Set.of(), Set.of(), Set.of())
                    .check(image.spec(), where);
            byte[] module = modules.computeIfAbsent(g.image(), p -> ModuleWriter.write(cache.module(image)));
            byte[] tree = trees.computeIfAbsent(g.image(), p -> AppCells.encodeTree(image.files()));
            ImageSpec.Quotas q = image.spec().quotas().overriddenBy(g.quotas());
            for (int i = 0; i < g.replicas(); i++) {
                String name = g.name() + "-" + i;
                Wire.AppCell extra = new Wire.AppCell(AppRunner.env(g, image.spec(), i), tree, g.clock(), g.random(), or(q.maxCallDepth()),
                        or(q.maxOutput()), or(q.maxOpenFiles()), or(q.diskQuota()), or(q.maxFiles()));
                Wire.CellJob job = new Wire.CellJob("", 0, name, module, List.copyOf(AppRunner.argv(g, image.spec())), 1, or(q.fuel()),
                        or(q.memory()), q.timeout() == null ? 0 : q.timeout().toMillis(), EngineKind.INTERP.name(), null,
                        true, true, segmentFuel, extra);
                check(job, where);
                replicas.add(new Replica(name, g, job));
            }
        }
        return new ClusterApp(app, List.copyOf(replicas));
    }

    /** Mounts, networks, services and published ports name things on one host: a cluster cell cannot have them. */
    private static void refuseHostThings(AppFile.CellGroup g) {
        List<String> asked = new ArrayList<>();
        if (!g.mounts().isEmpty()) {
            asked.add("mounts");
        }
        if (!g.networks().isEmpty()) {
            asked.add("networks");
        }
        if (!g.services().isEmpty()) {
            asked.add("services");
        }
        if (!g.ports().isEmpty()) {
            asked.add("ports");
        }
        if (!asked.isEmpty()) {
            throw new ClusterException(ClusterException.Kind.REFUSED, g.where() + ": cells." + g.name() + ": "
                    + String.join(", ", asked) + " cannot work across cluster members (they name things on one "
                    + "host); run this app with cella up");
        }
    }

    /** Builds the configuration a member will build, so that a quota out of range fails here, naming the group. */
    private static void check(Wire.CellJob j, String where) {
        try {
            CellConfig.Builder b = CellConfig.builder().args(j.args());
            if (j.fuel() >= 0) {
                b.fuel(j.fuel());
            }
            if (j.memory() >= 0) {
                b.memoryLimit(j.memory());
            }
            AppCells.apply(j.app(), b);
            b.build();
        } catch (dev.cella.sandbox.SandboxException | IllegalArgumentException e) {
            throw new ClusterException(ClusterException.Kind.REFUSED, where + ": " + e.getMessage());
        }
    }

    private static long or(Long v) {
        return v == null ? -1 : v;
    }

    private static int or(Integer v) {
        return v == null ? -1 : v;
    }

    /**
     * Runs the app through {@code client}: prints each replica's output with its name in front as
     * its run ends, restarts failed replicas by their group's rule, then prints the table of
     * {@code cella up} to {@code err}.
     *
     * @return 0 if no replica failed, 1 if one did (after its restarts)
     */
    int submit(ClusterClient client, PrintStream out, PrintStream err) throws InterruptedException {
        int n = replicas.size();
        int[] restarts = new int[n];
        AppRunner.Status[] last = new AppRunner.Status[n];
        List<Integer> round = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            round.add(i);
        }
        while (!round.isEmpty()) {
            String id = ClusterClient.newSubmission();
            List<Wire.CellJob> jobs = new ArrayList<>();
            for (int k = 0; k < round.size(); k++) {
                jobs.add(renumber(replicas.get(round.get(k)).job(), id, k));
            }
            List<Integer> these = round;
            client.submit(id, jobs, d -> {
                int r = these.get(d.index());
                Replica rep = replicas.get(r);
                print(rep.name(), d.stdout(), out);
                print(rep.name(), d.stderr(), err);
                boolean ok = d.outcome().equals("EXITED") && d.exitStatus() == 0;
                String detail = (d.outcome().equals("EXITED") ? "exited " + d.exitStatus()
                        : d.outcome().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                                + (d.error().isEmpty() ? "" : " (" + d.error() + ")")) + " on " + d.member();
                last[r] = new AppRunner.Status(rep.name(), ok ? AppRunner.State.EXITED : AppRunner.State.FAILED,
                        restarts[r], d.fuelUsed(), 0, detail);
            });
            List<Integer> again = new ArrayList<>();
            long pause = 0;
            for (int r : round) {
                AppFile.Restart rule = replicas.get(r).group().restart();
                if (last[r].state() == AppRunner.State.FAILED && rule.policy() == AppFile.RestartPolicy.ON_FAILURE
                        && restarts[r] < rule.maxRestarts()) {
                    restarts[r]++;
                    pause = Math.max(pause, rule.delayBefore(restarts[r]).toMillis());
                    again.add(r);
                }
            }
            Thread.sleep(pause);
            round = again;
        }
        List<AppRunner.Status> end = List.of(last);
        err.print(UpCommand.table("app " + app.name() + " ended on the cluster", end));
        err.flush();
        out.flush();
        return end.stream().anyMatch(s -> s.state() == AppRunner.State.FAILED) ? 1 : ExitCode.OK.code;
    }

    private static Wire.CellJob renumber(Wire.CellJob j, String id, int index) {
        return new Wire.CellJob(id, index, j.name(), j.module(), j.args(), j.weight(), j.fuel(), j.memory(),
                j.timeoutMillis(), j.engine(), j.stdin(), j.keepStdout(), j.keepStderr(), j.segmentFuel(), j.app());
    }

    /** Prints a replica's output, each line with its name in front ({@link UpCommand.LinePrefixer}). */
    private static void print(String name, byte[] bytes, PrintStream target) {
        if (bytes.length == 0) {
            return;
        }
        UpCommand.LinePrefixer p = new UpCommand.LinePrefixer(name, target);
        p.write(bytes, 0, bytes.length);
        p.flushLine();
    }
}
