package dev.cella.sandbox.checkpoint;

import dev.cella.isa.CellaException;
import dev.cella.isa.ValType;
import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.Mount;
import dev.cella.sandbox.fs.FsException;
import dev.cella.vm.ExecutionStateException;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;
import dev.cella.vm.Table;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A snapshot of a suspended cell: its module, configuration, instance (memory, globals, tables,
 * fuel), execution state (frames and registers), WASI host (descriptors and their offsets, the
 * in-memory filesystem, stream counters, virtual clock, random generator) and quota counters.
 * Restored, in this JVM or another, it continues exactly where the cell stopped, so a run that is
 * checkpointed, restored and resumed prints and ends exactly as an uninterrupted run does (with
 * the default deterministic clock and random source).
 *
 * <p>Taking one: run the cell with a {@link dev.cella.vm.SuspendRequest} ({@link
 * Cell#run(dev.cella.vm.SuspendRequest)}); once it is suspended, {@link #capture} it, then
 * {@link #write} it. Restoring: {@link #read} the file, build a configuration from {@link
 * #configBuilder()} (adding stdio and any host functions, which are Java objects and cannot be
 * saved), {@link #restore} a new cell and {@link Cell#resume} it.
 *
 * <p>What is not saved: host files under mounts (they are referred to by mount and path and
 * opened again on restore, so they must still be there), stdio streams, host function objects,
 * and the host's clock and entropy when the cell was given them. The format is in
 * docs/checkpoint.md.
 *
 * <p>A checkpoint grants nothing: its file may come from anyone. Mounts, quotas and grants are
 * the restore configuration's; the file only says what the cell had, so that a restore that
 * does not fit is refused (a mount missing, a host file the guest had open that the restore's
 * mounts do not reach by the live path rules). Sizes are checked against the caller's limit
 * ({@link #maxPayload}) before anything is allocated, and every malformed file or state is a
 * {@link CheckpointException}. Between trusted hosts a key authenticates the file (HMAC-SHA256).
 */
public final class Checkpoint {
    private static final int PAGE = 65_536;

    private final byte[] moduleSha256;
    /**
     * The payload is {@code payload[payloadOffset, payloadOffset + payloadLength)}: read in place
     * from a file's bytes. A checkpoint made of a delta over its base ({@link #merged}) has none
     * until it is first needed: {@link #whole} makes it, under this object's lock.
     */
    private byte[] payload;
    private int payloadOffset;
    private int payloadLength;
    private java.util.function.Supplier<CheckpointOutput> whole;
    /** The payload's CRC-32C, or -1 until known (a delta names its base by it, {@link CheckpointDelta}). */
    private long payloadCrc;
    private final String name;
    private CheckpointCodec.Contents contents;
    private Module module;

    private Checkpoint(byte[] moduleSha256, byte[] payload, int payloadOffset, int payloadLength, long payloadCrc,
            String name) {
        this.moduleSha256 = moduleSha256;
        this.payload = payload;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.payloadCrc = payloadCrc;
        this.name = name;
    }

    /**
     * A checkpoint whose contents are decoded already ({@link CheckpointDelta#over}): it restores
     * from them at once, and its payload is made by {@code whole} only if its bytes are asked for.
     */
    static Checkpoint merged(byte[] moduleSha256, CheckpointCodec.Contents contents, String name,
            java.util.function.Supplier<CheckpointOutput> whole) {
        Checkpoint c = new Checkpoint(moduleSha256, null, 0, 0, -1, name);
        c.contents = contents;
        c.whole = whole;
        return c;
    }

    /** Makes a merged checkpoint's payload if it has none yet. */
    private synchronized void materialize() {
        if (whole != null) {
            CheckpointOutput out = whole.get();
            payload = out.buffer();
            payloadOffset = 0;
            payloadLength = out.size();
            whole = null;
        }
    }

    /** The CRC-32C of the payload (from the file's header when read, computed once otherwise). */
    synchronized long payloadCrc() {
        materialize();
        if (payloadCrc < 0) {
            payloadCrc = CheckpointFile.crc(payload, payloadOffset, payloadLength);
        }
        return payloadCrc;
    }

    /**
     * The CRC-32C of the payload, by which a delta names its base ({@link CheckpointDelta}): read
     * from the file's header, or computed the first time (for a checkpoint made of a delta over
     * its base, after its payload is made: a pass over the whole image).
     */
    public long payloadCrc32c() {
        return payloadCrc();
    }

    /** The SHA-256 of the module's binary (not copied: callers only compare it). */
    byte[] moduleSha256Bytes() {
        return moduleSha256;
    }

    /**
     * Captures suspended {@code cell}. The cell is not changed: it may be resumed or closed
     * afterwards, and the checkpoint does not see what it does next.
     *
     * @throws CheckpointException NOT_SUSPENDED if the cell is not suspended; OPEN_CONNECTIONS if
     *     it has sockets or pipes open; LINKED if its instance is linked with others; INVALID if its state
     *     would not fit in one checkpoint (2 GiB)
     */
    public static Checkpoint capture(Cell cell) {
        checkCapturable(cell);
        byte[] binary = ModuleWriter.write(cell.image().module());
        CheckpointOutput out = CheckpointCodec.encode(cell, binary, null);
        return new Checkpoint(sha256(binary), out.buffer(), 0, out.size(), -1, "checkpoint");
    }

    /** Refuses a cell that cannot be captured, with the kinds {@link #capture} lists. */
    static void checkCapturable(Cell cell) {
        if (!cell.isSuspended()) {
            throw new CheckpointException(CheckpointException.Kind.NOT_SUSPENDED,
                    "the cell is not suspended at a safe point (run it with a SuspendRequest first)");
        }
        int streams = cell.wasi().openStreams();
        if (streams > 0) {
            // A connection's other end (another cell, a host socket) is not part of the cell, so
            // it cannot be restored with it; recording it as closed would silently change what
            // the guest sees. Refused, the cell can close its sockets and be checkpointed later.
            throw new CheckpointException(CheckpointException.Kind.OPEN_CONNECTIONS, "the cell has " + streams
                    + " open socket or pipe descriptor" + (streams == 1 ? "" : "s")
                    + "; a cell with open connections cannot be checkpointed (docs/network.md, \"Checkpoints\")");
        }
        if (cell.instance().store() != null) {
            // A cell's instance is alone today (its imports are host functions); one linked to
            // others could hold references to their functions, which would be saved as numbers
            // that name nothing on restore.
            throw new CheckpointException(CheckpointException.Kind.LINKED, "the cell's instance is linked with "
                    + (cell.instance().store().size() - 1) + " other instance(s), whose functions its tables and"
                    + " globals may reference; only a cell alone can be checkpointed");
        }
    }

    /**
     * Reads and checks checkpoint file {@code file}: its frame (magic, version, checksums) and
     * every section of its contents. The embedded module is checked when first used.
     *
     * @throws CheckpointException IO if the file cannot be read; NOT_A_CHECKPOINT,
     *     UNSUPPORTED_VERSION, CORRUPT or INVALID (see {@link CheckpointException.Kind})
     */
    public static Checkpoint read(Path file) {
        return read(file, null, CheckpointOutput.MAX_PAYLOAD);
    }

    /**
     * Reads and checks checkpoint file {@code file} (see {@link #read(Path)}), refusing it before
     * reading it whole if it is larger than a payload of {@code maxPayload} bytes needs, and, if
     * {@code key} is not null, unless it is authenticated with that key.
     *
     * @param key the HMAC-SHA256 key the file was written with, or null
     * @param maxPayload the largest payload accepted ({@link #maxPayload(CellConfig)} for a restore)
     * @throws CheckpointException IO if the file cannot be read or is not a regular file; TOO_LARGE;
     *     UNAUTHENTICATED; or as {@link #read(Path)}
     */
    public static Checkpoint read(Path file, byte[] key, long maxPayload) {
        byte[] bytes;
        try {
            // A FIFO or device would block or never end: only a regular file is read, and only
            // once its size is known to fit.
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException(CheckpointException.Kind.IO, "cannot read " + file
                        + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
            }
            long size = Files.size(file);
            if (size > CheckpointFile.maxFileSize(maxPayload)) {
                throw CheckpointFile.tooLarge(file.toString(), size, maxPayload);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException | UncheckedIOException | OutOfMemoryError e) {
            throw new CheckpointException(CheckpointException.Kind.IO, "cannot read " + file + ": " + e, e);
        }
        return fromBytes(bytes, file.toString(), key, maxPayload);
    }

    /**
     * The largest payload a restore under {@code config} needs: its memory limit, its disk quota
     * (which bounds the in-memory files) and 64 MiB for the module, tables, frames and the rest,
     * at most the format's 2 GiB.
     */
    public static long maxPayload(CellConfig config) {
        long sum = config.memoryLimit() + config.diskQuota();
        return sum < 0 ? CheckpointOutput.MAX_PAYLOAD : Math.min(CheckpointOutput.MAX_PAYLOAD, sum + (64L << 20));
    }

    /**
     * Reads a checkpoint from {@code bytes} (as {@link #toBytes} made them). An undeflated
     * checkpoint's payload is read where it lies, not copied (megabytes, docs/cluster.md "Moving
     * a cell"): the caller hands the array over and must not change it afterwards.
     *
     * @param name what to call it in messages
     * @throws CheckpointException as {@link #read} does
     */
    public static Checkpoint fromBytes(byte[] bytes, String name) {
        return fromBytes(bytes, name, null, CheckpointOutput.MAX_PAYLOAD);
    }

    /**
     * Reads a checkpoint from {@code bytes} with a key and a limit (see {@link #read(Path, byte[],
     * long)}); the array is handed over as for {@link #fromBytes(byte[], String)}.
     */
    public static Checkpoint fromBytes(byte[] bytes, String name, byte[] key, long maxPayload) {
        requireKey(key);
        CheckpointFile.Framed f = CheckpointFile.read(bytes, bytes.length, name, key, maxPayload);
        Checkpoint c = new Checkpoint(f.moduleSha256(), f.payload(), f.payloadOffset(), f.payloadLength(), f.payloadCrc(),
                name);
        c.contents();
        return c;
    }

    /** The file's bytes: header and payload, the payload deflated if {@code deflate}. */
    public byte[] toBytes(boolean deflate) {
        return toBytes(deflate, null);
    }

    /** The file's bytes (see {@link #toBytes(boolean)}), authenticated with {@code key} unless it is null. */
    public byte[] toBytes(boolean deflate, byte[] key) {
        materialize();
        try {
            if (deflate) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(payloadLength / 4 + 128);
                write(out, true, key);
                return out.toByteArray();
            }
            // Undeflated, the size is known: written straight into an array of that size, not into
            // a growing buffer copied out at the end (a checkpoint is megabytes, taken inside a
            // move's pause, docs/cluster.md "Moving a cell").
            Exact out = new Exact(CheckpointFile.HEADER_SIZE + payloadLength + (key == null ? 0 : CheckpointFile.MAC_SIZE));
            write(out, false, key);
            return out.full();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an array stream does not fail
        }
    }

    /** A stream into an array of the exact size of what is written to it. */
    static final class Exact extends OutputStream {
        private final byte[] bytes;
        private int at;

        Exact(int size) {
            bytes = new byte[size];
        }

        @Override
        public void write(int b) {
            bytes[at++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, bytes, at, len);
            at += len;
        }

        /** The array, which must be full: a size computed wrong is a bug here, not a short file. */
        byte[] full() {
            if (at != bytes.length) {
                throw new IllegalStateException("wrote " + at + " bytes of a checkpoint of " + bytes.length);
            }
            return bytes;
        }
    }

    /** Writes the file's bytes to {@code out} (see {@link #toBytes}), authenticated with {@code key} unless null. */
    public void write(OutputStream out, boolean deflate, byte[] key) throws IOException {
        materialize();
        CheckpointFile.write(out, moduleSha256, payload, payloadOffset, payloadLength, deflate, requireKey(key));
    }

    /** A key is null (none) or at least one byte (HMAC takes any length; an empty one is a mistake). */
    private static byte[] requireKey(byte[] key) {
        if (key != null && key.length == 0) {
            throw new IllegalArgumentException("an empty checkpoint key");
        }
        return key;
    }

    /**
     * Writes the checkpoint to {@code file}, replacing it atomically where the filesystem allows
     * (a temporary file in the same directory, then a rename), so a reader never sees half a
     * checkpoint.
     *
     * @throws CheckpointException IO if it cannot be written
     */
    public void write(Path file, boolean deflate) {
        write(file, deflate, null);
    }

    /** Writes the checkpoint to {@code file} (see {@link #write(Path, boolean)}), authenticated with {@code key} unless null. */
    public void write(Path file, boolean deflate, byte[] key) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                write(out, deflate, key);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed; a leftover temporary file is all that remains.
                }
            }
            throw new CheckpointException(CheckpointException.Kind.IO, "cannot write " + file + ": " + e, e);
        }
    }

    /** The SHA-256 of the checkpointed module's binary, in hex. */
    public String moduleSha256() {
        return CheckpointFile.hex(moduleSha256);
    }

    /** The payload's size in bytes (before any deflation). */
    public int payloadSize() {
        materialize();
        return payloadLength;
    }

    /** The fuel the guest had used when it was checkpointed. */
    public long fuelUsed() {
        return contents().instance().fuelUsed();
    }

    /** The number of guest frames that were active. */
    public int depth() {
        return contents().run().state().depth();
    }

    /** The host functions ({@code module.name}) the cell was configured with, to be supplied again on restore. */
    public List<String> hostFunctions() {
        return contents().config().hostImports();
    }

    /**
     * The checkpointed module, from the checkpoint (read and verified on first use).
     *
     * @throws CheckpointException INVALID if it does not read or verify, or does not match the header's hash
     */
    public synchronized Module module() {
        if (module == null) {
            byte[] binary = contents().module();
            if (!MessageDigest.isEqual(sha256(binary), moduleSha256)) {
                throw invalid("the embedded module does not match the header's SHA-256");
            }
            try {
                Module m = ModuleReader.read(binary);
                Verifier.verify(m);
                module = m;
            } catch (CellaException e) {
                throw new CheckpointException(CheckpointException.Kind.INVALID,
                        name + ": the embedded module is not valid: " + e.getMessage(), e);
            }
        }
        return module;
    }

    /**
     * A configuration builder holding the checkpointed program's inputs: its arguments,
     * environment and random seed, and the engine it ran on. Nothing that grants anything comes
     * from the file: the caller adds the mounts (same guest paths and read-only flags as the cell
     * had, {@link #mounts()}), the quotas and timeout, the clock and random grants, stdio (stdin
     * default empty, stdout and stderr discarded) and host functions ({@link #hostFunctions()}).
     * Quotas other than the cell's make the continuation differ from the uninterrupted run where
     * they are reached.
     */
    public CellConfig.Builder configBuilder() {
        CheckpointCodec.SavedConfig s = contents().config();
        return CellConfig.builder().args(s.args()).env(s.env()).randomSeed(s.randomSeed()).engine(s.engine());
    }

    /** The mounts the cell had, as {@code GUEST} or {@code GUEST:ro} (the host directories are not recorded). */
    public List<String> mounts() {
        return contents().config().mounts().stream().map(m -> m.guestPath() + (m.readOnly() ? ":ro" : ":rw")).toList();
    }

    /** Restores a cell of the checkpoint's own module (see {@link #restore(Module, CellConfig)}). */
    public Cell restore(CellConfig config) {
        return restore(module(), config);
    }

    /**
     * Creates a cell of {@code module} with {@code config} and puts it in the checkpointed state,
     * suspended: {@link Cell#resume} continues it. The cell runs on {@code config}'s engine; the
     * stopped invocation itself continues on the image's suspendable engine (see {@link
     * Cell#resume}).
     *
     * @param module the module the checkpoint was taken of (compared by the SHA-256 of its binary)
     * @throws CheckpointException MODULE_MISMATCH for another module; CONFIG_MISMATCH if the
     *     configuration's mounts differ or it lacks a host function the cell had, or a host file
     *     the guest had open cannot be opened again; INVALID if the contents do not fit the module
     *     or configuration (memory over its limit, a table or global count that differs, an
     *     execution state the engine rejects)
     */
    public Cell restore(Module module, CellConfig config) {
        Objects.requireNonNull(module, "module");
        return restore(module, config, () -> Cell.create(module, config));
    }

    /**
     * Restores into a cell of {@code image} (see {@link #restore(Module, CellConfig)}): for an
     * image an embedder prepared, with its own engine ({@link CellImage#withEngine}).
     */
    public Cell restore(CellImage image, CellConfig config) {
        Objects.requireNonNull(image, "image");
        return restore(image.module(), config, () -> Cell.create(image, config));
    }

    private Cell restore(Module module, CellConfig config, Supplier<Cell> create) {
        return restore(module, config, create, null);
    }

    /**
     * Creates a cell of {@code module} with {@code config} whose memory is this checkpoint's and
     * nothing else restored or run: the cell a delta over this checkpoint is restored into later
     * ({@link CheckpointDelta#prepare}), the memory written ahead of the delta.
     *
     * @throws CheckpointException as {@link #restore(Module, CellConfig)}
     */
    Cell prepare(Module module, CellConfig config) {
        checkModule(module);
        Objects.requireNonNull(config, "config");
        checkConfig(contents().config(), config);
        Cell cell = create(() -> Cell.create(module, config));
        try {
            restoreMemory(cell.instance().memory(), contents().instance(), null);
            return cell;
        } catch (RuntimeException e) {
            cell.close();
            throw e;
        }
    }

    /**
     * Restores into {@code prepared}, a cell {@link #prepare}d from this checkpoint's base, whose
     * memory is the base's: only the pages {@code patch} lists (a delta's, zero or not) are
     * written; everything else is restored as {@link #restore(Module, CellConfig)} does.
     */
    Cell restorePatched(Module module, CellConfig config, Cell prepared, CheckpointCodec.SavedInstance patch) {
        return restore(module, config, () -> prepared, patch);
    }

    /**
     * Writes the pages {@code patch} lists (a delta's over this checkpoint's base, which {@code
     * prepared}'s memory holds) into {@code prepared}'s memory, grown to this checkpoint's size
     * if it is larger: the memory is then this checkpoint's, nothing else of the cell restored
     * ({@link CheckpointDelta.Prepared#advance}).
     */
    void patchMemory(Cell prepared, CheckpointCodec.SavedInstance patch) {
        restoreMemory(prepared.instance().memory(), contents().instance(), patch);
    }

    private void checkModule(Module module) {
        byte[] given = sha256(ModuleWriter.write(module));
        if (!MessageDigest.isEqual(given, moduleSha256)) {
            throw new CheckpointException(CheckpointException.Kind.MODULE_MISMATCH, name + " was taken of module sha256:"
                    + moduleSha256() + ", not of the given module sha256:" + CheckpointFile.hex(given));
        }
    }

    private Cell create(Supplier<Cell> create) {
        try {
            return create.get();
        } catch (CellaException e) {
            throw new CheckpointException(CheckpointException.Kind.CONFIG_MISMATCH,
                    name + ": cannot create the cell: " + e.getMessage(), e);
        }
    }

    private Cell restore(Module module, CellConfig config, Supplier<Cell> create, CheckpointCodec.SavedInstance patch) {
        Objects.requireNonNull(config, "config");
        checkModule(module);
        CheckpointCodec.Contents c = contents();
        checkConfig(c.config(), config);
        Cell cell = create(create);
        try {
            restoreInstance(cell.instance(), c.instance(), config, patch);
            cell.wasi().restore(c.wasi());
            cell.image().suspendableEngine().checkResumable(cell.instance(), c.run().state());
            cell.restoreSuspendedRun(c.run());
            return cell;
        } catch (CheckpointException e) {
            cell.close();
            throw e;
        } catch (FsException e) {
            cell.close();
            throw new CheckpointException(CheckpointException.Kind.CONFIG_MISMATCH,
                    name + ": a host file the guest had open cannot be opened again: " + e.getMessage(), e);
        } catch (ExecutionStateException | IllegalArgumentException e) {
            cell.close();
            throw new CheckpointException(CheckpointException.Kind.INVALID, name + ": " + e.getMessage(), e);
        }
    }

    private void checkConfig(CheckpointCodec.SavedConfig saved, CellConfig config) {
        List<CheckpointCodec.SavedMount> a = saved.mounts();
        List<Mount> b = config.mounts();
        boolean same = a.size() == b.size();
        for (int i = 0; same && i < a.size(); i++) {
            same = a.get(i).guestPath().equals(b.get(i).guestPath()) && a.get(i).readOnly() == b.get(i).readOnly();
        }
        if (!same) {
            throw new CheckpointException(CheckpointException.Kind.CONFIG_MISMATCH, name + ": the cell had mounts "
                    + a.stream().map(m -> describe(m.guestPath(), m.readOnly())).toList()
                    + ", the restore configuration has " + b.stream().map(m -> describe(m.guestPath(), m.readOnly()))
                    .toList() + " (mounts are given to the restore, never taken from the checkpoint)");
        }
        Set<String> have = new HashSet<>();
        config.hostFunctions().forEach(h -> have.add(h.module() + "." + h.name()));
        for (String h : saved.hostImports()) {
            if (!have.contains(h)) {
                throw new CheckpointException(CheckpointException.Kind.CONFIG_MISMATCH,
                        name + ": the cell had host function " + h + ", which the restore configuration must supply");
            }
        }
    }

    private static String describe(String guestPath, boolean readOnly) {
        return guestPath + (readOnly ? " (ro)" : " (rw)");
    }

    private void restoreInstance(Instance instance, CheckpointCodec.SavedInstance s, CellConfig config,
            CheckpointCodec.SavedInstance patch) {
        Module m = instance.module();
        restoreMemory(instance.memory(), s, patch);
        long[] globals = instance.globals();
        if (s.globals().length != globals.length) {
            throw invalid(s.globals().length + " globals, but the module has " + globals.length);
        }
        for (int i = 0; i < globals.length; i++) {
            long v = s.globals()[i];
            ValType t = m.globals().get(i).type();
            if ((t == ValType.I32 && v != (int) v) || (t == ValType.F32 && v != (v & 0xFFFFFFFFL))
                    || (t == ValType.FUNCREF && (v < 0 || v > m.functionCount()))) {
                throw invalid("global " + i + " of type " + t + " holds 0x" + Long.toHexString(v));
            }
            globals[i] = v;
        }
        if (s.tables().length != m.tables().size()) {
            throw invalid(s.tables().length + " tables, but the module has " + m.tables().size());
        }
        for (int t = 0; t < s.tables().length; t++) {
            Table table = instance.table(t);
            long[] elements = s.tables()[t];
            // The table may have grown, never shrunk, within its maximum.
            if (elements.length < table.size() || elements.length > table.max()) {
                throw invalid("table " + t + " of " + elements.length + " elements, but it has " + table.size()
                        + " to " + table.max());
            }
            for (int i = 0; i < elements.length; i++) {
                if (table.type() == ValType.FUNCREF && (elements[i] < 0 || elements[i] > m.functionCount())) {
                    throw invalid("table " + t + " element " + i + " names function " + (elements[i] - 1));
                }
            }
            instance.restoreTable(t, elements);
        }
        if (s.dropped().length != m.elements().size()) {
            throw invalid(s.dropped().length + " element segments, but the module has " + m.elements().size());
        }
        for (int i = 0; i < s.dropped().length; i++) {
            if (s.dropped()[i]) {
                instance.dropSegment(i);
            }
        }
        // Fuel used = what was charged before setFuel plus what was charged since: charge the saved
        // amount against a budget of exactly that, then give what the restore's own budget leaves
        // (the file's remainder is not authority; with the cell's budget the two are equal).
        instance.setFuel(s.fuelUsed());
        instance.consumeFuelTo(0);
        instance.setFuel(Math.max(0, config.fuel() - s.fuelUsed()));
    }

    /**
     * Sets {@code memory} (null if the module has none) to the saved one's size and bytes; with
     * {@code patch}, a memory holding the base's already gets only the pages the patch lists.
     */
    private void restoreMemory(Memory memory, CheckpointCodec.SavedInstance s, CheckpointCodec.SavedInstance patch) {
        if ((memory == null) != (s.memoryPages() < 0)) {
            throw invalid("the checkpoint " + (memory == null ? "has" : "lacks") + " a memory the module "
                    + (memory == null ? "lacks" : "has"));
        }
        if (memory != null) {
            int pages = s.memoryPages();
            if (pages < memory.pages()) {
                throw invalid("a memory of " + pages + " pages, below the module's initial " + memory.pages());
            }
            if (pages > memory.pages() && memory.grow(pages - memory.pages()) < 0) {
                throw invalid("a memory of " + pages + " pages, over what the module and configuration allow");
            }
            byte[] bytes = memory.array();
            if (patch != null) {
                // The memory holds the base's (prepare), and a grow adds zero pages: only the
                // pages that differ from the base's are written, and of a page carried as runs
                // only the runs.
                for (int i = 0; i < patch.pageIndexes().length; i++) {
                    int[] runs = patch.runs(i);
                    int at = patch.pageIndexes()[i] * PAGE;
                    if (runs == null) {
                        System.arraycopy(patch.source(i), patch.pageOffsets()[i], bytes, at, PAGE);
                    } else {
                        PageRuns.apply(patch.source(i), patch.pageOffsets()[i], runs, bytes, at);
                    }
                }
                return;
            }
            // Every byte of the array is written once: a saved page, or zero between and after
            // them (all of the array, so the bytes past the size stay zero, Memory). The saved
            // pages are ascending, so the gaps are the ranges between them.
            int zeroFrom = 0;
            for (int i = 0; i < s.pageIndexes().length; i++) {
                int at = s.pageIndexes()[i] * PAGE;
                Arrays.fill(bytes, zeroFrom, at, (byte) 0);
                System.arraycopy(s.source(i), s.pageOffsets()[i], bytes, at, PAGE);
                zeroFrom = at + PAGE;
            }
            Arrays.fill(bytes, zeroFrom, bytes.length, (byte) 0);
        }
    }

    private CheckpointException invalid(String what) {
        return new CheckpointException(CheckpointException.Kind.INVALID, name + ": " + what);
    }

    synchronized CheckpointCodec.Contents contents() {
        if (contents == null) {
            contents = CheckpointCodec.decode(payload, payloadOffset, payloadLength, name);
        }
        return contents;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
