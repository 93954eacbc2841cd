package dev.cella.sandbox.checkpoint;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Mount;
import dev.cella.sandbox.wasi.Wasi;
import dev.cella.vm.ExecutionState;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint payload: seven sections in a fixed order (module, configuration, instance,
 * memory, run, WASI, filesystem), each a tag byte, a 64-bit length and its fields. The byte
 * layout of every section is in docs/checkpoint.md; this class and {@link WasiCodec} are its
 * only implementation.
 */
final class CheckpointCodec {
    static final int MODULE = 1;
    static final int CONFIG = 2;
    static final int INSTANCE = 3;
    static final int MEMORY = 4;
    static final int RUN = 5;
    static final int WASI = 6;
    static final int FS = 7;
    /**
     * A delta's memory section, in place of {@link #MEMORY} ({@link CheckpointDelta}), carrying
     * whole pages: written before {@link #MEMORY_RUNS}, still read.
     */
    static final int MEMORY_DELTA = 8;
    /** A delta's memory section carrying a changed page as its changed runs ({@link PageRuns}), as written now. */
    static final int MEMORY_RUNS = 9;

    private static final int PAGE = 65_536;

    private CheckpointCodec() {}

    /**
     * What the configuration of the checkpointed cell said (stdio and host function objects
     * aside). Only the program's inputs (arguments, environment, seed) and the engine are used
     * again; the quotas, grants and mounts are a record of what the cell had, to check the
     * restore's own configuration against, never authority (docs/checkpoint.md, "Trust").
     */
    record SavedConfig(List<String> args, Map<String, String> env, long fuel, Duration timeout, long memoryLimit,
            int maxCallDepth, long maxOutput, int maxOpenFiles, long diskQuota, int maxFilesCreated,
            List<SavedMount> mounts, boolean allowClock, boolean allowRandom, long randomSeed, EngineKind engine,
            List<String> hostImports) {}

    /** A mount as recorded: where the guest saw it and whether it was read-only, not its host directory. */
    record SavedMount(String guestPath, boolean readOnly) {}

    /**
     * The instance: fuel, globals, tables (their current sizes and references' raw bits), which
     * element segments are dropped, and its memory as the non-zero pages' positions in the
     * payload (not copied out of it).
     *
     * @param memoryPages the memory's size in pages, or -1 if the module has no memory
     * @param pageIndexes the non-zero pages, ascending
     * @param pageOffsets where each of them starts in {@code payload}
     * @param runs null, or for a delta's page its runs ({@link PageRuns}: null or {@link
     *     PageRuns#WHOLE} if the page is whole), whose bytes start at its offset
     * @param patched null, or for a page merged from a delta's runs over the base ({@link #over})
     *     how to make it, its source null and offset 0 until it is made ({@link #source})
     */
    record SavedInstance(long fuelUsed, long fuelRemaining, long[] globals, long[][] tables, boolean[] dropped,
            int memoryPages, int[] pageIndexes, int[] pageOffsets, byte[] payload, byte[][] sources, int[][] runs,
            PageRuns.Patched[] patched) {
        /** An instance whose pages are all whole. */
        SavedInstance(long fuelUsed, long fuelRemaining, long[] globals, long[][] tables, boolean[] dropped,
                int memoryPages, int[] pageIndexes, int[] pageOffsets, byte[] payload, byte[][] sources) {
            this(fuelUsed, fuelRemaining, globals, tables, dropped, memoryPages, pageIndexes, pageOffsets, payload,
                    sources, null, null);
        }

        SavedInstance(long fuelUsed, long fuelRemaining, long[] globals, long[][] tables, boolean[] dropped,
                int memoryPages, int[] pageIndexes, int[] pageOffsets, byte[] payload, byte[][] sources, int[][] runs) {
            this(fuelUsed, fuelRemaining, globals, tables, dropped, memoryPages, pageIndexes, pageOffsets, payload,
                    sources, runs, null);
        }

        /** Page {@code i}'s runs, or null if it is whole. */
        int[] runs(int i) {
            return runs == null || runs[i] == PageRuns.WHOLE ? null : runs[i];
        }

        /** The array page {@code i} lies in at {@code pageOffsets[i]}: {@code payload}, unless merged from two ({@link #over}). */
        byte[] source(int i) {
            if (patched != null && patched[i] != null) {
                synchronized (patched) { // made once, published under the lock
                    if (sources[i] == null) {
                        sources[i] = patched[i].page();
                    }
                    return sources[i];
                }
            }
            return sources == null ? payload : sources[i];
        }
    }

