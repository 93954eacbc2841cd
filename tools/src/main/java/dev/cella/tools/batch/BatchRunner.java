package dev.cella.tools.batch;

import dev.cella.images.TranslationCache;
import dev.cella.isa.CellaException;
import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.Stdin;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.CellState;
import dev.cella.sandbox.sched.CellStats;
import dev.cella.sandbox.sched.FairnessMonitor;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.sandbox.sched.SchedulerException;
import dev.cella.sandbox.sched.SchedulingPolicy;
import dev.cella.tools.ModuleFiles;
import dev.cella.services.Services;
import dev.cella.tools.MountSpec;
import dev.cella.tools.ServiceSpecs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link BatchFile} for {@code cella batch}: loads and verifies every guest, spawns them
 * all on one {@link Scheduler}, shows live progress, and ends with an accounting table per cell
 * and a fairness summary.
 *
 * <p>Progress: on a terminal, a table redrawn in place (ANSI escapes) four times a second;
 * otherwise plain lines, at most one status line a second plus a line when a cell ends.
 */
public final class BatchRunner {
    /** Exit code when every guest exited with status 0. */
    public static final int OK = 0;
    /** Exit code when some guest did not exit with status 0 (the table says which and why). */
    public static final int SOME_FAILED = 1;

    private static final long TERMINAL_REFRESH_MILLIS = 250;
    private static final long PLAIN_REFRESH_MILLIS = 1000;

    private BatchRunner() {}

    /**
     * Runs batch file {@code batchFile}, writing progress and the final report to {@code out}.
     * Guests' standard output and error are discarded unless the batch file sends them to files.
     *
     * @param terminal true if {@code out} is a terminal (live table), false for plain lines
     * @return {@link #OK} if every guest exited with status 0, else {@link #SOME_FAILED}
     * @throws BatchFileException if the batch file cannot be read or parsed, or a guest cannot
     *     be loaded, verified, instantiated or spawned (nothing runs then; the cause, if any, is
     *     the typed failure: {@link dev.cella.tools.FileAccessException} (a missing binary or
     *     mounted directory), {@link dev.cella.isa.FormatException}, {@link
     *     dev.cella.wasm.WasmException}, {@link
     *     dev.cella.isa.text.AssemblyException}, {@link dev.cella.isa.VerifyException}, {@link
     *     dev.cella.vm.LinkException}, {@link dev.cella.sandbox.QuotaExceeded}, {@link
     *     dev.cella.sandbox.SandboxException} or {@link SchedulerException})
     */
    public static int run(Path batchFile, PrintStream out, boolean terminal) {
        return run(BatchFile.read(batchFile), out, terminal, TranslationCache.NONE);
    }

    /**
     * As {@link #run(Path, PrintStream, boolean)}, with WebAssembly guests' translations read
     * from and kept in {@code cache} ({@code cella batch --cache-dir}).
     */
    public static int run(Path batchFile, PrintStream out, boolean terminal, TranslationCache cache) {
        return run(BatchFile.read(batchFile), out, terminal, cache);
    }

    /** Runs an already parsed batch; see {@link #run(Path, PrintStream, boolean, TranslationCache)}. */
    public static int run(BatchFile batch, PrintStream out, boolean terminal, TranslationCache cache) {
        Map<Path, OutputStream> streams = new HashMap<>();
        Services services = openServices(batch);
        try {
            return runOpen(batch, out, terminal, streams, services, cache);
        } finally {
            for (OutputStream s : streams.values()) {
                try {
                    s.close();
                } catch (IOException e) {
                    out.println("cella batch: closing a guest's output file failed: " + e.getMessage());
                }
            }
            if (services != null) {
                services.close();
            }
        }
    }

    /** The shared services the guests are granted, opened once for all; null if no guest has a grant. */
    private static Services openServices(BatchFile batch) {
        if (batch.guests().stream().allMatch(g -> g.services().grants().isEmpty())) {
            return null;
        }
        try {
            return ServiceSpecs.open(batch.services().dataDir(), batch.services().limits());
        } catch (CellaException e) {
            throw new BatchFileException(batch.file() + ": " + e.getMessage(), e);
        }
    }

