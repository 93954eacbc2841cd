package dev.cella.tools;

import dev.cella.cluster.ClusterClient;
import dev.cella.cluster.ClusterException;
import dev.cella.cluster.ClusterNode;
import dev.cella.cluster.Settings;
import dev.cella.images.AppFile;
import dev.cella.tools.batch.BatchFile;
import dev.cella.tools.batch.ClusterBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cella cluster node|submit|status|drain}: cells across machines on a Pekko cluster
 * (docs/cluster.md). {@code node} runs a member until it is drained or killed; the others talk
 * to one member and exit.
 */
@Command(name = "cluster", description = {"Runs cells on a cluster of Cella members (docs/cluster.md).",
    "node starts a member; submit runs a batch file's cells on the cluster; status shows members and usage; "
        + "drain makes a member hand its work over and leave."})
final class ClusterCommand implements Callable<Integer> {
    /** The environment variable holding the key stores' password (never a command-line argument). */
    static final String PASSWORD_ENV = "CELLA_CLUSTER_TLS_PASSWORD";
    /** The system property read when the environment variable is not set (embedders, tests). */
    static final String PASSWORD_PROPERTY = "cella.cluster.tls.password";

    @Mixin
    Cella.HelpOption help;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing cluster command: one of node, submit, status, drain");
    }

    /** The command tree under {@code cella cluster}. */
    static CommandLine commandLine(Cella.Console console) {
        CommandLine cl = new CommandLine(new ClusterCommand());
        cl.addSubcommand("node", new Node(console));
        cl.addSubcommand("submit", new Submit(console));
        cl.addSubcommand("status", new Status(console));
        cl.addSubcommand("drain", new Drain(console));
        return cl;
    }

    /** TLS options, shared by every cluster command. */
    static final class TlsOptions {
        @Option(names = "--tls-keystore", paramLabel = "FILE", required = true,
                description = "PKCS#12 key store with this side's key and certificate; turns on mutual TLS. "
                        + "The password is read from $" + PASSWORD_ENV + ".")
        Path keystore;

        @Option(names = "--tls-truststore", paramLabel = "FILE", required = true,
                description = "Key store with the certificates (or CA) of the members to accept.")
        Path truststore;

        Settings.Tls tls(CommandLine cl) {
            String password = System.getenv(PASSWORD_ENV);
            if (password == null) {
                password = System.getProperty(PASSWORD_PROPERTY);
            }
            if (password == null) {
                throw new ParameterException(cl, "--tls-keystore needs the stores' password in $" + PASSWORD_ENV);
            }
            if (!Files.isReadable(keystore) || !Files.isReadable(truststore)) {
                throw new ParameterException(cl, "cannot read key store "
                        + (Files.isReadable(keystore) ? truststore : keystore));
            }
            return new Settings.Tls(keystore, truststore, password);
        }
    }

    /** Options of the commands that talk to one member. */
    static final class ClientOptions {
        @Option(names = "--to", paramLabel = "HOST:PORT", required = true, split = ",",
                description = "The client port of the member to talk to (any member; it coordinates the "
                        + "submission): its --client-port, by default its --port + 1. Several, comma-separated "
                        + "(or --to repeated): the first that answers; a submission the member refuses goes to "
                        + "the next. A submission whose connection breaks is re-attached to the same member if it "
                        + "answers, else taken over by the next that answers.")
        List<String> members;

        @Option(names = "--host", paramLabel = "HOST", defaultValue = "0.0.0.0",
                description = "This side's address, the connection's source (default: any).")
        String host;

        @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", converter = OptionConverters.Time.class,
                description = "How long the member may take to answer first (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @ArgGroup(exclusive = false)
        TlsOptions tls;

        /** Connects to the first member of {@code --to} that answers; each member passed over is named on {@code err}. */
        ClusterClient connect(CommandLine cl, java.io.PrintStream err) {
            Settings s = new Settings(host, 0, List.of(), tls == null ? null : tls.tls(cl), null);
            for (String member : members) {
                try {
                    Settings.hostPort(member);
                } catch (ClusterException e) {
                    throw new ParameterException(cl, "--to: " + e.getMessage());
                }
            }
            return ClusterClient.connect(s, members, timeout, line -> err.println("cella: " + line));
        }
    }

    @Command(name = "node", description = {"Starts a cluster member and runs cells placed on it until it is "
        + "drained (cella cluster drain) or stopped.",
        "The first member lists itself as --seed; the others list it (or any running member)."})
    static final class Node implements Callable<Integer> {
        private final Cella.Console console;

        @Mixin
        Cella.HelpOption help;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--port", paramLabel = "P", required = true, description = "TCP port to listen on.")
        int port;

        @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
                description = "Address to bind and be known by; others must reach it (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--seed", paramLabel = "HOST:PORT", required = true,
                description = "A member to join through (repeatable); the first member names itself.")
        List<String> seeds;

        @Option(names = "--cores", paramLabel = "N", defaultValue = "1",
                description = "Cores offered: scheduler threads, and this member's weight in placement.")
        int cores;

        @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "1G", converter = OptionConverters.Size.class,
                description = "Memory offered to cells (sizes as for --memory of run; default ${DEFAULT-VALUE}).")
        long memory;

        @Option(names = "--client-port", paramLabel = "P",
                description = "TCP port on which submitters (submit, status, drain) reach this member; "
                        + "default: --port + 1.")
        Integer clientPort;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "This member's data directory (created if missing): the segments it holds as "
                        + "the replica of other members' cells are kept there; without it, in memory.")
        Path dataDir;

        @Option(names = "--checkpoint-key", paramLabel = "FILE",
                description = "The cluster's segment key (the file's bytes, as for cella run --checkpoint-key), "
                        + "the same on every member: segments are tagged with it, and one that does not verify "
                        + "is refused with its sender. Without it segments carry no tag.")
        Path checkpointKey;

        @Option(names = "--heartbeat-pause", paramLabel = "TIME", converter = OptionConverters.Time.class,
                description = "Silence tolerated before a member counts as unreachable (default: Pekko's, 3s).")
        Duration heartbeatPause;

        @ArgGroup(exclusive = false)
        TlsOptions tls;

        Node(Cella.Console console) {
            this.console = console;
        }

        @Override
        public Integer call() throws Exception {
            if (port < 1 || port > 65535) {
                throw new ParameterException(spec.commandLine(), "--port must be 1 to 65535, not " + port);
            }
            if (cores < 1 || cores > 4096) {
                throw new ParameterException(spec.commandLine(), "--cores must be 1 to 4096, not " + cores);
            }
            int client = clientPort != null ? clientPort : port + 1;
            if (client < 1 || client > 65535 || client == port) {
                throw new ParameterException(spec.commandLine(), "--client-port must be 1 to 65535 and not --port, not "
                        + client);
            }
            if (dataDir != null) {
                try {
                    Files.createDirectories(dataDir);
                } catch (java.io.IOException e) {
                    throw FileAccessException.output(dataDir.toString(), "cannot create: " + e.getMessage(), e);
                }
            }
            Settings s = settings(spec.commandLine());
            byte[] key = RunCommand.checkpointKey(checkpointKey);
            try (ClusterNode node = ClusterNode.start(s, cores, memory, dataDir, key, client)) {
                console.out().println("cella cluster: member " + host + ":" + port + " started, " + cores
                        + " cores, " + memory + " bytes; joining " + String.join(", ", seeds) + "; submitters connect to "
                        + node.clientName());
                console.out().flush();
                if (node.awaitUp(Duration.ofSeconds(60))) {
                    console.out().println("cella cluster: member " + node.name() + " is up");
                } else {
                    console.out().println("cella cluster: member not up after 60 s; still trying the seeds");
                }
                console.out().flush();
                while (!node.awaitRemoved(Duration.ofSeconds(1))) {
                    if (Interruption.interrupted()) {
                        return ExitCode.KILLED.code;
                    }
                }
                console.out().println("cella cluster: member " + host + ":" + port + " has left the cluster");
                return ExitCode.OK.code;
            }
        }

        private Settings settings(CommandLine cl) {
            try {
                return new Settings(host, port, seeds, tls == null ? null : tls.tls(cl), heartbeatPause);
            } catch (ClusterException e) {
                throw new ParameterException(cl, e.getMessage());
            }
        }
    }

    @Command(name = "submit", description = {"Runs the cells of a batch file (the format of cella batch) on the "
        + "cluster and writes their outputs to the files the batch names; or the replicas of an app file (.yaml, "
        + "the format of cella up), printing their output as cella up does.",
        "Prints one line per cell (member, outcome, fuel) in batch order. Exits 0 when every guest exited with "
            + "status 0, 1 when some did not."})
    static final class Submit implements Callable<Integer> {
        private final Cella.Console console;

        @Mixin
        Cella.HelpOption help;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "FILE", description = "The batch file, or an app file (APP.yaml or "
                + "APP.yml, the format of cella up).")
        Path file;

        @Mixin
        CacheOptions cacheOptions;

        @Option(names = "--segment-fuel", paramLabel = "N", defaultValue = "10000000",
                description = "Run each cell as a durable run committing a segment every N units of fuel, so a "
                        + "lost or drained member's cells resume elsewhere from their last segment (default: "
                        + "${DEFAULT-VALUE}); 0 runs plain cells, which start over.")
        long segmentFuel;

        Submit(Cella.Console console) {
            this.console = console;
        }

        @Override
        public Integer call() throws InterruptedException {
            if (segmentFuel < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--segment-fuel must be 0 or more, not "
                        + segmentFuel);
            }
            if (file.getFileName().toString().matches(".*\\.ya?ml")) {
                AppFile app = AppFile.parse(file, new String(ModuleFiles.read(file.toString()), StandardCharsets.UTF_8));
                ClusterApp prepared = ClusterApp.prepare(app, cacheOptions.images(), segmentFuel);
                try (ClusterClient c = client.connect(spec.commandLine(), console.err())) {
                    return prepared.submit(c, console.out(), console.err());
                }
            }
            ClusterBatch.Prepared prepared = ClusterBatch.prepare(BatchFile.read(file), segmentFuel);
            try (ClusterClient c = client.connect(spec.commandLine(), console.err())) {
                return ClusterBatch.submit(prepared, c, console.out());
            }
        }
    }

    /** A command that asks the member named by {@code --to} one question and prints its answer. */
    abstract static class Question implements Callable<Integer> {
        private final Cella.Console console;

        @Mixin
        Cella.HelpOption help;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        Question(Cella.Console console) {
            this.console = console;
        }

        abstract List<String> ask(ClusterClient c);

        @Override
        public Integer call() {
            try (ClusterClient c = client.connect(spec.commandLine(), console.err())) {
                ask(c).forEach(console.out()::println);
                return ExitCode.OK.code;
            }
        }
    }

    @Command(name = "status", description = "Shows the members (state, cores, memory, reserved memory, cells, "
            + "finished cells and their fuel) as the member named by --to sees them.")
    static final class Status extends Question {
        Status(Cella.Console console) {
            super(console);
        }

        @Override
        List<String> ask(ClusterClient c) {
            return c.status();
        }
    }

    @Command(name = "drain", description = {"Drains the member named by --to: it takes no new cell, hands its "
        + "waiting cells to other members, finishes its running ones and leaves the cluster."})
    static final class Drain extends Question {
        Drain(Cella.Console console) {
            super(console);
        }

        @Override
        List<String> ask(ClusterClient c) {
            return c.drain();
        }

        @Override
        public Integer call() {
            if (client.members.size() != 1) {
                throw new ParameterException(spec.commandLine(), "--to: drain names one member, not "
                        + client.members.size());
            }
            return super.call();
        }
    }
}