    /**
     * A decoded payload. {@code delta} is null for a whole checkpoint; for a delta ({@link
     * CheckpointDelta}) it names the base and where the memory section lies.
     */
    record Contents(byte[] module, SavedConfig config, SavedInstance instance, Cell.SuspendedRun run, Wasi.State wasi,
            Delta delta) {}

    /**
     * What a delta is taken against: the base's memory as decoded, and its payload's length and
     * CRC-32C, which the delta records so that it applies only over that base.
     */
    record Base(SavedInstance instance, long payloadLength, long payloadCrc) {}

    /**
     * A delta's base (its payload's length and CRC-32C) and where the delta's memory section lies
     * in its payload ({@code [memoryStart, memoryEnd)}, positions in the payload's array): the
     * sections before and after it are a whole checkpoint's, byte for byte.
     */
    record Delta(long baseLength, long baseCrc, int memoryStart, int memoryEnd) {}

    // ---- encoding ----

    /**
     * Encodes the state of {@code cell}, which is suspended, with its module's binary: whole if
     * {@code base} is null, else as a delta over it (its memory section lists only the pages that
     * differ from the base's; every other section is the whole checkpoint's).
     */
    static CheckpointOutput encode(Cell cell, byte[] moduleBinary, Base base) {
        Memory memory = cell.memory();
        // A delta's memory is the pages that changed, found first so that the buffer is sized
        // once (a buffer that grows copies megabytes, inside a move's pause).
        Changes changed = base == null || memory == null ? null : changed(memory, base.instance());
        long memoryBytes = memory == null ? 0 : changed != null ? changed.bytes() : memory.size();
        CheckpointOutput out = new CheckpointOutput((int) Math.min(CheckpointOutput.MAX_PAYLOAD,
                moduleBinary.length + memoryBytes + 4096));
        out.beginSection(MODULE);
        out.raw(moduleBinary, 0, moduleBinary.length);
        out.endSection();
        out.beginSection(CONFIG);
        config(out, cell.config());
        out.endSection();
        Instance instance = cell.instance();
        out.beginSection(INSTANCE);
        instance(out, instance);
        out.endSection();
        if (base == null) {
            out.beginSection(MEMORY);
            memory(out, memory);
        } else {
            out.beginSection(MEMORY_RUNS);
            memoryDelta(out, memory, base, changed);
        }
        out.endSection();
        out.beginSection(RUN);
        run(out, cell.suspendedRun());
        out.endSection();
        Wasi.State wasi = cell.wasi().state();
        out.beginSection(WASI);
        WasiCodec.wasi(out, wasi);
        out.endSection();
        out.beginSection(FS);
        WasiCodec.tree(out, wasi.tree());
        out.endSection();
        return out;
    }

    private static void config(CheckpointOutput out, CellConfig c) {
        out.i32(c.args().size());
        c.args().forEach(out::string);
        out.i32(c.env().size());
        c.env().forEach((k, v) -> {
            out.string(k);
            out.string(v);
        });
        out.i64(c.fuel());
        out.i64(c.timeout() == null ? -1 : c.timeout().getSeconds());
        out.i32(c.timeout() == null ? 0 : c.timeout().getNano());
        out.i64(c.memoryLimit());
        out.i32(c.maxCallDepth());
        out.i64(c.maxOutput());
        out.i32(c.maxOpenFiles());
        out.i64(c.diskQuota());
        out.i32(c.maxFilesCreated());
        out.i32(c.mounts().size());
        for (Mount m : c.mounts()) {
            out.string(m.guestPath());
            out.bool(m.readOnly());
        }
        out.bool(c.allowClock());
        out.bool(c.allowRandom());
        out.i64(c.randomSeed());
        out.string(c.engine().name());
        out.i32(c.hostFunctions().size());
        for (CellConfig.HostImport h : c.hostFunctions()) {
            out.string(h.module() + "." + h.name());
        }
    }

