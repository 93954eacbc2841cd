package dev.cella.tools.batch;

import dev.cella.cluster.ClusterClient;
import dev.cella.cluster.ClusterException;
import dev.cella.cluster.Wire;
import dev.cella.isa.CellaException;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import dev.cella.tools.ModuleFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code cella cluster submit FILE}: the cells of a batch file run on a cluster instead of one
 * scheduler (docs/cluster.md). The submitter loads and verifies every guest as {@code cella batch}
 * does, sends each as a Cella binary with its quotas, and writes the outputs the cells return to
 * the files the batch names, in batch order, so that they are byte for byte what a local {@code
 * cella batch} writes when each output file belongs to one guest.
 *
 * <p>A cluster cell has its module, argv, stdin, fuel, memory, time and weight; mounts, services
 * and networks name things on the submitter's host, so a guest asking for them is refused before
 * anything runs.
 */
public final class ClusterBatch {
    private ClusterBatch() {}

    /** A batch ready to send: its cells, loaded and verified, under a fresh submission id. */
    public record Prepared(BatchFile batch, String id, List<Wire.CellJob> jobs) {}

    /**
     * Loads and verifies every guest of {@code batch} (before any contact with the cluster).
     *
     * @param segmentFuel fuel per segment of each cell's durable run, 0 to run plain cells
     * @throws BatchFileException if a guest cannot be loaded or asks for what a cluster cell cannot have
     */
    public static Prepared prepare(BatchFile batch, long segmentFuel) {
        String id = ClusterClient.newSubmission();
        return new Prepared(batch, id, jobs(batch, id, segmentFuel));
    }

