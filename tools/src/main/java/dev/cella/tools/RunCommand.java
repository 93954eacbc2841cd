package dev.cella.tools;

import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.vm.EngineDiagnostics;
import dev.cella.vm.SuspendRequest;
import java.util.Optional;
import dev.cella.sandbox.SandboxException;
import dev.cella.sandbox.Stdin;
import dev.cella.vm.LinkException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Stack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code cella run}: verifies a module and runs it in a sandboxed cell. Every option maps to one
 * item of {@link CellConfig}; an option that is not given leaves the sandbox's default.
 */
@Command(name = "run", sortOptions = false,
        description = {"Runs a guest program in a sandbox.",
            "Verifies the program, creates a cell with the quotas and capabilities the options give, runs "
                + "its start function and its _start export, and exits with the guest's exit status. FILE is "
                + ".casm text (assembled on the fly) or a .cel binary (recognised by its magic bytes). "
                + "Everything after FILE goes to the guest, with FILE itself as argv[0].",
            "FILE may also be an image (`cella pack`): its files appear at /, its defaults apply and the options "
                + "override them (docs/images.md).",
            "Sizes take K, M or G (1024-based); durations take ms, s or m."})
final class RunCommand implements Callable<Integer>, Cella.FileCommand {
    private final Cella.Console console;