    private static int runOpen(BatchFile batch, PrintStream out, boolean terminal,
            Map<Path, OutputStream> streams, Services services, TranslationCache cache) {
        BatchFile.Settings st = batch.settings();
        List<BatchFile.Guest> guests = batch.guests();
        Map<Path, Module> modules = new HashMap<>();
        List<Cell> cells = new ArrayList<>();
        BatchNet net = new BatchNet(batch);
        try {
            for (BatchFile.Guest g : guests) {
                Module m = modules.get(g.binary());
                if (m == null) {
                    m = load(batch.file(), g, cache);
                    modules.put(g.binary(), m);
                }
                cells.add(create(batch.file(), g, m, streams, services, net));
            }
        } catch (RuntimeException e) {
            closeAll(cells, 0);
            throw e;
        }
        Scheduler.Builder b = Scheduler.builder().policy(st.policy()).memoryPool(st.poolBytes()).paused(true);
        if (st.threads() > 0) {
            b.threads(st.threads());
        }
        if (st.sliceFuel() > 0) {
            b.sliceFuel(st.sliceFuel());
        }
        double[] due = new double[guests.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < due.length; i++) {
            BatchFile.Guest g = guests.get(i);
            due[i] = st.policy() == SchedulingPolicy.STATIC ? Math.max(g.share(), Double.MIN_NORMAL) : g.weight();
            names.add(g.name());
        }
        long slice = st.sliceFuel() > 0 ? st.sliceFuel() : Scheduler.DEFAULT_SLICE_FUEL;
        FairnessMonitor fairness = new FairnessMonitor(due, 2 * slice);
        b.observer(fairness);
        try (Scheduler s = b.build()) {
            List<CellHandle> handles = new ArrayList<>();
            for (int i = 0; i < guests.size(); i++) {
                BatchFile.Guest g = guests.get(i);
                CellSpec spec = new CellSpec(g.name(), g.weight(), g.share(),
                        g.memory() >= 0 ? g.memory() : CellSpec.CELL_LIMIT, false);
                try {
                    handles.add(s.spawn(cells.get(i), spec));
                } catch (SchedulerException e) {
                    closeAll(cells, i); // the scheduler kills (and closes) those it holds
                    throw new BatchFileException(where(batch.file(), g) + e.getMessage(), e);
                }
            }
            s.resume();
            watch(s, handles, out, terminal);
            List<CellStats> stats = new ArrayList<>();
            for (CellHandle h : handles) {
                stats.add(h.stats());
            }
            out.println();
            for (String line : BatchReport.accountingTable(s.policy(), stats)) {
                out.println(line);
            }
            out.println();
            for (String line : fairness.summary(s.policy(), names)) {
                out.println(line);
            }
            if (services != null) {
                out.println();
                out.println(ServiceSpecs.summary(services, guests.stream().flatMap(g -> g.services().grants().stream()).toList()));
            }
            List<String> network = net.report();
            if (!network.isEmpty()) {
                out.println();
                network.forEach(out::println);
            }
            out.flush();
            for (CellStats c : stats) {
                RunResult r = c.result();
                if (r == null || r.outcome() != Outcome.EXITED || r.exitStatus() != 0) {
                    return SOME_FAILED;
                }
            }
            return OK;
        }
    }

    /** Closes cells {@code from} onwards, which never ran, releasing what their configuration opened. */
    private static void closeAll(List<Cell> cells, int from) {
        for (int i = from; i < cells.size(); i++) {
            cells.get(i).close();
        }
    }

