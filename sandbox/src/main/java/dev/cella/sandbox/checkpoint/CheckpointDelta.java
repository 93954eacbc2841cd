package dev.cella.sandbox.checkpoint;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A checkpoint of a suspended cell taken against an earlier checkpoint of the same cell, its
 * <em>base</em>: every section is the whole checkpoint's except the memory, of which it holds only
 * the 64 KiB pages that differ from the base's, each as the runs of bytes that changed or, where
 * those would take over half of it, whole ({@link PageRuns}). Applied over the base ({@link #over}) it is
 * exactly the whole checkpoint {@link Checkpoint#capture} would have taken at the same point:
 * the same contents, restoring to the same cell, and the same bytes. A cluster moving a running
 * cell sends the base while the cell runs and only the delta while it is stopped
 * (docs/cluster.md, "Moving a cell"); the format is in docs/checkpoint.md, "Deltas".
 *
 * <p>Taking one costs a comparison pass over the memory and the base's pages and a copy of the
 * runs that changed, not a copy of the memory; no engine tracks which pages are written.
 *
 * <p>A delta names its base by the base payload's length and CRC-32C, which it records (covered
 * by its own checksum and, with a key, its HMAC): applied over another base it is refused
 * ({@link CheckpointException.Kind#BASE_MISMATCH}) rather than giving a cell that never was. Its
 * frame is a checkpoint's with the delta flag, so that neither is ever read as the other. Like a
 * checkpoint it grants nothing and is checked as untrusted input: page numbers in order and
 * within the memory, runs inside their pages and in order, sizes against the caller's limit, every section as a whole checkpoint's.
 */
public final class CheckpointDelta {
    private final byte[] moduleSha256;
    private final byte[] payload;
    private final int payloadOffset;
    private final int payloadLength;
    private final String name;
    private CheckpointCodec.Contents contents;

    private CheckpointDelta(byte[] moduleSha256, byte[] payload, int payloadOffset, int payloadLength, String name) {
        this.moduleSha256 = moduleSha256;
        this.payload = payload;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.name = name;
    }

    /**
     * Captures suspended {@code cell} as a delta over {@code base}, a checkpoint taken of it
     * earlier (or of the same program's cell it continues). The cell is not changed.
     *
     * @throws CheckpointException as {@link Checkpoint#capture}; MODULE_MISMATCH if the base is
     *     another module's
     */
    public static CheckpointDelta capture(Cell cell, Checkpoint base) {
        Objects.requireNonNull(base, "base");
        Checkpoint.checkCapturable(cell);
        byte[] binary = ModuleWriter.write(cell.image().module());
        byte[] sha = Checkpoint.sha256(binary);
        if (!MessageDigest.isEqual(sha, base.moduleSha256Bytes())) {
            throw new CheckpointException(CheckpointException.Kind.MODULE_MISMATCH, "the base checkpoint was taken of"
                    + " module sha256:" + base.moduleSha256() + ", the cell runs sha256:" + CheckpointFile.hex(sha));
        }
        CheckpointCodec.Base b = new CheckpointCodec.Base(base.contents().instance(), base.payloadSize(), base.payloadCrc());
        CheckpointOutput out = CheckpointCodec.encode(cell, binary, b);
        return new CheckpointDelta(sha, out.buffer(), 0, out.size(), "delta checkpoint");
    }

    /** True if {@code bytes} are framed as a delta ({@link #toBytes}); nothing else is checked. */
    public static boolean isDelta(byte[] bytes) {
        return CheckpointFile.isDelta(bytes);
    }

    /**
     * Reads and checks a delta: its frame (as a checkpoint's, with the delta flag) and every
     * section. Like {@link Checkpoint#fromBytes(byte[], String, byte[], long)}, the array is
     * handed over and its payload read in place.
     *
     * @throws CheckpointException BASE_MISMATCH if the bytes are a whole checkpoint; otherwise as
     *     {@link Checkpoint#fromBytes(byte[], String, byte[], long)}
     */
    public static CheckpointDelta fromBytes(byte[] bytes, String name, byte[] key, long maxPayload) {
        if (key != null && key.length == 0) {
            throw new IllegalArgumentException("an empty checkpoint key");
        }
        CheckpointFile.Framed f = CheckpointFile.read(bytes, bytes.length, name, key, maxPayload, true);
        CheckpointDelta d = new CheckpointDelta(f.moduleSha256(), f.payload(), f.payloadOffset(), f.payloadLength(), name);
        d.contents();
        return d;
    }

    /** The delta's bytes (a checkpoint frame with the delta flag, never deflated), authenticated with {@code key} unless null. */
    public byte[] toBytes(byte[] key) {
        if (key != null && key.length == 0) {
            throw new IllegalArgumentException("an empty checkpoint key");
        }
        // Written straight into an array of its size (taken inside a move's pause).
        Checkpoint.Exact out = new Checkpoint.Exact(CheckpointFile.HEADER_SIZE + payloadLength
                + (key == null ? 0 : CheckpointFile.MAC_SIZE));
        try {
            CheckpointFile.write(out, moduleSha256, payload, payloadOffset, payloadLength, false, key, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an array stream does not fail
        }
        return out.full();
    }

    /** How many memory pages the delta carries (those that differ from the base's). */
    public int changedPages() {
        return contents().instance().pageIndexes().length;
    }

    /**
     * The whole checkpoint this delta makes over {@code base}: its contents at once (restoring it
     * writes each page of the memory once, from the delta or the base), its bytes, equal to
     * those of a whole capture, only when asked for ({@link Checkpoint#toBytes}). Neither the
     * delta nor the base is copied; both must stay unchanged.
     *
     * @throws CheckpointException BASE_MISMATCH if {@code base} is not the checkpoint the delta
     *     was taken against (its payload's length or CRC-32C differs, or its memory cannot precede
     *     the delta's); MODULE_MISMATCH if it is another module's
     */
    public Checkpoint over(Checkpoint base) {
        Objects.requireNonNull(base, "base");
        CheckpointCodec.Contents c = contents();
        CheckpointCodec.Delta d = c.delta();
        if (!MessageDigest.isEqual(moduleSha256, base.moduleSha256Bytes())) {
            throw new CheckpointException(CheckpointException.Kind.MODULE_MISMATCH, name + " was taken of module sha256:"
                    + CheckpointFile.hex(moduleSha256) + ", its base of sha256:" + base.moduleSha256());
        }
        long length = base.payloadSize();
        long crc = base.payloadCrc();
        if (d.baseLength() != length || d.baseCrc() != crc) {
            throw new CheckpointException(CheckpointException.Kind.BASE_MISMATCH, name + " was taken against a base"
                    + " of " + d.baseLength() + " bytes (CRC-32C " + Long.toHexString(d.baseCrc()) + "), not over this one of "
                    + length + " bytes (CRC-32C " + Long.toHexString(crc) + ")");
        }
        CheckpointCodec.SavedInstance merged = CheckpointCodec.over(c.instance(), base.contents().instance(), name);
        CheckpointCodec.Contents whole = new CheckpointCodec.Contents(c.module(), c.config(), merged, c.run(), c.wasi(),
                null);
        return Checkpoint.merged(moduleSha256, whole, name + " over its base",
                () -> CheckpointCodec.whole(payload, payloadOffset, payloadLength, d, merged));
    }

    /**
     * The checkpoint this delta makes over {@code base} ({@link #over}), ready to be the base of
     * the next delta: its payload made and its CRC-32C computed now (a pass over the whole
     * image), so that taking or checking a delta over it later is not. A move's intermediate
     * rounds chain their bases this way (docs/cluster.md, "Moving a cell").
     *
     * @throws CheckpointException as {@link #over}
     */
    public Checkpoint nextBase(Checkpoint base) {
        Checkpoint next = over(base);
        next.payloadCrc();
        return next;
    }

    /**
     * A cell created ahead of a delta: of a module and configuration, its memory the base's and
     * nothing else restored or run ({@link #prepare}). A delta over the base is then restored
     * into it ({@link #restoreInto}) writing only the pages it carries: what a cluster does
     * before a move's pause, so that the pause writes megabytes less (docs/cluster.md, "Moving a
     * cell"). Used once; closing it closes the cell unless it was restored into.
     */
    public static final class Prepared implements AutoCloseable {
        private Checkpoint base;
        private final Module module;
        private final CellConfig config;
        private Cell cell;

        private Prepared(Checkpoint base, Module module, CellConfig config, Cell cell) {
            this.base = base;
            this.module = module;
            this.config = config;
            this.cell = cell;
        }

        /** The checkpoint whose memory the cell holds. */
        public synchronized Checkpoint base() {
            return base;
        }

        /**
         * Writes {@code delta}, taken over this cell's base while the cell ran on elsewhere (a
         * move's intermediate round), into the cell: only the pages it carries (the memory grown
         * if it grew), nothing else restored; the checkpoint it makes over the base ({@link
         * #over}) becomes the base, over which the next delta must be taken.
         *
         * @return the new base, whose payload and CRC-32C (which the next delta is checked
         *     against) are made the first time they are needed: {@link Checkpoint#payloadCrc32c()}
         *     makes them ahead, off the caller's pause
         * @throws CheckpointException as {@link #over} (BASE_MISMATCH over another base), or
         *     INVALID if the memory cannot grow to the delta's size; the cell is then closed and
         *     this prepared cell is of no more use
         * @throws IllegalStateException if it was restored into or closed
         */
        public synchronized Checkpoint advance(CheckpointDelta delta) {
            if (cell == null) {
                throw new IllegalStateException("a prepared cell advances only before it is restored into or closed");
            }
            try {
                Checkpoint next = delta.over(base);
                next.patchMemory(cell, delta.contents().instance());
                base = next;
                return next;
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** The configuration the cell was created with. */
        public CellConfig config() {
            return config;
        }

        private synchronized Cell take() {
            Cell c = cell;
            if (c == null) {
                throw new IllegalStateException("a prepared cell is restored into once, and not after it is closed");
            }
            cell = null;
            return c;
        }

        @Override
        public synchronized void close() {
            if (cell != null) {
                cell.close();
                cell = null;
            }
        }
    }

    /**
     * Creates a cell of {@code module} with {@code config} whose memory is {@code base}'s, for a
     * delta over {@code base} to be restored into later.
     *
     * @throws CheckpointException as {@link Checkpoint#restore(Module, CellConfig)}
     */
    public static Prepared prepare(Checkpoint base, Module module, CellConfig config) {
        return new Prepared(base, module, config, base.prepare(module, config));
    }

    /**
     * Restores this delta into {@code prepared}: the cell {@link #over} its base would restore
     * ({@link Checkpoint#restore(Module, CellConfig)}), written in the pages the delta carries
     * only. Whether it succeeds or not, the prepared cell is used up.
     *
     * @throws CheckpointException as {@link #over} and {@link Checkpoint#restore(Module, CellConfig)}
     */
    public Cell restoreInto(Prepared prepared) {
        Checkpoint base = prepared.base();
        Cell cell = prepared.take();
        try {
            Checkpoint whole = over(base);
            return whole.restorePatched(prepared.module, prepared.config, cell, contents().instance());
        } catch (RuntimeException e) {
            cell.close(); // idempotent: a failed restore closed it already
            throw e;
        }
    }

    /** The decoded delta: its memory lists only the changed pages. */
    synchronized CheckpointCodec.Contents contents() {
        if (contents == null) {
            contents = CheckpointCodec.decode(payload, payloadOffset, payloadLength, name, true);
        }
        return contents;
    }
}