    /**
     * Submits a prepared batch through {@code client}, writes the outputs, prints one line per
     * cell in batch order and a summary to {@code out}.
     *
     * @return {@link BatchRunner#OK} if every guest exited with status 0, else {@link BatchRunner#SOME_FAILED}
     * @throws ClusterException if the cluster refuses the work or the member is lost
     */
    public static int submit(Prepared prepared, ClusterClient client, PrintStream out) {
        long start = System.nanoTime();
        BatchFile batch = prepared.batch();
        String id = prepared.id();
        List<Wire.CellJob> jobs = prepared.jobs();
        Wire.CellDone[] done = new Wire.CellDone[jobs.size()];
        // A guest whose output files are its own is written as soon as it ends (and its bytes
        // dropped); files several guests share are written at the end, in batch order.
        Set<Path> shared = sharedTargets(batch);
        List<BatchFile.Guest> all = batch.guests();
        // Each cell's report line is made as its end arrives, while the others still run, so
        // that only printing them in batch order is left once the last one ends.
        String[] lines = new String[jobs.size()];
        client.submit(id, jobs, d -> {
            BatchFile.Guest g = all.get(d.index());
            lines[d.index()] = String.format(Locale.ROOT, "%-20s %-21s %s after %d fuel", g.name(), d.member(),
                    describe(d), d.fuelUsed());
            if ((g.stdout() == null || !shared.contains(g.stdout())) && (g.stderr() == null || !shared.contains(g.stderr()))) {
                writeOutputs(batch, d.index(), d);
                d = new Wire.CellDone(d.submission(), d.index(), d.member(), d.outcome(), d.exitStatus(), d.error(),
                        d.fuelUsed(), null, null);
            }
            done[d.index()] = d;
        });
        writeOutputs(batch, -1, done);
        Map<String, Integer> perMember = new LinkedHashMap<>();
        int failed = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < done.length; i++) {
            Wire.CellDone d = done[i];
            boolean ok = d.outcome().equals("EXITED") && d.exitStatus() == 0;
            failed += ok ? 0 : 1;
            perMember.merge(d.member(), 1, Integer::sum);
            report.append(lines[i]).append(System.lineSeparator());
        }
        out.print(report);
        out.println(String.format(Locale.ROOT, "%d cells on %d members in %.2f s (%s); %d did not exit with status 0",
                done.length, perMember.size(), (System.nanoTime() - start) / 1e9, perMember.toString().replace("=", ": "),
                failed));
        out.flush();
        return failed == 0 ? BatchRunner.OK : BatchRunner.SOME_FAILED;
    }

    private static String describe(Wire.CellDone d) {
        return switch (d.outcome()) {
            case "EXITED" -> "exited " + d.exitStatus();
            default -> d.outcome().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + (d.error().isEmpty() ? "" : " (" + d.error() + ")");
        };
    }

    /** The batch as cells: each guest loaded and verified here, its grants read from the batch alone. */
    static List<Wire.CellJob> jobs(BatchFile batch, String id, long segmentFuel) {
        Map<Path, byte[]> modules = new HashMap<>();
        List<Wire.CellJob> jobs = new ArrayList<>();
        List<BatchFile.Guest> guests = batch.guests();
        for (int i = 0; i < guests.size(); i++) {
            BatchFile.Guest g = guests.get(i);
            String where = batch.file() + ":" + g.line() + ": guest " + g.name() + ": ";
            if (!g.mounts().isEmpty() || !g.services().grants().isEmpty() || g.net().attached()
                    || g.net().stdinFrom() != null) {
                throw new BatchFileException(where + "a cluster cell cannot have mounts, services or networks "
                        + "(they name things on this host); run this batch with cella batch", false);
            }
            byte[] module = modules.get(g.binary());
            if (module == null) {
                try {
                    Module m = ModuleFiles.load(g.binary(), g.argv0()).module();
                    Verifier.verify(m);
                    module = ModuleWriter.write(m);
                } catch (CellaException e) {
                    throw new BatchFileException(where + e.getMessage(), e);
                }
                modules.put(g.binary(), module);
            }
            byte[] stdin = null;
            if (g.stdin() != null) {
                try {
                    stdin = Files.readAllBytes(g.stdin());
                } catch (IOException e) {
                    throw new BatchFileException(where + "cannot read stdin file " + g.stdin(), true);
                }
            }
            List<String> argv = new ArrayList<>();
            argv.add(g.argv0());
            argv.addAll(g.args());
            jobs.add(new Wire.CellJob(id, i, g.name(), module, List.copyOf(argv), g.weight(), g.fuel(), g.memory(),
                    g.timeout() == null ? 0 : g.timeout().toMillis(), g.engine().name(), stdin, g.stdout() != null,
                    g.stderr() != null, segmentFuel));
        }
        return jobs;
    }

    /** The output files named by more than one guest (stdout or stderr). */
    private static Set<Path> sharedTargets(BatchFile batch) {
        Map<Path, Integer> uses = new HashMap<>();
        for (BatchFile.Guest g : batch.guests()) {
            for (Path p : java.util.Arrays.asList(g.stdout(), g.stderr())) {
                if (p != null) {
                    uses.merge(p, 1, Integer::sum);
                }
            }
        }
        Set<Path> shared = new HashSet<>();
        uses.forEach((p, n) -> {
            if (n > 1) {
                shared.add(p);
            }
        });
        return shared;
    }

    /**
     * Writes each given cell's output to the files its guest names, in batch order; guests naming
     * the same file share it, each one's output whole (a local batch interleaves them as they run).
     * A cell whose output was written already (null bytes) is skipped.
     *
     * @param first the index of {@code done[0]}, or -1 if {@code done} holds every cell by index
     */
    private static void writeOutputs(BatchFile batch, int first, Wire.CellDone... done) {
        Map<Path, OutputStream> streams = new HashMap<>();
        try {
            List<BatchFile.Guest> guests = batch.guests();
            for (int k = 0; k < done.length; k++) {
                if (done[k].stdout() == null) {
                    continue;
                }
                BatchFile.Guest g = guests.get(first < 0 ? k : first + k);
                write(batch, g, g.stdout(), done[k].stdout(), streams);
                write(batch, g, g.stderr(), done[k].stderr(), streams);
            }
        } finally {
            for (Map.Entry<Path, OutputStream> e : streams.entrySet()) {
                try {
                    e.getValue().close();
                } catch (IOException x) {
                    throw new BatchFileException("cannot write " + e.getKey() + ": " + x.getMessage(), false);
                }
            }
        }
    }

    private static void write(BatchFile batch, BatchFile.Guest g, Path target, byte[] bytes,
            Map<Path, OutputStream> streams) {
        if (target == null) {
            return;
        }
        try {
            OutputStream s = streams.get(target);
            if (s == null) {
                s = new java.io.BufferedOutputStream(Files.newOutputStream(target));
                streams.put(target, s);
            }
            s.write(bytes);
        } catch (IOException e) {
            throw new BatchFileException(batch.file() + ":" + g.line() + ": guest " + g.name() + ": cannot write "
                    + target + ": " + e.getMessage(), false);
        }
    }
}
