package dev.cella.sandbox;

import dev.cella.isa.module.FuncType;
import dev.cella.sandbox.fs.HostMount;
import dev.cella.sandbox.fs.RootTree;
import dev.cella.vm.HostFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a cell is given and allowed: arguments, environment, stdio, mounts, capabilities and
 * quotas. Immutable and safe to share: one configuration can create any number of cells, at the
 * same time, and none sees another's state through it (stdout and stderr streams excepted: cells
 * given the same stream write to it in turn).
 *
 * <p>Nothing is granted by default: no mounts, the virtual clock, the seeded random source. The
 * quota defaults are the {@code DEFAULT_*} constants; {@link #UNLIMITED} lifts a quota.
 */
public final class CellConfig {
    /** A quota value meaning "no limit" (for int quotas, {@link Integer#MAX_VALUE} is used). */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** Default fuel: unlimited. */
    public static final long DEFAULT_FUEL = UNLIMITED;
    /** Default linear memory cap: 256 MiB. */
    public static final long DEFAULT_MEMORY_LIMIT = 256L << 20;
    /** Default call depth: 10,000 guest frames. */
    public static final int DEFAULT_MAX_CALL_DEPTH = 10_000;
    /**
     * The largest call depth a cell may be given: 4,194,304 (2^22) frames, the engines' own cap on
     * their frame stacks (the interpreter's {@code Machine.MAX_FRAMES}, the JIT's {@code
     * JitContext.MAX_FRAMES}), so that the configured limit is the one a guest meets and reports.
     */
    public static final int MAX_CALL_DEPTH = 1 << 22;
    /** Default output cap (stdout and stderr together): 64 MiB. */
    public static final long DEFAULT_MAX_OUTPUT = 64L << 20;
    /** Default open descriptors the guest may hold: 64. */
    public static final int DEFAULT_MAX_OPEN_FILES = 64;
    /** Default bytes the guest may write to files: 64 MiB. */
    public static final long DEFAULT_DISK_QUOTA = 64L << 20;
    /** Default files, directories and links the guest may create: 1,000. */
    public static final int DEFAULT_MAX_FILES_CREATED = 1_000;
    /** Default random seed. */
    public static final long DEFAULT_RANDOM_SEED = 0;

    /** A host function to add to a cell's imports. {@code type} null accepts whatever type the module declares. */
    public record HostImport(String module, String name, FuncType type, HostFunction function) {}

    private final List<String> args;
    private final Map<String, String> env;
    private final Stdin stdin;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final long fuel;
    private final Duration timeout;
    private final long memoryLimit;
    private final int maxCallDepth;
    private final long maxOutput;
    private final int maxOpenFiles;
    private final long diskQuota;
    private final int maxFilesCreated;
    private final List<Mount> mounts;
    private final List<HostMount> hostMounts;
    private final RootTree rootTree;
    private final boolean allowClock;
    private final int terminals;
    private final boolean allowRandom;
    private final long randomSeed;
    private final EngineKind engine;
    private final List<HostImport> hostFunctions;
    private final List<CellExtension> extensions;
    private final boolean metered;

    private CellConfig(Builder b) {
        this.args = List.copyOf(b.args);
        this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.fuel = b.fuel;
        this.metered = b.metered;
        this.timeout = b.timeout;
        this.memoryLimit = b.memoryLimit;
        this.maxCallDepth = b.maxCallDepth;
        this.maxOutput = b.maxOutput;
        this.maxOpenFiles = b.maxOpenFiles;
        this.diskQuota = b.diskQuota;
        this.maxFilesCreated = b.maxFilesCreated;
        this.mounts = List.copyOf(b.mounts);
        this.allowClock = b.allowClock;
        this.terminals = b.terminals;
        this.allowRandom = b.allowRandom;
        this.randomSeed = b.randomSeed;
        this.engine = b.engine;
        this.hostFunctions = List.copyOf(b.hostFunctions);
        this.extensions = List.copyOf(b.extensions);
        this.hostMounts = resolveMounts(mounts);
        this.rootTree = b.rootTree;
        if (rootTree.size() != 0 && mounts.stream().anyMatch(m -> m.guestPath().equals("/"))) {
            throw new SandboxException("a mount at / hides the whole root tree; mount elsewhere or give no root tree");
        }
    }

    /** Checks the mounts and resolves their host directories once, for all cells of this configuration. */
    private static List<HostMount> resolveMounts(List<Mount> mounts) {
        List<HostMount> out = new ArrayList<>();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            for (int j = 0; j < i; j++) {
                String other = mounts.get(j).guestPath();
                if (nested(m.guestPath(), other) || nested(other, m.guestPath())) {
                    throw new SandboxException("mount " + m.guestPath() + " overlaps mount " + other);
                }
            }
            if (!Files.isDirectory(m.host())) {
                throw new SandboxException("mount " + m.guestPath() + ": host path " + m.host() + " is not a directory");
            }
            try {
                out.add(new HostMount(m.host().toRealPath(), m.guestPath(), m.readOnly(), i));
            } catch (IOException e) {
                throw new SandboxException("mount " + m.guestPath() + ": cannot resolve host path " + m.host(), e);
            }
        }
        return List.copyOf(out);
    }

    /** True if guest path {@code inner} is {@code outer} or lies under it. */
    private static boolean nested(String inner, String outer) {
        return inner.equals(outer) || outer.equals("/") || inner.startsWith(outer + "/");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.args = new ArrayList<>(args);
        b.env = new LinkedHashMap<>(env);
        b.stdin = stdin;
        b.stdout = stdout;
        b.stderr = stderr;
        b.fuel = fuel;
        b.metered = metered;
        b.timeout = timeout;
        b.memoryLimit = memoryLimit;
        b.maxCallDepth = maxCallDepth;
        b.maxOutput = maxOutput;
        b.maxOpenFiles = maxOpenFiles;
        b.diskQuota = diskQuota;
        b.maxFilesCreated = maxFilesCreated;
        b.mounts = new ArrayList<>(mounts);
        b.rootTree = rootTree;
        b.allowClock = allowClock;
        b.terminals = terminals;
        b.allowRandom = allowRandom;
        b.randomSeed = randomSeed;
        b.engine = engine;
        b.hostFunctions = new ArrayList<>(hostFunctions);
        b.extensions = new ArrayList<>(extensions);
        return b;
    }

    public List<String> args() {
        return args;
    }

    public Map<String, String> env() {
        return env;
    }

    public Stdin stdin() {
        return stdin;
    }

    /** Where stdout goes; null discards it. */
    public OutputStream stdout() {
        return stdout;
    }

    /** Where stderr goes; null discards it. */
    public OutputStream stderr() {
        return stderr;
    }

    public long fuel() {
        return fuel;
    }

    /** False if the cell runs unmetered (see {@link Builder#metered}). */
    public boolean metered() {
        return metered;
    }

    /** The wall-clock limit of each run or call; null if none. */
    public Duration timeout() {
        return timeout;
    }

    public long memoryLimit() {
        return memoryLimit;
    }

    public int maxCallDepth() {
        return maxCallDepth;
    }

    public long maxOutput() {
        return maxOutput;
    }

    public int maxOpenFiles() {
        return maxOpenFiles;
    }

    public long diskQuota() {
        return diskQuota;
    }

    public int maxFilesCreated() {
        return maxFilesCreated;
    }

    public List<Mount> mounts() {
        return mounts;
    }

    List<HostMount> hostMounts() {
        return hostMounts;
    }

    /** The files the cell's in-memory tree starts with ({@link RootTree#EMPTY} by default). */
    public RootTree rootTree() {
        return rootTree;
    }

    public boolean allowClock() {
        return allowClock;
    }

    /** Which standard streams are terminals on the host: bit 0 stdin, 1 stdout, 2 stderr. */
    public int terminals() {
        return terminals;
    }

    public boolean allowRandom() {
        return allowRandom;
    }

    public long randomSeed() {
        return randomSeed;
    }

    public EngineKind engine() {
        return engine;
    }

    public List<HostImport> hostFunctions() {
        return hostFunctions;
    }

    /** The host modules attached to each cell of this configuration, in the order they were added. */
    public List<CellExtension> extensions() {
        return extensions;
    }

    /** Collects a configuration; {@link #build()} checks it. Not thread-safe. */
    public static final class Builder {
        private List<String> args = new ArrayList<>(List.of("guest"));
        private Map<String, String> env = new LinkedHashMap<>();
        private Stdin stdin = Stdin.empty();
        private OutputStream stdout;
        private OutputStream stderr;
        private long fuel = DEFAULT_FUEL;
        private boolean metered = true;
        private Duration timeout;
        private long memoryLimit = DEFAULT_MEMORY_LIMIT;
        private int maxCallDepth = DEFAULT_MAX_CALL_DEPTH;
        private long maxOutput = DEFAULT_MAX_OUTPUT;
        private int maxOpenFiles = DEFAULT_MAX_OPEN_FILES;
        private long diskQuota = DEFAULT_DISK_QUOTA;
        private int maxFilesCreated = DEFAULT_MAX_FILES_CREATED;
        private List<Mount> mounts = new ArrayList<>();
        private RootTree rootTree = RootTree.EMPTY;
        private boolean allowClock;
        private int terminals;
        private boolean allowRandom;
        private long randomSeed = DEFAULT_RANDOM_SEED;
        private EngineKind engine = EngineKind.INTERP;
        private List<HostImport> hostFunctions = new ArrayList<>();
        private List<CellExtension> extensions = new ArrayList<>();

        private Builder() {}

        /** The argument vector, argv[0] included (default {@code ["guest"]}). */
        public Builder args(List<String> args) {
            this.args = new ArrayList<>(args);
            return this;
        }

        /** The environment, in the order given (default empty). */
        public Builder env(Map<String, String> env) {
            this.env = new LinkedHashMap<>(env);
            return this;
        }

        /** Standard input (default {@link Stdin#empty()}). */
        public Builder stdin(Stdin stdin) {
            this.stdin = Objects.requireNonNull(stdin, "stdin");
            return this;
        }

        /** Where stdout goes: the host's, a buffer, a file stream; null (the default) discards it. */
        public Builder stdout(OutputStream stdout) {
            this.stdout = stdout;
            return this;
        }

        /** Where stderr goes; null (the default) discards it. */
        public Builder stderr(OutputStream stderr) {
            this.stderr = stderr;
            return this;
        }

        /**
         * Which standard streams are terminals on the host (default none): the guest sees those
         * as character devices ({@code isatty} true) and the others as pipes or files. The host
         * says so because only it knows what its streams are.
         */
        public Builder terminals(boolean stdin, boolean stdout, boolean stderr) {
            this.terminals = (stdin ? 1 : 0) | (stdout ? 2 : 0) | (stderr ? 4 : 0);
            return this;
        }

        /** Fuel budget in units (default unlimited). */
        public Builder fuel(long fuel) {
            this.fuel = requireNonNegative(fuel, "fuel");
            return this;
        }

        /**
         * False to run unmetered: no fuel is charged or reported and the fuel quota never runs
         * out, but the deadline, kills and the scheduler still work (the interrupt hook is still
         * polled). Both engines run unmetered code. A suspension at a fuel point ({@link
         * dev.cella.vm.SuspendRequest#atFuelUsed}) needs fuel accounting, so an unmetered cell's
         * run with one ends in an error; a request raised on demand works. Default true. For
         * measuring what metering costs; a sandbox wants fuel.
         */
        public Builder metered(boolean metered) {
            this.metered = metered;
            return this;
        }

        /** Wall-clock limit of each run or call; null or zero for none (the default). */
        public Builder timeout(Duration timeout) {
            if (timeout != null && timeout.isNegative()) {
                throw new SandboxException("negative timeout " + timeout);
            }
            this.timeout = timeout == null || timeout.isZero() ? null : timeout;
            return this;
        }

        /**
         * Cap in bytes on linear memory, tables, globals and the guest's stack, whose share is
         * reserved from it up front (docs/sandbox.md, "The stack"); rounded down to whole 64 KiB
         * pages (default 256 MiB).
         */
        public Builder memoryLimit(long bytes) {
            this.memoryLimit = requireNonNegative(bytes, "memory limit");
            return this;
        }

        /** Most guest frames active at once, from 1 to {@link #MAX_CALL_DEPTH} (default 10,000). */
        public Builder maxCallDepth(int depth) {
            if (depth < 1 || depth > MAX_CALL_DEPTH) {
                throw new SandboxException("max call depth must be from 1 to " + MAX_CALL_DEPTH + ", not " + depth);
            }
            this.maxCallDepth = depth;
            return this;
        }

        /** Cap on bytes written to stdout and stderr together (default 64 MiB). */
        public Builder maxOutput(long bytes) {
            this.maxOutput = requireNonNegative(bytes, "max output");
            return this;
        }

        /** Most descriptors the guest may have opened at once (default 64). */
        public Builder maxOpenFiles(int count) {
            this.maxOpenFiles = (int) requireNonNegative(count, "max open files");
            return this;
        }

        /** Cap on bytes written to files, holes included (default 64 MiB). */
        public Builder diskQuota(long bytes) {
            this.diskQuota = requireNonNegative(bytes, "disk quota");
            return this;
        }

        /** Most files, directories and links the guest may create (default 1,000). */
        public Builder maxFilesCreated(int count) {
            this.maxFilesCreated = (int) requireNonNegative(count, "max files created");
            return this;
        }

        /**
         * Mounts host directory {@code host} at {@code guestPath}. The host directory must exist
         * when {@link #build()} runs.
         */
        public Builder mount(Path host, String guestPath, boolean readOnly) {
            this.mounts.add(new Mount(host, guestPath, readOnly));
            return this;
        }

        /**
         * The files the cell's in-memory tree starts with, shared by every cell of this
         * configuration and copied per cell only when written (default {@link RootTree#EMPTY}).
         * A mount hides the tree's node at its path; a mount at {@code /} cannot go with a tree.
         */
        public Builder rootTree(RootTree tree) {
            this.rootTree = Objects.requireNonNull(tree, "tree");
            return this;
        }

        /** Grants the host's clocks (default: the virtual, deterministic clock). */
        public Builder allowClock(boolean allow) {
            this.allowClock = allow;
            return this;
        }

        /** Grants host entropy to random_get (default: a generator seeded with {@link #randomSeed}). */
        public Builder allowRandom(boolean allow) {
            this.allowRandom = allow;
            return this;
        }

        /** The seed of the deterministic random source (default 0). */
        public Builder randomSeed(long seed) {
            this.randomSeed = seed;
            return this;
        }

        /** The engine (default INTERP). */
        public Builder engine(EngineKind engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * Adds host function {@code module.name}, given the arguments as the module declares them.
         * A host function takes precedence over a WASI call of the same name.
         */
        public Builder hostFunction(String module, String name, HostFunction f) {
            return hostFunction(module, name, null, f);
        }

        /** Adds host function {@code module.name} of signature {@code type}; a module importing it with another signature does not link. */
        public Builder hostFunction(String module, String name, FuncType type, HostFunction f) {
            hostFunctions.add(new HostImport(Objects.requireNonNull(module, "module"), Objects.requireNonNull(name, "name"),
                    type, Objects.requireNonNull(f, "function")));
            return this;
        }

        /**
         * Attaches host module {@code extension} to every cell of this configuration (see {@link
         * CellExtension}); its imports resolve after the host functions and before WASI.
         */
        public Builder extension(CellExtension extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        private static long requireNonNegative(long v, String what) {
            if (v < 0) {
                throw new SandboxException(what + " must not be negative, not " + v);
            }
            return v;
        }

        /**
         * Checks and freezes the configuration.
         *
         * @throws SandboxException if an argument or variable contains NUL, a variable's name is
         *     empty or contains '=', mounts overlap, or a mounted host directory does not exist
         */
        public CellConfig build() {
            for (String a : args) {
                if (a.indexOf('\0') >= 0) {
                    throw new SandboxException("argument contains a NUL byte: " + a.replace("\0", "\\0"));
                }
            }
            for (Map.Entry<String, String> e : env.entrySet()) {
                String k = e.getKey();
                if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0 || e.getValue().indexOf('\0') >= 0) {
                    throw new SandboxException("invalid environment variable '" + k.replace("\0", "\\0")
                            + "': a name is not empty and has no '=' or NUL byte, a value has no NUL byte");
                }
            }
            return new CellConfig(this);
        }
    }
}