    private static void instance(CheckpointOutput out, Instance instance) {
        out.i64(instance.fuelUsed());
        out.i64(instance.fuelRemaining());
        long[] globals = instance.globals();
        out.i32(globals.length);
        for (long g : globals) {
            out.i64(g);
        }
        int tables = instance.module().tables().size();
        out.i32(tables);
        for (int t = 0; t < tables; t++) {
            var table = instance.table(t);
            out.i32(table.size());
            for (int i = 0; i < table.size(); i++) {
                out.i64(table.get(i));
            }
        }
        int segments = instance.module().elements().size();
        out.i32(segments);
        for (int s = 0; s < segments; s++) {
            out.i32(instance.segmentDropped(s) ? 1 : 0);
        }
    }

    /** The memory's size, then only its pages that hold a non-zero byte. */
    private static void memory(CheckpointOutput out, Memory memory) {
        if (memory == null) {
            out.i32(-1);
            return;
        }
        byte[] bytes = memory.array(); // only its first memory.size() bytes are the guest's
        int pages = memory.pages();
        out.i32(pages);
        List<Integer> used = new ArrayList<>();
        for (int p = 0; p < pages; p++) {
            if (!isZero(bytes, p * PAGE)) {
                used.add(p);
            }
        }
        out.i32(used.size());
        for (int p : used) {
            out.i32(p);
            out.raw(bytes, p * PAGE, PAGE);
        }
    }

    /**
     * A delta's memory section: the base's payload length and CRC-32C, the memory's size, then
     * the pages that differ from the base's (a page the base does not list is zero there),
     * whether zero now or not, each as the runs that changed or whole ({@link PageRuns}). One
     * comparison pass over the memory and the base's pages; only the changed runs are copied.
     */
    private static void memoryDelta(CheckpointOutput out, Memory memory, Base base, Changes changed) {
        out.i64(base.payloadLength());
        out.i64(base.payloadCrc());
        if (memory == null) {
            out.i32(-1);
            return;
        }
        byte[] bytes = memory.array();
        out.i32(memory.pages());
        out.i32(changed.pages().length);
        for (int i = 0; i < changed.pages().length; i++) {
            int p = changed.pages()[i];
            out.i32(p);
            PageRuns.write(out, bytes, p * PAGE, changed.runs()[i]);
        }
    }

    /** The pages that changed (ascending), their runs, and the bytes their entries take. */
    private record Changes(int[] pages, int[][] runs, long bytes) {}

    private static final byte[] ZERO_PAGE = new byte[PAGE];

    /** The pages of {@code memory} that differ from {@code b}'s and how, by one comparison pass. */
    private static Changes changed(Memory memory, SavedInstance b) {
        byte[] bytes = memory.array();
        int pages = memory.pages();
        int[] listed = b.pageIndexes();
        int[] changed = new int[pages];
        int[][] runs = new int[pages][];
        long size = 0;
        int n = 0;
        int k = 0;
        for (int p = 0; p < pages; p++) {
            while (k < listed.length && listed[k] < p) {
                k++;
            }
            int at = p * PAGE;
            int[] r = k < listed.length && listed[k] == p
                    ? PageRuns.diff(bytes, at, b.source(k), b.pageOffsets()[k])
                    : PageRuns.diff(bytes, at, ZERO_PAGE, 0);
            if (r != null) {
                runs[n] = r;
                changed[n++] = p;
                size += 4 + PageRuns.entrySize(r);
            }
        }
        return new Changes(Arrays.copyOf(changed, n), Arrays.copyOf(runs, n), size);
    }