    /** Shows progress until every cell has finished. */
    private static void watch(Scheduler s, List<CellHandle> handles, PrintStream out, boolean terminal) {
        long start = System.nanoTime();
        long refresh = terminal ? TERMINAL_REFRESH_MILLIS : PLAIN_REFRESH_MILLIS;
        boolean[] reported = new boolean[handles.size()];
        int drawn = 0;
        boolean done = false;
        while (!done) {
            try {
                done = s.awaitAll(Duration.ofMillis(refresh));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.println("cella batch: interrupted; killing all cells");
                s.close();
                done = true;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<CellStats> stats = new ArrayList<>();
            for (CellHandle h : handles) {
                stats.add(h.stats());
            }
            if (terminal) {
                List<String> table = BatchReport.liveTable(seconds, s, stats);
                StringBuilder sb = new StringBuilder();
                if (drawn > 0) {
                    sb.append("\033[").append(drawn).append("F\033[J"); // back to the table's top, clear below
                }
                for (String line : table) {
                    sb.append(line).append('\n');
                }
                out.print(sb);
                drawn = table.size();
            } else {
                for (int i = 0; i < stats.size(); i++) {
                    if (!reported[i] && stats.get(i).state() == CellState.FINISHED) {
                        reported[i] = true;
                        out.println(BatchReport.finishedLine(seconds, stats.get(i)));
                    }
                }
                if (!done) {
                    out.println(BatchReport.progressLine(seconds, stats));
                }
            }
            out.flush();
        }
    }

    private static String where(Path file, BatchFile.Guest g) {
        return file + ":" + g.line() + ": guest " + g.name() + ": ";
    }

    /**
     * Loads guest {@code g}'s module as {@code cella run} does ({@link ModuleFiles#load}: .casm
     * text, .cel binary or .wasm translated on the fly, or its translation from {@code cache}) and
     * verifies it.
     */
    private static Module load(Path file, BatchFile.Guest g, TranslationCache cache) {
        try {
            return ModuleFiles.loadVerified(g.binary().toString(), g.argv0(), cache).module();
        } catch (CellaException e) {
            throw new BatchFileException(where(file, g) + e.getMessage(), e);
        }
    }

    /**
     * Creates guest {@code g}'s cell. Output files it names are opened once and kept in {@code
     * streams}: guests naming the same file (copies, say) share its stream and write in turn.
     */
    private static Cell create(Path file, BatchFile.Guest g, Module m, Map<Path, OutputStream> streams,
            Services services, BatchNet net) {
        List<String> argv = new ArrayList<>();
        argv.add(g.argv0());
        argv.addAll(g.args());
        CellConfig.Builder c = CellConfig.builder().args(argv).engine(g.engine());
        if (g.fuel() >= 0) {
            c.fuel(g.fuel());
        }
        if (g.memory() >= 0) {
            c.memoryLimit(g.memory());
        }
        c.timeout(g.timeout());
        if (g.stdin() != null) {
            if (!Files.isReadable(g.stdin())) {
                throw new BatchFileException(where(file, g) + "cannot read stdin file " + g.stdin(), true);
            }
            c.stdin(Stdin.file(g.stdin()));
        }
        c.stdout(open(file, g, g.stdout(), streams));
        c.stderr(open(file, g, g.stderr(), streams));
        try {
            for (MountSpec ms : g.mounts()) {
                ms.addTo(c);
            }
            if (!g.services().grants().isEmpty()) {
                try {
                    services.forCell(g.services().grants(), g.services().quota()).addTo(c);
                } catch (IllegalArgumentException e) {
                    throw new BatchFileException(where(file, g) + e.getMessage(), false);
                }
            }
            net.apply(g, c);
            return Cell.create(m, c.build());
        } catch (CellaException e) {
            throw new BatchFileException(where(file, g) + e.getMessage(), e);
        }
    }

    private static OutputStream open(Path file, BatchFile.Guest g, Path target, Map<Path, OutputStream> streams) {
        if (target == null) {
            return null;
        }
        OutputStream open = streams.get(target);
        if (open != null) {
            return open;
        }
        try {
            OutputStream s = new java.io.BufferedOutputStream(Files.newOutputStream(target));
            streams.put(target, s);
            return s;
        } catch (IOException e) {
            throw new BatchFileException(where(file, g) + "cannot write " + target + ": " + e.getMessage(), false);
        }
    }
}