    @Mixin
    Cella.HelpOption helpOption;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The program: .casm text or .cel binary.")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the guest (argv[1] onwards).")
    List<String> guestArgs = new ArrayList<>();

    @Mixin
    SandboxOptions sandbox;

    @Mixin
    ServiceOptions serviceOptions;

    @Mixin
    NetOptions net;

    /** The cell's place on the network, set by {@link #config()}. */
    private dev.cella.net.NetAttachment attachment;

    @Option(names = "--env", paramLabel = "NAME=VALUE", converter = OptionConverters.Env.class,
            description = "Set an environment variable for the guest (repeatable; default: empty environment).")
    List<OptionConverters.EnvEntry> env = new ArrayList<>();

    @Option(names = "--stdin", paramLabel = "FILE",
            description = "Guest standard input from FILE; '-' for cella's own standard input (default: empty).")
    String stdin;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the guest's deterministic random source (default: 0).")
    Long seed;

    @Option(names = "--dump-jit", paramLabel = "FUNCTION",
            description = "Debug: print the JVM bytecode the JIT generates for FUNCTION (a name, export name or index) "
                    + "to standard error before the run; needs --engine jit or auto.")
    String dumpJit;

    @Option(names = "--checkpoint-at", paramLabel = "FUEL",
            description = "Stop the run at the first block entry where the fuel used would pass FUEL, and write a "
                    + "checkpoint to --checkpoint-file; `cella resume FILE` goes on from there (see docs/checkpoint.md).")
    Long checkpointAt;

    @Option(names = "--checkpoint-file", paramLabel = "FILE", description = "Where --checkpoint-at writes the checkpoint.")
    Path checkpointFile;

    @Option(names = "--checkpoint-key", paramLabel = "FILE",
            description = "Authenticate the checkpoint with the key in FILE (HMAC-SHA256), for `cella resume "
                    + "--checkpoint-key FILE` on a host that trusts this one.")
    Path checkpointKey;

    @Option(names = "--engine", paramLabel = "ENGINE", converter = EngineConverter.class,
            description = "interp (the interpreter), jit (every function compiled to JVM bytecode) or auto "
                    + "(interpreter first, JIT for hot code); all give the same results and fuel (default: interp).")
    EngineKind engine = EngineKind.INTERP;

    @Option(names = "--stats", paramLabel = "FORMAT", arity = "0..1", converter = StatsConverter.class,
            preprocessor = StatsPreprocessor.class,
            description = "After the run, print what the guest used (fuel, memory, I/O, time) to standard error, "
                    + "as text or json (--stats=json).")
    StatsFormat stats;

    /** How {@code --stats} prints the accounting. */
    enum StatsFormat { TEXT, JSON }

    RunCommand(Cella.Console console) {
        this.console = console;
    }

    @Override
    public String file() {
        return program;
    }

    /** The streams this command uses. */
    Cella.Console console() {
        return console;
    }

    @Mixin
    ImageRun.Options imageOptions;

    @Mixin
    CacheOptions cacheOptions;

    @Override
    public Integer call() {
        if (ImageRun.isImage(program)) {
            return ImageRun.run(this);
        }
        SuspendRequest checkpoint = checkpointRequest(spec, checkpointAt, checkpointFile);
        if (checkpointKey != null && checkpointFile == null) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-key needs --checkpoint-at and --checkpoint-file");
        }
        byte[] key = checkpointKey(checkpointKey);
        CellConfig plain = config();
        StatsReport.Startup startup = StatsReport.Startup.loading();
        ModuleFiles.Verified loaded = ModuleFiles.loadVerified(program, program, cacheOptions.translations());
        startup = startup.loaded();
        Module module = loaded.module();
        requireEntryPoint(module);
        String origin = !loaded.wasm() ? null : loaded.fromCache() ? "from cache" : "translated";
        try (ServiceOptions.Opened services = serviceOptions.open(); Cell cell = Cell.create(module, services.addTo(plain))) {
            if (dumpJit != null) {
                console.err().println(dumpJit(cell, module));
            }
            try {
                return finish(console, cell, runInterruptibly(cell, () -> cell.run(checkpoint)), checkpointFile, key,
                        stats, program, origin, startup);
            } finally {
                services.printStats(console, stats);
                if (stats != null && (net.given() || attachment.stats().socketsOpened() > 0)) {
                    NetOptions.printStats(console.err(), attachment.stats(), stats == StatsFormat.JSON);
                }
            }
        }
    }

    /**
     * The JVM bytecode (ASM's Textifier) the JIT generates for the function {@code --dump-jit}
     * names: a function name from the names section, an export name, or an index.
     */
    private String dumpJit(Cell cell, Module module) {
        if (!(cell.image().engine() instanceof EngineDiagnostics engine)) {
            throw new ParameterException(spec.commandLine(), "--dump-jit needs --engine jit or auto");
        }
        int function = -1;
        for (var e : module.names().functions().entrySet()) {
            if (e.getValue().equals(dumpJit)) {
                function = e.getKey();
            }
        }
        if (function < 0) {
            function = cell.instance().exportedFunction(dumpJit);
        }
        if (function < 0 && dumpJit.matches("\\d{1,9}") && Integer.parseInt(dumpJit) < module.functionCount()) {
            function = Integer.parseInt(dumpJit);
        }
        if (function < 0 || module.isImport(function)) {
            throw new ParameterException(spec.commandLine(), "--dump-jit: no defined function named " + dumpJit);
        }
        return engine.dumpBytecode(function);
    }

    /** Runs {@code body} with Ctrl-C and SIGTERM set to kill {@code cell} ({@link Interruption}). */
    static Optional<RunResult> runInterruptibly(Cell cell, java.util.function.Supplier<Optional<RunResult>> body) {
        Interruption.running(cell);
        try {
            return body.get();
        } finally {
            Interruption.running(null);
        }
    }

    /**
     * The suspend request of {@code --checkpoint-at} and {@code --checkpoint-file}, which come
     * together, or null when neither is given.
     *
     * @throws ParameterException if only one of them is given, or the fuel point is negative
     */
    static SuspendRequest checkpointRequest(CommandSpec spec, Long at, Path file) {
        if ((at == null) != (file == null)) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-at and --checkpoint-file go together");
        }
        if (at != null && at < 0) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-at must be at least 0, not " + at);
        }
        return at == null ? null : SuspendRequest.atFuelUsed(at);
    }

    /**
     * The key in file {@code file} ({@code --checkpoint-key}), all its bytes, or null when no file
     * is given.
     *
     * @throws FileAccessException if it cannot be read, or is empty
     */
    static byte[] checkpointKey(Path file) {
        if (file == null) {
            return null;
        }
        byte[] key;
        try {
            key = Files.isRegularFile(file) && Files.size(file) <= MAX_KEY ? Files.readAllBytes(file) : null;
        } catch (IOException e) {
            throw FileAccessException.input(file.toString(), "cannot read the checkpoint key: " + e.getMessage(), e);
        }
        if (key == null || key.length == 0) {
            throw FileAccessException.input(file.toString(), "cannot read the checkpoint key: "
                    + (!Files.exists(file) ? "no such file" : "not a regular file of 1 to " + MAX_KEY + " bytes"), null);
        }
        return key;
    }

    /** The largest key file read (HMAC-SHA256 hashes a longer key down to 32 bytes anyway). */
    private static final int MAX_KEY = 4096;

    /**
     * Ends a run (or a resumed run) of {@code cell}: writes the checkpoint if the run stopped at
     * its checkpoint point, prints the statistics, and turns the outcome into the exit code (the
     * guest's status, or the run's failure thrown for {@link Failures}).
     *
     * @param ended the run's result, or empty if it stopped at the checkpoint point
     */
    static int finish(Cella.Console console, Cell cell, Optional<RunResult> ended, Path checkpointFile, byte[] key,
            StatsFormat stats, String program) {
        return finish(console, cell, ended, checkpointFile, key, stats, program, null, null);
    }

    /**
     * As above; {@code origin} says where a WebAssembly module's translation came from ("from
     * cache" or "translated", the {@code module} line of {@code --stats}), null for other modules;
     * {@code startup} what starting took before the run, null if not measured.
     */
    static int finish(Cella.Console console, Cell cell, Optional<RunResult> ended, Path checkpointFile, byte[] key,
            StatsFormat stats, String program, String origin, StatsReport.Startup startup) {
        try {
            if (ended.isEmpty()) {
                Checkpoint.capture(cell).write(checkpointFile, false, key);
                console.err().println("cella: checkpoint at fuel " + cell.instance().fuelUsed() + " written to "
                        + checkpointFile + "; continue with: cella resume " + checkpointFile);
                return ExitCode.OK.code;
            }
        } finally {
            console.out().flush();
            console.err().flush();
        }
        RunResult result = ended.get();
        if (stats != null) {
            EngineDiagnostics engine = cell.image().engine() instanceof EngineDiagnostics d ? d : null;
            console.err().println(StatsReport.format(stats, result.accounting(), engine, origin, startup));
        }
        if (result.outcome() != Outcome.EXITED) {
            throw result.error();
        }
        return exitCode(console, result.exitStatus(), program);
    }

    /**
     * The process exit code for guest exit status {@code status}: the status itself when it is
     * 0-255, else 255 with a message (a process cannot report more).
     */
    private static int exitCode(Cella.Console console, int status, String program) {
        if (status >= 0 && status <= 255) {
            return status;
        }
        console.err().println("cella: " + program + ": guest exit status " + Integer.toUnsignedString(status)
                + " does not fit 0-255; exiting with 255");
        return 255;
    }

    /**
     * The sandbox configuration the options describe.
     *
     * @throws ParameterException for values the sandbox rejects (negative quotas, an engine this
     *     build lacks, overlapping mounts, NUL bytes in arguments or the environment)
     * @throws FileAccessException if a mounted directory or the --stdin file cannot be read
     */
    CellConfig config() {
        return config(List.of(), Map.of(), b -> {});
    }

    /**
     * The sandbox configuration the options describe over an image's defaults: {@code
     * defaultArgs} unless the command line gives arguments, {@code defaultEnv} with {@code --env}
     * replacing variables of the same name, and what {@code defaults} sets, which the options
     * then override.
     */
    CellConfig config(List<String> defaultArgs, Map<String, String> defaultEnv,
            java.util.function.Consumer<CellConfig.Builder> defaults) {
        CellConfig.Builder b = CellConfig.builder();
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(guestArgs.isEmpty() ? defaultArgs : guestArgs);
        Map<String, String> vars = new LinkedHashMap<>(defaultEnv);
        for (OptionConverters.EnvEntry e : env) {
            vars.put(e.name(), e.value());
        }
        b.args(argv).env(vars).stdout(console.out()).stderr(console.err());
        Terminals.apply(b, console);
        b.stdin(stdinSource(console, stdin));
        b.engine(engine);
        try {
            defaults.accept(b);
        } catch (SandboxException e) {
            throw new ParameterException(spec.commandLine(), program + ": the image's defaults: " + e.getMessage(), e);
        }
        sandbox.applyTo(b);
        attachment = net.applyTo(b);
        try {
            if (seed != null) {
                b.randomSeed(seed);
            }
            return b.build();
        } catch (SandboxException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * The guest's standard input: empty by default (nothing reaches a guest unless granted),
     * cella's own standard input for {@code -}, else the named file.
     *
     * @throws FileAccessException if the file cannot be read
     */
    static Stdin stdinSource(Cella.Console console, String stdin) {
        if (stdin == null) {
            return Stdin.empty();
        }
        if (stdin.equals("-")) {
            if (console.in() == System.in) {
                return Stdin.host();
            }
            // An embedded run (tests) gives its own input stream; the sandbox takes bytes.
            try {
                return Stdin.of(console.in().readAllBytes());
            } catch (IOException e) {
                throw FileAccessException.input("-", "cannot read standard input: " + e.getMessage(), e);
            }
        }
        Path file = Path.of(stdin);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw FileAccessException.input(stdin, "cannot read --stdin: "
                    + (Files.exists(file) ? "not a readable file" : "no such file"), null);
        }
        return Stdin.file(file);
    }

    /**
     * Checks that the module has something to run: a start function or an export {@code _start}
     * of type {@code () -> ()}.
     *
     * @throws LinkException if it has neither, or {@code _start} has another type
     */
    static void requireEntryPoint(Module module) {
        var start = module.export("_start", dev.cella.isa.module.ExportKind.FUNC);
        if (start == null) {
            if (module.start() < 0) {
                throw new LinkException("the module has nothing to run: no export _start and no start function");
            }
            return;
        }
        FuncType type = module.functionType(start.index());
        if (!type.params().isEmpty() || !type.results().isEmpty()) {
            throw new LinkException("export _start has type " + type + ", but it must be () -> ()");
        }
    }

    /** Parses {@code --engine} ({@link EngineKind#parse}). */
    static final class EngineConverter implements ITypeConverter<EngineKind> {
        @Override
        public EngineKind convert(String value) {
            try {
                return EngineKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * Makes {@code --stats} take a format only when attached ({@code --stats=json}): a separate
     * word after it is the program, never a format.
     */
    static final class StatsPreprocessor implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
            if (!"=".equals(info.get("separator"))) {
                args.push("text");
            }
            return false;
        }
    }

    /** Parses {@code --stats} formats case-insensitively. */
    static final class StatsConverter implements ITypeConverter<StatsFormat> {
        @Override
        public StatsFormat convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "text" -> StatsFormat.TEXT;
                case "json" -> StatsFormat.JSON;
                default -> throw new TypeConversionException("'" + value + "' is not a stats format (expected text or json)");
            };
        }
    }
}