    /**
     * The memory of delta {@code delta} over {@code base}: the delta's pages where it lists one
     * (dropped if zero), the base's elsewhere, so that the pages listed are the non-zero ones, in
     * order, as a whole capture lists them. Nothing is copied: the result points into both.
     *
     * @throws CheckpointException BASE_MISMATCH if the memories cannot be the same cell's (one
     *     has a memory the other lacks, or the delta's is smaller: a memory never shrinks)
     */
    static SavedInstance over(SavedInstance delta, SavedInstance base, String name) {
        if ((delta.memoryPages() < 0) != (base.memoryPages() < 0) || delta.memoryPages() < base.memoryPages()) {
            throw new CheckpointException(CheckpointException.Kind.BASE_MISMATCH, name + ": a memory of "
                    + delta.memoryPages() + " pages cannot follow one of " + base.memoryPages() + " pages");
        }
        int[] di = delta.pageIndexes();
        int[] bi = base.pageIndexes();
        int[] indexes = new int[di.length + bi.length];
        int[] offsets = new int[indexes.length];
        byte[][] sources = new byte[indexes.length][];
        PageRuns.Patched[] patched = new PageRuns.Patched[indexes.length];
        boolean anyPatched = false;
        int n = 0;
        int i = 0;
        int k = 0;
        while (i < di.length || k < bi.length) {
            if (i < di.length && (k == bi.length || di[i] <= bi[k])) {
                boolean inBase = k < bi.length && bi[k] == di[i];
                byte[] src = delta.source(i);
                int from = delta.pageOffsets()[i];
                int[] runs = delta.runs(i);
                if (runs != null) { // the base's page (zero if it lists none) with the runs written over it, made later
                    PageRuns.Patched p = inBase
                            ? new PageRuns.Patched(base.source(k), base.pageOffsets()[k], src, from, runs)
                            : new PageRuns.Patched(null, 0, src, from, runs);
                    if (!p.isZero()) {
                        indexes[n] = di[i];
                        patched[n++] = p; // its offset 0, its source made when read
                        anyPatched = true;
                    }
                } else if (!isZero(src, from)) {
                    indexes[n] = di[i];
                    offsets[n] = from;
                    sources[n++] = src;
                }
                if (inBase) {
                    k++; // the delta's page replaces the base's
                }
                i++;
            } else {
                indexes[n] = bi[k];
                offsets[n] = base.pageOffsets()[k];
                sources[n++] = base.source(k);
                k++;
            }
        }
        return new SavedInstance(delta.fuelUsed(), delta.fuelRemaining(), delta.globals(), delta.tables(),
                delta.dropped(), delta.memoryPages(), Arrays.copyOf(indexes, n), Arrays.copyOf(offsets, n), null,
                Arrays.copyOf(sources, n), null, anyPatched ? Arrays.copyOf(patched, n) : null);
    }

    /**
     * The whole payload of a delta over its base: the delta's payload {@code payload[offset,
     * offset + length)} with its memory section replaced by a whole one holding {@code merged}'s
     * pages ({@link #over}), written as {@link #memory} writes it: the same bytes as a whole
     * capture of the same cell.
     */
    static CheckpointOutput whole(byte[] payload, int offset, int length, Delta delta, SavedInstance merged) {
        int[] pages = merged.pageIndexes();
        CheckpointOutput out = new CheckpointOutput((int) Math.min(CheckpointOutput.MAX_PAYLOAD,
                length - (delta.memoryEnd() - delta.memoryStart()) + 64L + (long) pages.length * (4 + PAGE)));
        out.raw(payload, offset, delta.memoryStart() - offset);
        out.beginSection(MEMORY);
        out.i32(merged.memoryPages());
        if (merged.memoryPages() >= 0) {
            out.i32(pages.length);
            for (int i = 0; i < pages.length; i++) {
                out.i32(pages[i]);
                out.raw(merged.source(i), merged.pageOffsets()[i], PAGE);
            }
        }
        out.endSection();
        out.raw(payload, delta.memoryEnd(), offset + length - delta.memoryEnd());
        return out;
    }

