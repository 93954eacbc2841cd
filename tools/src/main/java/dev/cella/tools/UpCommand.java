package dev.cella.tools;

import dev.cella.images.AppFile;
import dev.cella.images.AppRunner;
import dev.cella.sandbox.EngineKind;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cella up APP.yaml}: starts the app's cells ({@link AppRunner}), prints each replica's
 * output line by line with its name in front, a status table every {@code --status-interval}
 * while they run, and a summary when all have ended or Ctrl-C/SIGTERM stopped them (each cell
 * checkpointed to {@code --checkpoint-dir} if given, for {@code cella up --resume}).
 */
@Command(name = "up", sortOptions = false,
        description = {"Runs an app: groups of cells from images, with replicas and restarts (docs/images.md).",
            "Stops cleanly on Ctrl-C or SIGTERM, checkpointing each cell to --checkpoint-dir if given. Exits 0 when "
                + "no replica failed, 1 when one did (after its restarts)."})
final class UpCommand implements Callable<Integer>, Cella.FileCommand {
    private final Cella.Console console;

    @Mixin
    Cella.HelpOption helpOption;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "APP", description = "The app file (YAML).")
    String appFile;

    @Option(names = "--engine", paramLabel = "ENGINE", converter = RunCommand.EngineConverter.class,
            description = "interp, jit or auto, for every cell (default: interp).")
    EngineKind engine = EngineKind.INTERP;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "On Ctrl-C or SIGTERM, checkpoint each running cell to DIR/NAME.ckpt instead of killing it.")
    Path checkpointDir;

    @Option(names = "--resume", description = "Continue each replica from its checkpoint in --checkpoint-dir, if it has one.")
    boolean resume;

    @Option(names = "--status-interval", paramLabel = "DURATION", converter = OptionConverters.Time.class,
            description = "How often to print the cells' state and use to standard error; 0s for never (default: 2s).")
    Duration statusInterval = Duration.ofSeconds(2);

    @Mixin
    CacheOptions cacheOptions;

    UpCommand(Cella.Console console) {
        this.console = console;
    }

    @Override
    public String file() {
        return appFile;
    }

    @Override
    public Integer call() throws Exception {
        if (resume && checkpointDir == null) {
            throw new ParameterException(spec.commandLine(), "--resume needs --checkpoint-dir");
        }
        if (checkpointDir != null) {
            try {
                Files.createDirectories(checkpointDir);
            } catch (java.io.IOException e) {
                throw FileAccessException.output(checkpointDir.toString(), "cannot create the checkpoint directory", e);
            }
        }
        String text = new String(ModuleFiles.read(appFile), StandardCharsets.UTF_8);
        AppFile app = AppFile.parse(Path.of(appFile), text);
        List<LinePrefixer> streams = new ArrayList<>();
        AppRunner runner = new AppRunner(app, new AppRunner.Options(engine,
                cacheOptions.images(), checkpointDir, resume,
                name -> add(streams, new LinePrefixer(name, console.out())),
                name -> add(streams, new LinePrefixer(name, console.err()))));
        Interruption.stopping(runner::stop);
        try {
            runner.start();
            long interval = statusInterval.toMillis();
            while (!runner.await(interval > 0 ? interval : 1_000)) {
                if (interval > 0) {
                    console.err().print(table("app " + app.name(), runner.status()));
                    console.err().flush();
                }
            }
        } finally {
            Interruption.stopping(null);
            runner.close();
        }
        List<AppRunner.Status> end = runner.status();
        synchronized (streams) {
            streams.forEach(LinePrefixer::flushLine);
        }
        console.err().print(table("app " + app.name() + " ended", end));
        console.err().flush();
        return end.stream().anyMatch(s -> s.state() == AppRunner.State.FAILED) ? 1 : ExitCode.OK.code;
    }

    private static LinePrefixer add(List<LinePrefixer> streams, LinePrefixer p) {
        synchronized (streams) {
            streams.add(p);
        }
        return p;
    }

    /**
     * The status of every replica as a table: name, state, restarts, fuel, peak memory, how its
     * last run ended; and a last row for the whole app (memory: the replicas' peaks added up).
     */
    static String table(String title, List<AppRunner.Status> status) {
        StringBuilder sb = new StringBuilder();
        sb.append("cella: ").append(title).append('\n');
        int width = Math.max(7, status.stream().mapToInt(s -> s.name().length()).max().orElse(0));
        String format = "  %-" + width + "s  %-12s  %8s  %14s  %10s  %s%n";
        sb.append(String.format(Locale.ROOT, format, "REPLICA", "STATE", "RESTARTS", "FUEL", "MEMORY", "DETAIL"));
        long fuel = 0;
        long memory = 0;
        int restarts = 0;
        for (AppRunner.Status s : status) {
            sb.append(String.format(Locale.ROOT, format, s.name(), s.state().name().toLowerCase(Locale.ROOT), s.restarts(),
                    s.fuelUsed(), (s.memoryBytes() >> 10) + "K", s.detail()));
            fuel += s.fuelUsed();
            memory += s.memoryBytes();
            restarts += s.restarts();
        }
        long running = status.stream().filter(s -> s.state() == AppRunner.State.RUNNING).count();
        sb.append(String.format(Locale.ROOT, format, "(all)", running + " running", restarts, fuel, (memory >> 10) + "K", ""));
        return sb.toString();
    }

    /**
     * A replica's output stream: whole lines go to {@code target} with {@code name | } in front,
     * one at a time, so that replicas' lines never mix.
     */
    static final class LinePrefixer extends OutputStream {
        private final byte[] prefix;
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LinePrefixer(String name, PrintStream target) {
            this.prefix = (name + " | ").getBytes(StandardCharsets.UTF_8);
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        /** Writes a last line that has no newline. */
        synchronized void flushLine() {
            if (line.size() > 0) {
                line.write('\n');
                emit();
            }
        }

        private void emit() {
            synchronized (target) {
                target.write(prefix, 0, prefix.length);
                target.write(line.toByteArray(), 0, line.size());
                target.flush();
            }
            line.reset();
        }
    }
}
