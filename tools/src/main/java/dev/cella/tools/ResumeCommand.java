package dev.cella.tools;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.SandboxException;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.vm.SuspendRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cella resume FILE}: restores a checkpoint written by {@code cella run --checkpoint-at}
 * and runs the guest on to its end (or to a further checkpoint). The program's inputs (arguments,
 * environment, seed) and engine come from the checkpoint; what the cell may use and reach (quotas,
 * mounts, clock and random grants) comes from this command line, as for {@code cella run}, since
 * a checkpoint file grants nothing. Standard streams are the resuming process's.
 */
@Command(name = "resume", description = {
        "Restores a checkpoint (from `cella run --checkpoint-at FUEL --checkpoint-file FILE`) and runs the guest "
            + "on from where it stopped, in this process: it writes exactly what the uninterrupted run would have "
            + "written from that point on, and exits as it would have.",
        "The program's arguments, environment, seed and engine are the checkpoint's. Quotas, mounts and grants "
            + "are this command line's (the same options as `cella run`; a checkpoint grants nothing): give the "
            + "mounts the cell had, at the same guest paths and read-only flags. See docs/checkpoint.md."})
final class ResumeCommand implements Callable<Integer>, Cella.FileCommand {
    private final Cella.Console console;

    @Spec
    CommandSpec spec;

    @Mixin
    Cella.HelpOption help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint file.")
    String file;

    @Mixin
    SandboxOptions sandbox;

    @Mixin
    ServiceOptions serviceOptions;

    /** A resumed cell gets its network grants from this command line too, never from the file. */
    @Mixin
    NetOptions net;

    @Option(names = "--checkpoint-key", paramLabel = "FILE",
            description = "Refuse the checkpoint unless it was written with the key in FILE (HMAC-SHA256), and "
                    + "authenticate a further checkpoint with it.")
    Path checkpointKey;

    @Option(names = "--stdin", paramLabel = "FILE",
            description = "The rest of the guest's standard input: FILE, or - for cella's own (default: empty).")
    String stdin;

    @Option(names = "--stats", paramLabel = "FORMAT", arity = "0..1", converter = RunCommand.StatsConverter.class,
            preprocessor = RunCommand.StatsPreprocessor.class,
            description = "After the run, print the accounting (of the whole run, checkpointed part included) to "
                    + "standard error: --stats for text, --stats=json for JSON.")
    RunCommand.StatsFormat stats;

    @Option(names = "--checkpoint-at", paramLabel = "FUEL",
            description = "Stop again when the fuel used would pass FUEL and write a new checkpoint.")
    Long checkpointAt;

    @Option(names = "--checkpoint-file", paramLabel = "FILE", description = "Where --checkpoint-at writes it.")
    Path checkpointFile;

    ResumeCommand(Cella.Console console) {
        this.console = console;
    }

    @Override
    public String file() {
        return file;
    }

    @Override
    public Integer call() {
        SuspendRequest again = RunCommand.checkpointRequest(spec, checkpointAt, checkpointFile);
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw FileAccessException.input(file, "no such file", null);
        }
        byte[] key = RunCommand.checkpointKey(checkpointKey);
        // The limits come from this command line before the file is read, so that its sizes are
        // checked against them before anything is allocated.
        CellConfig.Builder limits = CellConfig.builder();
        sandbox.applyTo(limits);
        Checkpoint checkpoint = Checkpoint.read(path, key, Checkpoint.maxPayload(build(limits)));
        CellConfig.Builder b = Terminals.apply(checkpoint.configBuilder(), console)
                .stdout(console.out())
                .stderr(console.err())
                .stdin(RunCommand.stdinSource(console, stdin));
        sandbox.applyTo(b);
        net.applyTo(b);
        try (ServiceOptions.Opened services = serviceOptions.open(); Cell cell = checkpoint.restore(services.addTo(build(b)))) {
            try {
                return RunCommand.finish(console, cell, RunCommand.runInterruptibly(cell, () -> cell.resume(again)),
                        checkpointFile, key, stats, file);
            } finally {
                services.printStats(console, stats);
            }
        }
    }

    /** Builds {@code b}; a value the sandbox refuses (a mount gone since it was checked) is a usage error. */
    private CellConfig build(CellConfig.Builder b) {
        try {
            return b.build();
        } catch (SandboxException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
