package dev.cella.sandbox.sched;

import dev.cella.isa.CellaException;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.SandboxException;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.Memory;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Runs many cells at once on a bounded number of threads, preempting each when its time slice,
 * measured in fuel, is used up, so that a guest in an endless loop cannot starve the others.
 *
 * <p>Each cell runs its program ({@link Cell#run()}) on its own virtual thread, started when it
 * is first granted a slice; at most {@link #threads()} cells hold a slice at once. The engines
 * call the instance's {@link InterruptHook} at safe points at least once per 65,536 units of
 * fuel; the scheduler's hook ends the slice there once the cell has used {@link #sliceFuel()}
 * since it was granted, charges the cell, lets the {@link SchedulingPolicy} pick the next cell,
 * and parks the guest thread until the cell is picked again. Only the hook is used, so any
 * engine works. Which cell runs next depends only on the fuel each has used, so with one thread
 * the whole schedule is deterministic.
 *
 * <p>The scheduler's <em>clock</em> is the capacity delivered so far in fuel units: every slice
 * adds the fuel it used, and under {@link SchedulingPolicy#STATIC} idle capacity (a free thread
 * while every waiting cell is ahead of its share) is added too, converted to fuel at the
 * measured speed of the guests (or, with {@link Builder#virtualIdle}, without waiting at all).
 *
 * <p>All methods are thread-safe. See {@code docs/scheduling.md}.
 */
public final class Scheduler implements AutoCloseable {
    /** The default slice: 2^20 units of fuel (a few milliseconds of interpreted code). */
    public static final long DEFAULT_SLICE_FUEL = 1L << 20;
    /** How long {@link #close()} waits for killed cells to finish. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final int threads;
    private final long sliceFuel;
    private final SchedulingPolicy policy;
    private final MemoryPool pool;
    private final boolean virtualIdle;
    private final SchedulerObserver observer;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a cell parks, finishes or gives back a thread, and on pause. */
    private final Condition changed = lock.newCondition();
    private final RunQueue queue;
    private final Set<CellHandle> live = new LinkedHashSet<>();
    private int running;
    private boolean paused;
    private boolean closed;
    private long pauseAt = Long.MAX_VALUE;
    private long clock;
    private long idleFuel;
    private long grants;
    private long nextId;
    private double sharesAdmitted;
    private final IdleCapacity idle = new IdleCapacity(lock, this::tick);

    private Scheduler(Builder b) {
        this.threads = b.threads;
        this.sliceFuel = b.sliceFuel;
        this.policy = b.policy;
        this.pool = new MemoryPool(b.memoryPool);
        this.virtualIdle = b.virtualIdle;
        this.observer = b.observer;
        this.paused = b.paused;
        this.queue = new RunQueue(policy);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Schedules {@code cell}: installs the scheduler's interrupt hook (after the cell's own) and
     * a memory grow policy backed by the pool, and queues the cell (unless {@code spec} says
     * suspended). The cell runs {@link Cell#run()} once picked; its result is the handle's.
     *
     * @param cell a cell that has not run its program and is not running a call
     * @throws SchedulerException if the scheduler is closed, the cell is already scheduled, its
     *     initial memory is over its cap, its static share is missing or would take the shares
     *     of the live cells past 1, or the memory pool cannot hold its memory or partition
     */
    public CellHandle spawn(Cell cell, CellSpec spec) {
        return spawn(cell, spec, Cell::run);
    }

    /**
     * Schedules {@code cell} as {@link #spawn(Cell, CellSpec)} does, but runs {@code program}
     * instead of {@link Cell#run()} once the cell is picked: a host that drives the cell itself
     * (a durable run: segment after segment, with checkpoints between) under the scheduler's
     * slices and memory pool. The program runs on the cell's thread and must run the cell only
     * there; its result is the handle's. A program that waits for something outside the cell
     * brackets the wait with the instance's hook's {@link InterruptHook#blockingStarts} and
     * {@link InterruptHook#blockingEnds}, so that it holds no thread meanwhile.
     *
     * @param cell a cell not running a call: new, or restored from a checkpoint and suspended
     */
    public CellHandle spawn(Cell cell, CellSpec spec, Function<Cell, RunResult> program) {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(spec, "spec");
        Instance instance = cell.instance();
        InterruptHook own = instance.interruptHook();
        if (own instanceof CellHandle.SliceHook) {
            throw new SchedulerException("cell " + spec.name() + " is already scheduled");
        }
        // At most what the cell's own quota leaves its memory, tables and globals once its stack is
        // reserved (Cell#memoryCap), so a claim on the pool never lets the cell pass its quota.
        long limit = cell.memoryCap();
        long cap = spec.memory() == CellSpec.CELL_LIMIT ? limit : Math.min(spec.memory(), limit);
        Memory memory = instance.memory();
        // The cell's host footprint: its memory's array (its capacity) and its tables and globals.
        long initial = memory == null ? Instance.hostBytes(instance.module()) : memory.hostBytes();
        if (initial > cap) {
            throw new SchedulerException("cell " + spec.name() + ": initial memory of " + initial
                    + " bytes is over its memory of " + cap + " bytes");
        }
        lock.lock();
        try {
            if (closed) {
                throw new SchedulerException("the scheduler is closed");
            }
            boolean isStatic = policy == SchedulingPolicy.STATIC;
            if (isStatic && spec.share() == 0) {
                throw new SchedulerException("cell " + spec.name() + ": the static policy needs a CPU share");
            }
            if (isStatic && sharesAdmitted + spec.share() > 1 + 1e-9) {
                throw new SchedulerException(String.format(java.util.Locale.ROOT,
                        "cell %s: CPU share %.4f does not fit: live cells hold %.4f of 1", spec.name(), spec.share(),
                        sharesAdmitted));
            }
            CellMemory claim = CellMemory.reserve(pool, memory == null ? initial : cap, initial, isStatic);
            if (claim == null) {
                throw new SchedulerException("cell " + spec.name() + ": memory pool of " + pool.capacity()
                        + " bytes cannot hold " + (isStatic ? "its partition of " + cap : "its initial " + initial)
                        + " bytes (" + pool.used() + " in use)");
            }
            if (isStatic) {
                sharesAdmitted += spec.share();
            }
            CellHandle h = new CellHandle(this, nextId++, spec, cell, claim);
            h.wake = lock.newCondition();
            h.program = program;
            if (memory != null) {
                memory.policy(claim);
            }
            instance.interruptHook(new CellHandle.SliceHook(own, h));
            live.add(h);
            accrueIdle(System.nanoTime());
            if (spec.suspended()) {
                h.state = CellState.SUSPENDED;
            } else {
                h.state = CellState.WAITING;
                queue.wake(h, clock);
                fill();
            }
            return h;
        } finally {
            lock.unlock();
        }
    }

    // ---- the slice protocol (guest threads) ----

    /**
     * Called from a cell's interrupt hook on its guest thread when its slice is used up or a
     * suspension is pending: charges the slice, lets the policy pick who runs next, and parks
     * until this cell is picked again.
     *
     * @throws CellKilled if the cell is killed while parked
     */
    void endSlice(CellHandle h, long used) {
        lock.lock();
        try {
            long now = System.nanoTime();
            accrueIdle(now);
            long fuel = used - h.sliceStartFuel;
            charge(h, fuel, now);
            running--;
            if (h.killRequested) {
                // Killed during the slice: never queued again; finish() releases it.
                h.state = CellState.WAITING;
                fill();
                throw new CellKilled();
            }
            if (h.suspendRequested) {
                h.suspendRequested = false;
                h.state = CellState.SUSPENDED;
            } else {
                h.state = CellState.WAITING;
                queue.requeue(h);
            }
            if (observer != null) {
                observer.sliceEnded(this, h, fuel);
            }
            parkUntilGranted(h, used);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called on {@code h}'s guest thread when a host call may block (see {@link
     * dev.cella.vm.InterruptHook#blockingStarts}): charges the slice so far and gives the thread
     * slot to the next cell, so a sleeping or reading guest holds no slot.
     */
    void blockingStarts(CellHandle h, long used) {
        lock.lock();
        try {
            long now = System.nanoTime();
            accrueIdle(now);
            charge(h, used - h.sliceStartFuel, now);
            h.sliceStartFuel = used;
            running--;
            h.state = CellState.BLOCKED;
            fill();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called on {@code h}'s guest thread when the blocking part of its host call is over: queues
     * it as a cell that was idle (it gets no catch-up credit for the time it slept) and parks
     * until it is granted a slice again; a suspension asked meanwhile is honoured first.
     *
     * @throws CellKilled if the cell was killed meanwhile (at once, without a slot)
     */
    void blockingEnds(CellHandle h, long used) {
        lock.lock();
        try {
            if (h.killRequested) {
                throw new CellKilled();
            }
            accrueIdle(System.nanoTime());
            if (h.suspendRequested) {
                h.suspendRequested = false;
                h.state = CellState.SUSPENDED;
            } else {
                h.state = CellState.WAITING;
                queue.wake(h, clock);
            }
            parkUntilGranted(h, used);
        } finally {
            lock.unlock();
        }
    }

    /**
     * With the lock held, on {@code h}'s guest thread, which gave its slot up: refills the
     * threads, then parks until {@code h} is granted a slice again, whose fuel starts at {@code
     * used}.
     *
     * @throws CellKilled if the cell is killed while parked
     */
    private void parkUntilGranted(CellHandle h, long used) {
        fill();
        changed.signalAll();
        while (h.state != CellState.RUNNING) {
            if (h.killRequested) {
                throw new CellKilled();
            }
            h.wake.awaitUninterruptibly();
        }
        h.sliceStartFuel = used;
    }

    /** Charges {@code h}, which holds a thread, for {@code fuel} used since its grant. */
    private void charge(CellHandle h, long fuel, long now) {
        h.fuelCharged += fuel;
        clock += fuel;
        queue.charge(h, fuel);
        long nanos = now - h.sliceStartNanos;
        h.runNanos += nanos;
        idle.measured(fuel, nanos);
        checkPauseAt();
    }

    /** Grants slices to waiting cells while threads are free. Call with the lock held. */
    private void fill() {
        while (!paused && !closed && running < threads) {
            CellHandle next = queue.poll(clock);
            if (next == null) {
                long gap = queue.idleBeforeEligible(clock);
                if (gap == Long.MAX_VALUE) {
                    return;
                }
                if (!virtualIdle) {
                    idle.scheduleTick(gap, threads - running);
                    return;
                }
                clock += gap;
                idleFuel += gap;
                checkPauseAt();
                continue;
            }
            grant(next);
        }
    }

    private void grant(CellHandle h) {
        h.state = CellState.RUNNING;
        h.slices++;
        h.sliceStartNanos = System.nanoTime();
        running++;
        grants++;
        if (h.thread == null) {
            Cell cell = h.cell;
            h.thread = Thread.ofVirtual().name("cell-" + h.id + "-" + h.spec.name()).start(() -> body(h, cell));
        } else {
            h.wake.signal();
        }
    }

    /** A cell's thread: runs its program, then finishes it whatever happened. */
    private void body(CellHandle h, Cell cell) {
        RunResult r = null;
        try {
            r = h.program.apply(cell);
        } catch (CellaException e) {
            r = new RunResult(Outcome.ERROR, -1, e, cell.accounting());
        } catch (RuntimeException | Error e) {
            r = new RunResult(Outcome.ERROR, -1, new SandboxException("the cell failed: " + e, e), cell.accounting());
            if (e instanceof Error err) {
                finish(h, r);
                throw err;
            }
        }
        finish(h, r);
    }

    private void finish(CellHandle h, RunResult r) {
        lock.lock();
        try {
            long now = System.nanoTime();
            accrueIdle(now);
            if (h.state == CellState.RUNNING) {
                charge(h, h.instance.fuelUsed() - h.sliceStartFuel, now);
                running--;
            } else {
                queue.remove(h);
            }
            finishLocked(h, r, now);
        } finally {
            lock.unlock();
        }
    }

    /** Ends {@code h}: result, counters, releases its memory, share and references; refills. */
    private void finishLocked(CellHandle h, RunResult r, long now) {
        h.finalFuel = h.instance.fuelUsed();
        Memory m = h.instance.memory();
        h.peakMemoryBytes = m == null ? 0 : m.peakBytes();
        h.state = CellState.FINISHED;
        h.result = r;
        h.finishedAtClock = clock;
        h.finishedAt = now;
        h.memory.releaseAll();
        if (policy == SchedulingPolicy.STATIC) {
            sharesAdmitted = Math.max(0, sharesAdmitted - h.spec.share());
        }
        live.remove(h);
        h.cell = null;
        h.instance = null;
        h.complete(r);
        if (observer != null) {
            observer.cellFinished(this, h);
        }
        fill();
        changed.signalAll();
    }

    // ---- lifecycle (any thread) ----

    void suspend(CellHandle h) {
        lock.lock();
        try {
            switch (h.state) {
                case WAITING -> {
                    queue.remove(h);
                    h.state = CellState.SUSPENDED;
                    changed.signalAll();
                }
                case RUNNING, BLOCKED -> h.suspendRequested = true;
                case SUSPENDED, FINISHED -> { }
            }
        } finally {
            lock.unlock();
        }
    }

    void resume(CellHandle h) {
        lock.lock();
        try {
            switch (h.state) {
                case SUSPENDED -> {
                    if (!h.killRequested) {
                        accrueIdle(System.nanoTime());
                        h.state = CellState.WAITING;
                        queue.wake(h, clock);
                        fill();
                    }
                }
                case RUNNING, BLOCKED -> h.suspendRequested = false;
                case WAITING, FINISHED -> { }
            }
        } finally {
            lock.unlock();
        }
    }

    void kill(CellHandle h) {
        lock.lock();
        try {
            if (h.state == CellState.FINISHED || h.killRequested) {
                return;
            }
            h.killRequested = true;
            h.cell.kill();
            if (h.state == CellState.RUNNING || h.state == CellState.BLOCKED) {
                return; // stops at its next safe point or host call, or when its blocking call ends
            }
            queue.remove(h);
            if (h.thread != null) {
                h.wake.signal(); // parked in its hook: wakes and throws CellKilled
                return;
            }
            Cell cell = h.cell;
            cell.close();
            finishLocked(h, new RunResult(Outcome.ERROR, -1, new CellKilled(), cell.accounting()), System.nanoTime());
        } finally {
            lock.unlock();
        }
    }

    CellState stateOf(CellHandle h) {
        lock.lock();
        try {
            return h.state;
        } finally {
            lock.unlock();
        }
    }

    boolean awaitParked(CellHandle h, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (h.state != CellState.SUSPENDED && h.state != CellState.FINISHED) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    CellStats statsOf(CellHandle h) {
        lock.lock();
        try {
            long now = System.nanoTime();
            boolean alive = h.state != CellState.FINISHED;
            long fuel = alive ? h.instance.fuelUsed() : h.finalFuel;
            long memoryBytes = alive ? h.memoryBytesNow() : 0;
            long peak = h.peakMemoryBytes;
            if (alive && h.instance.memory() != null) {
                peak = h.instance.memory().peakBytes();
            }
            long run = h.runNanos + (h.state == CellState.RUNNING ? now - h.sliceStartNanos : 0);
            return new CellStats(h.id, h.spec.name(), h.state, h.spec.weight(), h.spec.share(), fuel, h.fuelCharged,
                    h.slices, memoryBytes, peak, h.memory.reserved(), h.memory.refused(), run,
                    (alive ? now : h.finishedAt) - h.spawnedAt(), h.finishedAtClock,
                    alive ? (h.thread == null ? null : h.cell.accounting()) : h.result.accounting(), h.result);
        } finally {
            lock.unlock();
        }
    }

    // ---- the scheduler as a whole ----

    /** Stops granting slices; running cells finish their current slices. */
    public void pause() {
        lock.lock();
        try {
            accrueIdle(System.nanoTime());
            paused = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Grants slices again after {@link #pause()} (or a builder's {@link Builder#paused}). */
    public void resume() {
        lock.lock();
        try {
            accrueIdle(System.nanoTime());
            paused = false;
            fill();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pauses the scheduler as soon as its clock reaches {@code clock} (checked whenever fuel or
     * idle capacity is added): with one thread, the cells then stand exactly where the same
     * schedule always leaves them, which makes measurements in fuel deterministic.
     */
    public void pauseAt(long clock) {
        lock.lock();
        try {
            pauseAt = clock;
            checkPauseAt();
        } finally {
            lock.unlock();
        }
    }

    private void checkPauseAt() {
        if (clock >= pauseAt) {
            paused = true;
            pauseAt = Long.MAX_VALUE;
            changed.signalAll();
        }
    }

    public boolean isPaused() {
        lock.lock();
        try {
            return paused;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no cell holds a thread and none will be granted one: the scheduler is paused,
     * or every live cell is suspended. Every cell then stands at a safe point or has not started.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (running > 0 || (!paused && !queue.isEmpty())) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every cell spawned so far has finished.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitAll(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!live.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The cells not yet finished, in spawn order. */
    public List<CellHandle> liveCells() {
        lock.lock();
        try {
            return List.copyOf(live);
        } finally {
            lock.unlock();
        }
    }

    /** The clock: fuel charged to all cells plus idle capacity (static), in fuel units. */
    public long clock() {
        lock.lock();
        try {
            return clock;
        } finally {
            lock.unlock();
        }
    }

    /** The part of the clock that was idle capacity (always 0 under fair share). */
    public long idleFuel() {
        lock.lock();
        try {
            return idleFuel;
        } finally {
            lock.unlock();
        }
    }

    /** Slices granted so far, to all cells. */
    public long slices() {
        lock.lock();
        try {
            return grants;
        } finally {
            lock.unlock();
        }
    }

    /** Cells holding a thread now. */
    public int runningCount() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    public int threads() {
        return threads;
    }

    public long sliceFuel() {
        return sliceFuel;
    }

    public SchedulingPolicy policy() {
        return policy;
    }

    public MemoryPool memoryPool() {
        return pool;
    }

    /**
     * {@link #shutdown Shuts down} and waits up to {@link #CLOSE_WAIT} for the cells to finish.
     */
    @Override
    public void close() {
        shutdown(CLOSE_WAIT);
    }

    /**
     * Kills every live cell, refuses further spawns and waits up to {@code timeout} until all
     * have finished. Killed cells stop at their next safe point or host call; a cell blocked in
     * a host call that does not watch for kills (a read of a host stream that never returns), or
     * run by an engine that never polls, is left behind: the scheduler is closed and it can
     * take no further slice, but its thread ends only when it reaches a safe point.
     *
     * @return true if every cell finished in time
     */
    public boolean shutdown(Duration timeout) {
        List<CellHandle> victims;
        lock.lock();
        try {
            closed = true;
            victims = List.copyOf(live);
            idle.close();
        } finally {
            lock.unlock();
        }
        for (CellHandle h : victims) {
            kill(h);
        }
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!live.isEmpty() && left > 0) {
                left = changed.awaitNanos(left);
            }
            return live.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return live.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    // ---- idle capacity (static policy, real time: IdleCapacity) ----

    /** Adds the idle capacity delivered since the last call ({@link IdleCapacity#accrue}) to the clock. */
    private void accrueIdle(long now) {
        boolean accrues = policy == SchedulingPolicy.STATIC && !virtualIdle && !paused && !closed && !queue.isEmpty();
        long whole = idle.accrue(now, accrues ? threads - running : 0);
        if (whole > 0) {
            clock += whole;
            idleFuel += whole;
            checkPauseAt();
        }
    }

    /** The ticker's work, with the lock held: the capacity a waiting cell needed has passed. */
    private void tick() {
        accrueIdle(System.nanoTime());
        fill();
        changed.signalAll();
    }

    /** Settings of a scheduler; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private int threads = Runtime.getRuntime().availableProcessors();
        private long sliceFuel = DEFAULT_SLICE_FUEL;
        private SchedulingPolicy policy = SchedulingPolicy.FAIR_SHARE;
        private long memoryPool = MemoryPool.UNLIMITED;
        private boolean virtualIdle;
        private boolean paused;
        private SchedulerObserver observer;

        private Builder() {}

        /** Cells running at once (default: one per available processor). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Fuel per slice (default {@link #DEFAULT_SLICE_FUEL}). Slices end at the first safe
         * point past it, so they are at least one poll interval (about 65,536 units) long.
         */
        public Builder sliceFuel(long fuel) {
            this.sliceFuel = fuel;
            return this;
        }

        public Builder policy(SchedulingPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Capacity of the memory pool all cells share, in bytes (default unlimited). */
        public Builder memoryPool(long bytes) {
            this.memoryPool = bytes;
            return this;
        }

        /**
         * Static policy: let idle capacity pass without waiting for it (the clock jumps to the
         * next cell's share). For simulations and deterministic tests; off by default.
         */
        public Builder virtualIdle(boolean virtualIdle) {
            this.virtualIdle = virtualIdle;
            return this;
        }

        /** Start paused: spawned cells wait until {@link Scheduler#resume()} (default false). */
        public Builder paused(boolean paused) {
            this.paused = paused;
            return this;
        }

        public Builder observer(SchedulerObserver observer) {
            this.observer = observer;
            return this;
        }

        /** @throws SchedulerException if threads is below 1, the slice below 1 or the pool negative */
        public Scheduler build() {
            if (threads < 1) {
                throw new SchedulerException("threads must be at least 1, not " + threads);
            }
            if (sliceFuel < 1) {
                throw new SchedulerException("slice fuel must be at least 1, not " + sliceFuel);
            }
            if (memoryPool < 0) {
                throw new SchedulerException("memory pool must not be negative, not " + memoryPool);
            }
            return new Scheduler(this);
        }
    }
}
