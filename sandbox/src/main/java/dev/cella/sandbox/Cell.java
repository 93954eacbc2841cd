package dev.cella.sandbox;

import dev.cella.isa.CellaException;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.sandbox.fs.VirtualFileSystem;
import dev.cella.sandbox.wasi.Wasi;
import dev.cella.sandbox.wasi.WasiOptions;
import dev.cella.sandbox.wasi.WasiStats;
import dev.cella.vm.GuestExit;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.LinkException;
import dev.cella.vm.Memory;
import dev.cella.vm.Trap;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * A sandbox: one guest instance with its own memory, WASI host (descriptors, in-memory
 * filesystem, mounts, stdio, clocks, random source) and quotas. Nothing is shared with another
 * cell but the immutable module and prepared engine ({@link CellImage}) and whatever host
 * resources the configuration itself shares (mounted directories, output streams).
 *
 * <p>{@link #run()} runs the program as a process: the start function, then {@code _start}; the
 * cell is finished afterwards and its descriptors are closed. {@link #call} calls an export as a
 * library would, keeping state between calls. Quotas and deadlines apply to each; fuel and the
 * other counters accumulate over the cell's life.
 *
 * <p>A cell runs on one thread at a time. {@link #kill()} and {@link #accounting()} may be called
 * from any thread (the counters a concurrent {@code accounting()} sees may be slightly stale).
 */
public final class Cell implements AutoCloseable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long SLEEP_SLICE_NANOS = 10_000_000;
    private static final Duration MAX_TIMEOUT = Duration.ofDays(365L * 100);

    private final CellImage image;
    private final CellConfig config;
    private final CellMeter meter;
    private final Wasi wasi;
    private final Instance instance;
    private volatile boolean killed;
    private long deadline;
    private boolean hasDeadline;
    private long begunAt;
    private boolean startRan;
    private boolean finished;
    private boolean closed;
    private long wallNanos;
    private long cpuNanos;
    private long cpuStart;
    private volatile Outcome outcome;
    private volatile int exitStatus = -1;
    private volatile String ending = "not run";
    private volatile Quota quota;

    private Cell(CellImage image, CellConfig config) {
        this.image = image;
        this.config = config;
        Module module = image.module();
        if (module.memory() != null) {
            long initial = module.memory().min() * Module.PAGE_SIZE;
            if (initial > config.memoryLimit()) {
                throw new QuotaExceeded(Quota.MEMORY, config.memoryLimit(), initial);
            }
        }
        this.meter = new CellMeter(config, this);
        WasiOptions options = new WasiOptions(config.args(), config.env(), config.stdin()::open, config.stdout(),
                config.stderr(), config.allowClock(), config.allowRandom(), config.randomSeed());
        this.wasi = new Wasi(options, config.hostMounts(), meter, meter);
        InstanceOptions io = InstanceOptions.defaults().withFuel(config.fuel()).withMaxCallDepth(config.maxCallDepth())
                .withGrowPolicy(meter);
        this.instance = new Instance(module, resolver(), io);
        wasi.bind(instance);
        instance.interruptHook(inst -> poll());
    }

    /**
     * Creates a cell for {@code module}, whose prepared engine is cached ({@link CellImage#of}).
     *
     * @param module a verified module
     * @throws QuotaExceeded (MEMORY) if the module's initial memory is over the memory limit
     * @throws LinkException if an import is missing or mistyped
     * @throws SandboxException if the configured engine is not available
     */
    public static Cell create(Module module, CellConfig config) {
        return new Cell(CellImage.of(module, config.engine()), config);
    }

    /** Creates a cell from a prepared image (the cheapest way to create many cells of one module). */
    public static Cell create(CellImage image, CellConfig config) {
        return new Cell(image, config);
    }

    private ImportResolver resolver() {
        ImportResolver wasiResolver = wasi.resolver();
        return (module, name, type) -> {
            for (CellConfig.HostImport h : config.hostFunctions()) {
                if (h.module().equals(module) && h.name().equals(name)) {
                    if (h.type() != null && !h.type().equals(type)) {
                        throw new LinkException("import " + module + "." + name + " has type " + type
                                + ", but the host function has type " + h.type());
                    }
                    return guarded(module + "." + name, h.function());
                }
            }
            return wasiResolver.resolve(module, name, type);
        };
    }

    /** Wraps an embedder's host function so that a non-Cella exception ends the run as an error, typed. */
    private static HostFunction guarded(String name, HostFunction f) {
        return (inst, args) -> {
            try {
                return f.call(inst, args);
            } catch (CellaException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new SandboxException("host function " + name + " failed: " + e, e);
            }
        };
    }

    /**
     * Runs the program: the module's start function if it has one, then its export
     * {@code _start} if it has one (a function of type {@code () -> ()}). Never throws for what
     * the guest does: traps, quotas, exits and kills are in the result. Afterwards the cell is
     * finished and its descriptors are closed (host files included), as at a process's exit.
     *
     * @throws SandboxException if the cell already finished or was closed
     */
    public RunResult run() {
        ensureUsable();
        Module module = image.module();
        int main = instance.exportedFunction("_start");
        try {
            if (main >= 0 && !module.functionType(main).equals(new FuncType(java.util.List.of(), java.util.List.of()))) {
                return end(null, new SandboxException("export _start has type " + module.functionType(main)
                        + ", not () -> ()"));
            }
            if (main < 0 && module.start() < 0) {
                return end(null, new SandboxException("the module has neither a start function nor an export _start"));
            }
            begin();
            Integer status = null;
            CellaException error = null;
            try {
                runStart();
                if (main >= 0) {
                    image.engine().invoke(instance, main);
                }
                status = 0;
            } catch (GuestExit e) {
                status = e.status();
            } catch (CellaException e) {
                error = translate(e);
            } catch (RuntimeException | StackOverflowError e) {
                error = new SandboxException("internal failure while running the guest: " + e, e);
            }
            stopClock();
            return end(status, error);
        } finally {
            finished = true;
            wasi.close();
        }
    }

    /**
     * Calls exported function {@code export} with arguments as raw bits (see
     * {@link dev.cella.isa.ValType}), running the module's start function first if it has not
     * run yet. The cell keeps its state for further calls.
     *
     * @return the results as raw bits
     * @throws QuotaExceeded if the guest hits a quota (fuel and call-depth traps are reported so)
     * @throws Trap if the guest traps
     * @throws GuestExit if the guest calls proc_exit
     * @throws CellKilled if the cell is killed
     * @throws SandboxException if there is no such export, the arguments do not match, or the
     *     cell finished or was closed
     */
    public long[] call(String export, long... args) {
        ensureUsable();
        int f = instance.exportedFunction(export);
        if (f < 0) {
            throw new SandboxException("the module exports no function " + export);
        }
        FuncType type = image.module().functionType(f);
        if (args.length != type.params().size()) {
            throw new SandboxException("export " + export + " has type " + type + " but was given " + args.length
                    + " arguments");
        }
        begin();
        try {
            runStart();
            long[] results = image.engine().invoke(instance, f, args);
            stopClock();
            end(0, null);
            return results;
        } catch (GuestExit e) {
            stopClock();
            end(e.status(), null);
            throw e;
        } catch (CellaException e) {
            CellaException t = translate(e);
            stopClock();
            end(null, t);
            throw t;
        } catch (RuntimeException | StackOverflowError e) {
            SandboxException s = new SandboxException("internal failure while running the guest: " + e, e);
            stopClock();
            end(null, s);
            throw s;
        }
    }

    private void runStart() {
        if (!startRan) {
            startRan = true;
            int start = image.module().start();
            if (start >= 0) {
                image.engine().invoke(instance, start);
            }
        }
    }

    private void ensureUsable() {
        if (closed) {
            throw new SandboxException("the cell is closed");
        }
        if (finished) {
            throw new SandboxException("the cell already ran its program");
        }
    }

    /**
     * Turns an engine trap that stands for an exhausted quota into that quota's error: the
     * engines trap with FUEL_EXHAUSTED only when the instance's fuel, which is the configured
     * budget, runs out, and with CALL_STACK_EXHAUSTED only when the instance's maximum depth,
     * which is the configured quota, would be passed.
     */
    private CellaException translate(CellaException e) {
        if (e instanceof Trap t) {
            switch (t.kind()) {
                case FUEL_EXHAUSTED -> {
                    return new QuotaExceeded(Quota.FUEL, config.fuel(), instance.fuelUsed(), t);
                }
                case CALL_STACK_EXHAUSTED -> {
                    return new QuotaExceeded(Quota.CALL_DEPTH, config.maxCallDepth(), config.maxCallDepth() + 1L, t);
                }
                default -> {
                    return t;
                }
            }
        }
        return e;
    }

    private void begin() {
        begunAt = System.nanoTime();
        cpuStart = cpuNow();
        hasDeadline = config.timeout() != null;
        if (hasDeadline) {
            // A timeout of centuries is as good as none; saturate rather than overflow.
            long t = config.timeout().compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT.toNanos() : config.timeout().toNanos();
            deadline = begunAt + t;
        }
    }

    private void stopClock() {
        wallNanos += System.nanoTime() - begunAt;
        cpuNanos += cpuNow() - cpuStart;
        hasDeadline = false;
    }

    private static long cpuNow() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }

    private RunResult end(Integer status, CellaException error) {
        if (error == null) {
            outcome = Outcome.EXITED;
            exitStatus = status;
            ending = "exited with status " + status;
            quota = null;
        } else {
            outcome = error instanceof QuotaExceeded ? Outcome.QUOTA_EXCEEDED
                    : error instanceof Trap ? Outcome.TRAPPED : Outcome.ERROR;
            exitStatus = -1;
            ending = error.getMessage();
            quota = error instanceof QuotaExceeded q ? q.quota() : null;
        }
        return new RunResult(outcome, exitStatus, error, accounting());
    }

    /** Called by the engine at safe points: stops the guest if it was killed or its deadline passed. */
    private void poll() {
        if (killed) {
            throw new CellKilled();
        }
        if (hasDeadline) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                throw new QuotaExceeded(Quota.TIME, Math.min(config.timeout().toMillis(), MAX_TIMEOUT.toMillis()),
                        (now - begunAt) / 1_000_000);
            }
        }
    }

    /** Sleeps {@code nanos} of host time for the guest, waking to honour a kill or the deadline. */
    void sleep(long nanos) {
        long end = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
        while (true) {
            poll();
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long slice = Math.min(left, SLEEP_SLICE_NANOS);
            if (hasDeadline) {
                slice = Math.min(slice, Math.max(1, deadline - System.nanoTime() + 1));
            }
            LockSupport.parkNanos(slice);
        }
    }

    /**
     * Stops the guest as soon as it reaches a safe point (within 65,536 units of fuel) or its
     * next host call; the run ends with {@link CellKilled}. Files it wrote stay as written. May be
     * called from any thread; a cell that is not running is stopped when it next runs.
     */
    public void kill() {
        killed = true;
    }

    /** What the guest used so far, and how its last run or call ended. */
    public Accounting accounting() {
        WasiStats s = wasi.stats();
        Memory m = instance.memory();
        return new Accounting(outcome, exitStatus, ending, quota, instance.fuelUsed(), m == null ? 0 : m.peakBytes(),
                s.stdinRead(), s.stdoutWritten(), s.stderrWritten(), meter.fsRead, meter.diskUsed, s.filesOpened(),
                meter.filesCreated, meter.growsRefused, wallNanos, cpuNanos);
    }

    /** The cell's filesystem, to put input files in before a run or read results after it. */
    public VirtualFileSystem fileSystem() {
        return wasi.fileSystem();
    }

    /** The guest's linear memory, or null if the module has none. */
    public Memory memory() {
        return instance.memory();
    }

    /** The guest instance, for embedders that need its globals or tables. */
    public Instance instance() {
        return instance;
    }

    public CellConfig config() {
        return config;
    }

    public CellImage image() {
        return image;
    }

    /** Closes the cell's descriptors (host files included); the cell cannot run afterwards. */
    @Override
    public void close() {
        closed = true;
        wasi.close();
    }
}
