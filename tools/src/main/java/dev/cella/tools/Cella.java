package dev.cella.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code cella} command: runs, assembles, disassembles, verifies and inspects guest modules.
 *
 * <p>{@link #main} is the process entry point; {@link #run} is the same command with its
 * streams passed in and its exit code returned instead of exiting the JVM, for tests and for
 * embedding. Every failure ends with one line {@code cella: <message>} on standard error and the
 * {@link ExitCode} of its kind; {@code --debug} adds the Java stack trace.
 */
@Command(name = "cella", mixinStandardHelpOptions = true, versionProvider = Cella.Version.class,
        description = "Runs guest programs of the Cella virtual machine in a sandbox, and assembles, "
                + "disassembles, verifies and inspects them.",
        footerHeading = "%n",
        footer = {"`cella run` exits with the guest's own status when the guest exits (0 when its entry "
                + "function returns). Every other outcome prints one `cella: ...` line on standard error and exits "
                + "with one of the codes above. Guests should use statuses 0-63 so that scripts can tell them apart.",
            "Run `cella COMMAND --help` for the options of a command; see docs/cli.md."})
public final class Cella implements Callable<Integer> {

    /** The streams a command reads and writes: the process's own, or a test's. */
    record Console(InputStream in, PrintStream out, PrintStream err) {}

    /**
     * A command that works on one input file. Failures that do not name the file themselves (a
     * malformed binary, an invalid program, a trap) are reported as {@code cella: FILE: message}.
     */
    interface FileCommand {
        /** The input file as given on the command line. */
        String file();
    }

    /** The {@code -h/--help} option of every subcommand (only {@code cella} itself has --version). */
    static final class HelpOption {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;
    }

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On failure, print the Java stack trace as well as the one-line message.")
    boolean debug;

    @Spec
    CommandSpec spec;

    private Cella() {}

    /** A command without a subcommand is a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: one of run, resume, asm, disasm, verify, inspect, batch, import, wast, pack, up, cluster");
    }

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        StatsReport.Startup.mainEntered();
        Interruption.install();
        int code = run(args, System.in, System.out, System.err);
        System.out.flush();
        if (Interruption.interrupted()) {
            Interruption.awaitHalt(code);
        }
        if (ArchiveTraining.requested()) {
            try {
                ArchiveTraining.train();
            } catch (RuntimeException e) {
                // The training only fills the class-data archive: it never changes the run's outcome.
            }
        }
        System.exit(code);
    }

    /**
     * Runs the command line {@code args} with the given streams and returns its exit code
     * (see {@link ExitCode}; for {@code cella run}, the guest's status when it exits). Never
     * calls {@link System#exit} and never throws: every failure is reported on {@code err}.
     *
     * @param args the arguments after {@code cella}
     * @param in the standard input a guest reads unless {@code --stdin} names a file
     * @param out standard output: the guest's output and the commands' results
     * @param err standard error: messages, usage errors and {@code --stats}
     * @return the process exit code
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Console console = new Console(in, out, err);
        CommandLine cl = commandLine(console, args.length > 0 ? args[0] : null);
        try {
            return cl.execute(args);
        } catch (Error e) {
            // picocli passes JVM errors through (a missing class, no memory, a deep JVM stack):
            // they are internal errors too, reported in one line.
            return Failures.report(e, java.util.Arrays.asList(args).contains("--debug"), cl.getErr(), null).code;
        } finally {
            cl.getOut().flush();
            cl.getErr().flush();
            out.flush();
            err.flush();
            // The classes the JIT generated, for the next process (after the output: it is not the guest's time).
            dev.cella.sandbox.Engines.flushClassCache();
        }
    }

    /** Builds the command tree with its handlers; package-private for tests of the help text. */
    static CommandLine commandLine(Console console) {
        return commandLine(console, null);
    }

    /**
     * The subcommands, in the order help lists them. Each is built only when needed: building
     * one makes picocli reflect over its options and load their classes, which for all twelve
     * took a fifth of a short run's start (docs/performance.md, "Startup").
     */
    private static Map<String, java.util.function.Supplier<Object>> subcommands(Console console) {
        Map<String, java.util.function.Supplier<Object>> all = new LinkedHashMap<>();
        all.put("run", () -> new RunCommand(console));
        all.put("asm", ModuleCommands.Asm::new);
        all.put("disasm", () -> new ModuleCommands.Disasm(console));
        all.put("verify", () -> new ModuleCommands.Verify(console));
        all.put("inspect", () -> new ModuleCommands.Inspect(console));
        all.put("resume", () -> new ResumeCommand(console));
        all.put("batch", () -> new BatchCommand(console));
        all.put("import", WasmCommands.Import::new);
        all.put("wast", () -> new WasmCommands.Wast(console));
        all.put("pack", () -> new PackCommand(console));
        all.put("up", () -> new UpCommand(console));
        all.put("cluster", () -> ClusterCommand.commandLine(console));
        return all;
    }

    /**
     * Builds the command tree with its handlers. When {@code first}, the first argument, names a
     * subcommand, the tree holds that one only, which is all a command line that starts with it
     * can reach; otherwise (no command, an option first, a misspelt command) every subcommand,
     * for help and for picocli's suggestions.
     */
    static CommandLine commandLine(Console console, String first) {
        CommandLine cl = new CommandLine(new Cella());
        Map<String, java.util.function.Supplier<Object>> subcommands = subcommands(console);
        if (first != null && subcommands.containsKey(first)) {
            cl.addSubcommand(first, subcommands.get(first).get());
        } else {
            subcommands.forEach((name, command) -> cl.addSubcommand(name, command.get()));
        }
        // Everything after the program of `cella run` belongs to the guest, options included.
        if (cl.getSubcommands().get("run") != null) {
            cl.getSubcommands().get("run").setStopAtPositional(true);
        }
        cl.setOut(new PrintWriter(new OutputStreamWriter(console.out(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(console.err(), StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler(Cella::usageError);
        // A path the host cannot represent (a NUL byte, which only an in-process caller can pass)
        // is a bad argument, not a bug in cella.
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> ex instanceof ParameterException pe
                ? usageError(pe, null)
                : ex instanceof java.nio.file.InvalidPathException ip
                ? usageError(new ParameterException(commandLine, "invalid path '" + ip.getInput().replace("\0", "\\0")
                        + "': " + ip.getReason()), null)
                : Failures.report(ex, debugRequested(parseResult), commandLine.getErr(),
                        commandLine.getCommand() instanceof FileCommand fc ? fc.file() : null).code);
        Map<String, String> codes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(Integer.toString(c.code), c.meaning);
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        return cl;
    }

    /** Reports a command line that does not parse: one line, then where to find help. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("cella: " + ex.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCode.USAGE.code;
    }

    /** True if {@code --debug} was given to the command or to any of its subcommands. */
    private static boolean debugRequested(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** Supplies {@code cella --version} from the build's version.properties. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream s = Cella.class.getResourceAsStream("version.properties")) {
                if (s != null) {
                    p.load(s);
                }
            }
            return new String[] {"cella " + p.getProperty("version", "(unknown version)"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