    /** True if the page at {@code from} is all zeros (compared eight bytes at a time). */
    private static boolean isZero(byte[] bytes, int from) {
        for (int i = from; i < from + PAGE; i += 8) {
            if (Memory.loadI64(bytes, i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void run(CheckpointOutput out, Cell.SuspendedRun run) {
        out.bool(run.inStart());
        out.i64(run.diskUsed());
        out.i64(run.filesCreated());
        out.i64(run.fsBytesRead());
        out.i64(run.growsRefused());
        out.i64(run.wallNanos());
        out.i64(run.cpuNanos());
        ExecutionState s = run.state();
        out.i64(s.fuelUsed());
        out.i64(s.fuelRemaining());
        out.i32(s.depth());
        for (ExecutionState.Frame f : s.frames()) {
            out.i32(f.function());
            out.i32(f.pc());
            out.i32(f.registerCount());
            for (int i = 0; i < f.registerCount(); i++) {
                out.i64(f.register(i));
            }
        }
    }

    // ---- decoding ----

    /**
     * Decodes a payload whose checksum matched.
     *
     * @throws CheckpointException (INVALID) if a section is missing, out of order, too short or
     *     too long, or holds an impossible value
     */
    static Contents decode(byte[] payload, int offset, int length, String file) {
        return decode(payload, offset, length, file, false);
    }

    /** Decodes a whole payload, or a delta's if {@code delta} (its memory section {@link #MEMORY_DELTA}). */
    static Contents decode(byte[] payload, int offset, int length, String file, boolean delta) {
        CheckpointInput in = new CheckpointInput(payload, offset, length, file);
        in.beginSection(MODULE, "module");
        byte[] module = new byte[in.remainingInSection()];
        in.raw(module, 0, module.length);
        in.endSection();
        in.beginSection(CONFIG, "configuration");
        SavedConfig config = config(in);
        in.endSection();
        in.beginSection(INSTANCE, "instance");
        long fuelUsed = in.i64();
        long fuelRemaining = in.i64();
        if (fuelUsed < 0 || fuelRemaining < 0) {
            throw in.invalid("negative fuel: used " + fuelUsed + ", remaining " + fuelRemaining);
        }
        long[] globals = new long[in.count("global", 8)];
        for (int i = 0; i < globals.length; i++) {
            globals[i] = in.i64();
        }
        long[][] tables = new long[in.count("table", 4)][];
        for (int t = 0; t < tables.length; t++) {
            tables[t] = new long[in.count("table element", 8)];
            for (int i = 0; i < tables[t].length; i++) {
                tables[t][i] = in.i64();
            }
        }
        boolean[] dropped = new boolean[in.count("element segment", 4)];
        for (int s = 0; s < dropped.length; s++) {
            dropped[s] = in.i32() != 0;
        }
        in.endSection();
        int memoryStart = in.position();
        long baseLength = 0;
        long baseCrc = 0;
        boolean runs = false;
        if (delta) {
            runs = in.nextTag() == MEMORY_RUNS; // a delta written before runs carries whole pages
            in.beginSection(runs ? MEMORY_RUNS : MEMORY_DELTA, "memory delta");
            baseLength = in.i64();
            baseCrc = in.i64();
        } else {
            in.beginSection(MEMORY, "memory");
        }
        SavedInstance instance = memory(in, payload, fuelUsed, fuelRemaining, globals, tables, dropped, runs);
        in.endSection();
        Delta d = delta ? new Delta(baseLength, baseCrc, memoryStart, in.position()) : null;
        in.beginSection(RUN, "run");
        Cell.SuspendedRun run = run(in);
        in.endSection();
        in.beginSection(WASI, "wasi");
        Wasi.State wasi = WasiCodec.wasi(in);
        in.endSection();
        in.beginSection(FS, "filesystem");
        wasi = WasiCodec.withTree(wasi, WasiCodec.tree(in));
        in.endSection();
        if (!in.atEnd()) {
            throw in.invalid("bytes after the last section");
        }
        return new Contents(module, config, instance, run, wasi, d);
    }

    private static SavedConfig config(CheckpointInput in) {
        List<String> args = new ArrayList<>();
        for (int i = in.count("argument", 4); i > 0; i--) {
            args.add(in.string());
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = in.count("environment variable", 8); i > 0; i--) {
            env.put(in.string(), in.string());
        }
        try { // the same rules as for a new cell's (no NUL, no '=' in a name), so configBuilder() builds
            CellConfig.builder().args(args).env(env).build();
        } catch (dev.cella.sandbox.SandboxException e) {
            throw in.invalid(e.getMessage());
        }
        long fuel = nonNegative(in, in.i64(), "fuel");
        long seconds = in.i64();
        int nanos = in.i32();
        if (nanos < 0 || nanos > 999_999_999) {
            throw in.invalid("timeout nanoseconds " + nanos);
        }
        Duration timeout = seconds < 0 ? null : Duration.ofSeconds(seconds, nanos);
        long memoryLimit = nonNegative(in, in.i64(), "memory limit");
        int maxCallDepth = (int) nonNegative(in, in.i32(), "max call depth");
        long maxOutput = nonNegative(in, in.i64(), "max output");
        int maxOpenFiles = (int) nonNegative(in, in.i32(), "max open files");
        long diskQuota = nonNegative(in, in.i64(), "disk quota");
        int maxFilesCreated = (int) nonNegative(in, in.i32(), "max files created");
        List<SavedMount> mounts = new ArrayList<>();
        for (int i = in.count("mount", 5); i > 0; i--) {
            mounts.add(new SavedMount(in.string(), in.bool()));
        }
        boolean allowClock = in.bool();
        boolean allowRandom = in.bool();
        long seed = in.i64();
        EngineKind engine;
        String engineName = in.string();
        try {
            engine = EngineKind.valueOf(engineName);
        } catch (IllegalArgumentException e) {
            throw in.invalid("unknown engine " + engineName);
        }
        List<String> hostImports = new ArrayList<>();
        for (int i = in.count("host function", 4); i > 0; i--) {
            hostImports.add(in.string());
        }
        return new SavedConfig(List.copyOf(args), env, fuel, timeout, memoryLimit, maxCallDepth, maxOutput, maxOpenFiles,
                diskQuota, maxFilesCreated, List.copyOf(mounts), allowClock, allowRandom, seed, engine,
                List.copyOf(hostImports));
    }

    private static long nonNegative(CheckpointInput in, long v, String what) {
        if (v < 0) {
            throw in.invalid("negative " + what + " " + v);
        }
        return v;
    }

    private static SavedInstance memory(CheckpointInput in, byte[] payload, long fuelUsed, long fuelRemaining,
            long[] globals, long[][] tables, boolean[] dropped, boolean withRuns) {
        int pages = in.i32();
        if (pages < -1 || pages > dev.cella.isa.module.Module.MAX_MEMORY_PAGES) {
            throw in.invalid("memory of " + pages + " pages");
        }
        // A page entry is at least its index and a page, or with runs its index, count and one run.
        int n = in.count("memory page", withRuns ? 4 + 4 + PageRuns.HEADER + 1 : 4 + PAGE);
        int[] indexes = new int[n];
        int[] offsets = new int[n];
        int[][] runs = withRuns ? new int[n][] : null;
        for (int i = 0; i < n; i++) {
            indexes[i] = in.i32();
            if (indexes[i] < 0 || indexes[i] >= pages || (i > 0 && indexes[i] <= indexes[i - 1])) {
                throw in.invalid("memory page " + indexes[i] + " out of order or outside " + pages + " pages");
            }
            int[] r = withRuns ? PageRuns.read(in, indexes[i]) : PageRuns.WHOLE;
            offsets[i] = in.position();
            in.skip(r == PageRuns.WHOLE ? PAGE : PageRuns.bytes(r));
            if (runs != null) {
                runs[i] = r;
            }
        }
        return new SavedInstance(fuelUsed, fuelRemaining, globals, tables, dropped, pages, indexes, offsets, payload, null,
                runs);
    }

    private static Cell.SuspendedRun run(CheckpointInput in) {
        boolean inStart = in.bool();
        long diskUsed = nonNegative(in, in.i64(), "disk used");
        long filesCreated = nonNegative(in, in.i64(), "files created");
        long fsRead = nonNegative(in, in.i64(), "bytes read");
        long growsRefused = nonNegative(in, in.i64(), "grows refused");
        long wall = nonNegative(in, in.i64(), "wall time");
        long cpu = nonNegative(in, in.i64(), "cpu time");
        long fuelUsed = nonNegative(in, in.i64(), "fuel used");
        long fuelRemaining = nonNegative(in, in.i64(), "fuel remaining");
        int depth = in.count("frame", 12);
        if (depth == 0) {
            throw in.invalid("a run without frames");
        }
        List<ExecutionState.Frame> frames = new ArrayList<>(depth);
        ExecutionState state;
        try {
            for (int k = 0; k < depth; k++) {
                int function = in.i32();
                int pc = in.i32();
                long[] regs = new long[in.count("register", 8)];
                for (int i = 0; i < regs.length; i++) {
                    regs[i] = in.i64();
                }
                if (function < 0 || pc < 0) {
                    throw in.invalid("frame " + (k + 1) + " of function " + function + " at pc " + pc);
                }
                frames.add(new ExecutionState.Frame(function, pc, regs));
            }
            state = new ExecutionState(frames, fuelUsed, fuelRemaining);
        } catch (IllegalArgumentException e) { // the records' own checks
            throw in.invalid(e.getMessage());
        }
        return new Cell.SuspendedRun(state, inStart, diskUsed, filesCreated, fsRead, growsRefused, wall, cpu);
    }
}
