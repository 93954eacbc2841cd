package dev.cella.sandbox;

import dev.cella.isa.CellaException;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.sandbox.fs.VirtualFileSystem;
import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.wasi.Wasi;
import dev.cella.sandbox.wasi.WasiOptions;
import dev.cella.sandbox.wasi.WasiStats;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.GuestCpu;
import dev.cella.vm.GuestExit;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.Invocation;
import dev.cella.vm.LinkException;
import dev.cella.vm.Memory;
import dev.cella.vm.StateValidator;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.SuspendableEngine;
import dev.cella.vm.Trap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    /**
     * The stack reserved from the memory quota ({@link #stackBytes(long, long)}), and what it leaves
     * the memory, tables and globals ({@link #memoryCap()}).
     */
    private final long stackBytes;
    private final long memoryCap;
    /** Where a suspended run stopped, or null if the cell is not suspended. */
    private ExecutionState suspended;
    private boolean suspendedInStart;

    private Cell(CellImage image, CellConfig config) {
        this.image = image;
        this.config = config;
        Module module = image.module();
        // Refused before anything is allocated: the memory and what tables and globals take.
        long initial = (module.memory() == null ? 0 : module.memory().min() * Module.PAGE_SIZE)
                + Instance.hostBytes(module);
        if (initial > config.memoryLimit()) {
            throw new QuotaExceeded(Quota.MEMORY, config.memoryLimit(), initial);
        }
        this.stackBytes = stackBytes(config.memoryLimit(), initial);
        this.memoryCap = Math.max(initial, config.memoryLimit() - stackBytes);
        this.meter = new CellMeter(config, this);
        WasiOptions options = new WasiOptions(config.args(), config.env(), config.stdin()::open, config.stdout(),
                config.stderr(), config.allowClock(), config.allowRandom(), config.randomSeed(), config.terminals());
        this.wasi = new Wasi(options, config.hostMounts(), config.rootTree(), meter, meter);
        InstanceOptions io = InstanceOptions.defaults().withFuel(config.fuel()).withMaxCallDepth(config.maxCallDepth())
                .withGrowPolicy(meter).withMetered(config.metered()).withMaxStackBytes(stackBytes);
        this.instance = new Instance(module, resolver(), io);
        wasi.bind(instance);
        instance.interruptHook(new InterruptHook() {
            @Override
            public void poll(Instance inst) {
                Cell.this.poll();
            }

            @Override
            public void compiling(Instance inst) {
                Cell.this.poll(); // the kill and the deadline count during compilation too
            }

            @Override
            public void stillBlocked(Instance inst) {
                Cell.this.poll(); // a blocked host call (a queue receive) ends at a kill or the deadline
            }
        });
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
        List<ImportResolver> extensions = new ArrayList<>();
        CellContext context = new CellContext() {
            @Override
            public int open(StreamDescriptor stream) {
                return wasi.openStream(stream);
            }

            @Override
            public StreamDescriptor stream(int fd) {
                return wasi.stream(fd);
            }

            @Override
            public void onClose(Runnable action) {
                wasi.onClose(action);
            }
        };
        for (CellExtension x : config.extensions()) {
            extensions.add(x.attach(context));
        }
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
            for (ImportResolver x : extensions) {
                HostFunction f = x == null ? null : x.resolve(module, name, type);
                if (f != null) {
                    return guarded(module + "." + name, f);
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
     * @throws SandboxException if the cell already finished, was closed or is suspended
     */
    public RunResult run() {
        return run(null).orElseThrow();
    }

    /**
     * Runs the program as {@link #run()} does, but stops at the first safe point where {@code
     * request} fires (see {@link SuspendRequest}); the cell is then suspended, neither finished nor
     * closed, and {@link #suspendedRun()} says where it stands, for a checkpoint, until {@link
     * #resume} continues it.
     *
     * <p>Engines: a run with a request needs a {@link SuspendableEngine}. The built-in engines
     * all are (the JIT hands its compiled frames over at the safe point); for an embedder's
     * engine that is not, each invocation made while the request is pending (the start
     * function, {@code _start}) runs on the image's interpreter instead ({@link
     * CellImage#suspendableEngine()}); engines charge fuel identically, so a fuel point stops the
     * guest exactly where it would stop on any engine.
     *
     * @param request when to stop, or null never to (then this is {@link #run()})
     * @return the result if the program ended, or empty if it was suspended
     * @throws SandboxException if the cell already finished, was closed or is suspended, or if the
     *     request has a fuel point and the cell is unmetered
     */
    public Optional<RunResult> run(SuspendRequest request) {
        ensureUsable();
        if (suspended != null) {
            throw new SandboxException("the cell is suspended; resume it");
        }
        checkRequest(request);
        Module module = image.module();
        int main = instance.exportedFunction("_start");
        String problem = null;
        if (main >= 0 && !module.functionType(main).equals(new FuncType(java.util.List.of(), java.util.List.of()))) {
            problem = "export _start has type " + module.functionType(main) + ", not () -> ()";
        } else if (main < 0 && module.start() < 0) {
            problem = "the module has neither a start function nor an export _start";
        }
        if (problem != null) {
            return Optional.of(finish(null, new SandboxException(problem)));
        }
        begin();
        return proceed(request, null, false);
    }

    /**
     * Continues a suspended run (see {@link #run(SuspendRequest)}) from where it stopped, on the
     * image's suspendable engine for the invocation that was stopped and on the cell's engine for
     * any that follows (the {@code _start} after a start function), unless {@code request} is
     * pending.
     *
     * @param request when to stop again, or null never to
     * @return the result if the program ended, or empty if it was suspended again
     * @throws SandboxException if the cell is not suspended, finished or was closed
     */
    public Optional<RunResult> resume(SuspendRequest request) {
        ensureUsable();
        if (suspended == null) {
            throw new SandboxException("the cell is not suspended");
        }
        checkRequest(request);
        ExecutionState from = suspended;
        suspended = null;
        begin();
        return proceed(request, from, suspendedInStart);
    }

    /**
     * Runs the rest of the program: the stopped invocation {@code from} if any (in the start
     * function if {@code fromStart}), else the start function if it has not run; then {@code
     * _start} unless the stopped invocation was {@code _start}.
     */
    private Optional<RunResult> proceed(SuspendRequest request, ExecutionState from, boolean fromStart) {
        int main = instance.exportedFunction("_start");
        Integer status = null;
        CellaException error = null;
        ExecutionState stopped = null;
        boolean stoppedInStart = false;
        try {
            boolean runMain = true;
            if (from != null) {
                Invocation inv = suspendable().resume(instance, from, request);
                stopped = inv.state();
                stoppedInStart = fromStart;
                runMain = fromStart;
            } else if (!startRan) {
                startRan = true;
                int start = image.module().start();
                if (start >= 0) {
                    stopped = invoke(start, request).state();
                    stoppedInStart = true;
                }
            }
            if (stopped == null && runMain && main >= 0) {
                stopped = invoke(main, request).state();
                stoppedInStart = false;
            }
            status = 0;
        } catch (GuestExit e) {
            status = e.status();
        } catch (CellaException e) {
            error = translate(e);
        } catch (RuntimeException | StackOverflowError e) {
            error = new SandboxException("internal failure while running the guest: " + e, e);
        } catch (Error e) {
            // The host itself is failing (out of memory): end the cell as a process would, and let it through.
            finished = true;
            wasi.close();
            throw e;
        }
        stopClock();
        if (stopped != null) {
            suspended = stopped;
            suspendedInStart = stoppedInStart;
            return Optional.empty();
        }
        return Optional.of(finish(status, error));
    }

    /** Refuses a fuel point on an unmetered cell, which charges no fuel, before anything runs. */
    private void checkRequest(SuspendRequest request) {
        if (request != null && request.fuelPoint() != SuspendRequest.NO_FUEL_POINT && !instance.metered()) {
            throw new SandboxException("the cell is unmetered: it charges no fuel, so it cannot stop at fuel point "
                    + request.fuelPoint() + " (use SuspendRequest.onDemand())");
        }
    }

        /** Invokes {@code function}: on the cell's engine without a request, else on a suspendable one. */
    private Invocation invoke(int function, SuspendRequest request) {
        if (request == null) {
            return Invocation.finished(image.engine().invoke(instance, function));
        }
        return suspendable().invoke(instance, function, request);
    }

    private SuspendableEngine suspendable() {
        return image.suspendableEngine();
    }

    /** Ends the program's run: records the result, then finishes the cell and closes its descriptors. */
    private RunResult finish(Integer status, CellaException error) {
        try {
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
     *     cell finished, was closed or is suspended
     */
    public long[] call(String export, long... args) {
        ensureUsable();
        if (suspended != null) {
            throw new SandboxException("the cell is suspended; resume its run first");
        }
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
     * The stack reserved from memory quota {@code limit} for a cell whose module starts with
     * {@code initial} bytes of memory, tables and globals: a sixteenth of the quota, or what the
     * initial footprint leaves if that is less, but at least 64 KiB (so a module that fills its
     * quota can still call) and at most {@link StateValidator#MAX_STACK_BYTES}. Reserved up front
     * (memory may grow only to {@link #memoryCap()}), so memory and stack together stay within
     * the quota but for that 64 KiB floor; fixed at creation, so every engine traps at the same
     * call (docs/sandbox.md, "The stack").
     */
    static long stackBytes(long limit, long initial) {
        long share = Math.min(limit - initial, limit / STACK_SHARE);
        return Math.min(StateValidator.MAX_STACK_BYTES, Math.max(MIN_STACK_BYTES, share));
    }

    /** The stack's share of the memory quota is at most 1 / STACK_SHARE of it. */
    static final long STACK_SHARE = 16;

    /**
     * The most the cell's memory (its host array), tables and globals may take: the memory quota
     * less the stack reserved from it ({@link #stackBytes(long, long)}), or the module's initial
     * footprint if the 64 KiB floor of the stack leaves less (then nothing may grow). Every grow
     * policy of the cell caps at it: the cell's own and a scheduler's memory pool.
     */
    public long memoryCap() {
        return memoryCap;
    }

    /** The least stack a cell gets, whatever its memory quota. */
    static final long MIN_STACK_BYTES = 64 * 1024;

    /**
     * Turns an engine trap that stands for an exhausted quota into that quota's error: the
     * engines trap with FUEL_EXHAUSTED only when the instance's fuel, which is the configured
     * budget, runs out, and with CALL_STACK_EXHAUSTED only when the instance's maximum depth,
     * which is the configured quota, would be passed (CALL_DEPTH), or when a frame would not fit
     * the stack reserved from the memory quota (MEMORY: the limit is the quota; the usage, the
     * memory's reservation ({@link #memoryCap()}) plus the stack the refused call would have made,
     * which is past the quota since the stack reserved is the quota less that reservation, or
     * less than the stack asked when the 64 KiB floor applies).
     */
    private CellaException translate(CellaException e) {
        if (e instanceof Trap t) {
            switch (t.kind()) {
                case FUEL_EXHAUSTED -> {
                    return new QuotaExceeded(Quota.FUEL, config.fuel(), instance.fuelUsed(), t);
                }
                case CALL_STACK_EXHAUSTED -> {
                    long units = instance.takeStackRefused();
                    if (units > 0) {
                        return new QuotaExceeded(Quota.MEMORY, config.memoryLimit(), memoryCap + 8 * units, t);
                    }
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

    /** The CPU clock of the guest's run: this thread's, plus any helper thread an engine ran it on. */
    private static long cpuNow() {
        return GuestCpu.now();
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

    /**
     * Parks the guest's thread for at most {@code nanos} (and at most one sleep slice) while it
     * waits for a stream, honouring a kill or the deadline before and after.
     */
    void park(long nanos) {
        poll();
        long slice = Math.min(nanos, SLEEP_SLICE_NANOS);
        if (hasDeadline) {
            slice = Math.min(slice, Math.max(1, deadline - System.nanoTime() + 1));
        }
        LockSupport.parkNanos(slice);
        poll();
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

    // ---- suspension state, for checkpoints ----

    /**
     * Where a suspended run stands, with the host-side counters a checkpoint must carry beyond
     * the instance and the WASI host.
     *
     * @param state the stopped invocation
     * @param inStart true if it is the start function's (then {@code _start} runs after it)
     * @param diskUsed bytes written to files so far (the disk quota's count)
     * @param filesCreated nodes created so far (the files-created quota's count)
     * @param fsBytesRead bytes read from files so far
     * @param growsRefused memory.grow requests refused so far
     * @param wallNanos wall-clock time spent running so far
     * @param cpuNanos CPU time spent running so far
     */
    public record SuspendedRun(ExecutionState state, boolean inStart, long diskUsed, long filesCreated,
            long fsBytesRead, long growsRefused, long wallNanos, long cpuNanos) {}

    /** True if a run stopped at a suspend request and has not been resumed. */
    public boolean isSuspended() {
        return suspended != null;
    }

    /** Where the suspended run stands, or null if the cell is not suspended. */
    public SuspendedRun suspendedRun() {
        if (suspended == null) {
            return null;
        }
        return new SuspendedRun(suspended, suspendedInStart, meter.diskUsed, meter.filesCreated, meter.fsRead,
                meter.growsRefused, wallNanos, cpuNanos);
    }

    /**
     * Makes this cell, fresh from {@link #create}, suspended at {@code run}, with its counters: the
     * last step of restoring a checkpoint, after the instance (memory, globals, tables, fuel) and
     * the WASI host ({@link #wasi()}) were restored. {@link #resume} continues it.
     *
     * @throws SandboxException if the cell has run, is running, is suspended or was closed
     */
    public void restoreSuspendedRun(SuspendedRun run) {
        ensureUsable();
        if (startRan || suspended != null || outcome != null) {
            throw new SandboxException("only a cell that has not run can be restored");
        }
        startRan = true;
        suspended = run.state();
        suspendedInStart = run.inStart();
        meter.diskUsed = run.diskUsed();
        meter.filesCreated = run.filesCreated();
        meter.fsRead = run.fsBytesRead();
        meter.growsRefused = run.growsRefused();
        wallNanos = run.wallNanos();
        cpuNanos = run.cpuNanos();
    }

    /**
     * The cell's WASI host: descriptors, filesystem, clocks and random source (for checkpoints).
     * Public for {@code dev.cella.sandbox.checkpoint}; the WASI package is not exported, so no
     * other module can use it.
     */
    @SuppressWarnings("exports")
    public Wasi wasi() {
        return wasi;
    }
}
