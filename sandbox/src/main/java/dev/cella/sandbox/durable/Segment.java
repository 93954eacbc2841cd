package dev.cella.sandbox.durable;

import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointDelta;
import dev.cella.sandbox.checkpoint.CheckpointException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One segment of a {@link DurableRun}: what a cell did between two safe points, and where it
 * stands at the second. Immutable: the arrays are copied in and copied out.
 *
 * <p>A segment is either <em>suspended</em> ({@link #ending()} empty): {@link #checkpoint()} holds
 * the cell's checkpoint (the bytes of {@link dev.cella.sandbox.checkpoint.Checkpoint#toBytes},
 * authenticated if the run has a key) from which a run resumes; or <em>final</em> ({@link
 * #ending()} present): the program ended during the segment, and the checkpoint is empty.
 */
public final class Segment {
    private final String cellId;
    private final long seq;
    private final long fuelUsed;
    private final byte[] checkpoint;
    private final byte[] stdout;
    private final byte[] stderr;
    private final Optional<Ending> ending;

    /**
     * Checks and copies the fields.
     *
     * @param cellId the durable run's name for the cell (the cluster's cell identifier)
     * @param seq the segment's number: 0 for the first segment of a run from the program's start,
     *     the previous segment's plus one for every later one (a resumed run goes on from the segment
     *     it resumed from)
     * @param fuelUsed the fuel the guest had used at the end of the segment, counted from the
     *     program's start
     * @param checkpoint the checkpoint at the end of the segment; empty if the segment is final
     * @param stdout what the guest wrote to stdout during the segment
     * @param stderr what the guest wrote to stderr during the segment
     * @param ending how the program ended, if it ended in this segment
     * @throws IllegalArgumentException if {@code seq} or {@code fuelUsed} is negative, or the
     *     checkpoint is empty for a suspended segment or not empty for a final one
     * @throws NullPointerException if a field is null
     */
    public Segment(String cellId, long seq, long fuelUsed, byte[] checkpoint, byte[] stdout, byte[] stderr,
            Optional<Ending> ending) {
        this(cellId, seq, fuelUsed, checkpoint.clone(), stdout.clone(), stderr.clone(), ending, true);
    }

    /**
     * Takes the arrays without copying them: for the run and the codec, which made them and keep
     * no reference (a checkpoint is megabytes, copied otherwise inside a move's pause,
     * docs/cluster.md "Moving a cell"). The flag only tells this constructor from the public one.
     */
    private Segment(String cellId, long seq, long fuelUsed, byte[] checkpoint, byte[] stdout, byte[] stderr,
            Optional<Ending> ending, boolean owned) {
        Objects.requireNonNull(cellId, "cellId");
        Objects.requireNonNull(ending, "ending");
        if (seq < 0 || fuelUsed < 0) {
            throw new IllegalArgumentException("segment " + seq + " of " + cellId + ": negative seq or fuel used ("
                    + fuelUsed + ")");
        }
        if (ending.isPresent() != (checkpoint.length == 0)) {
            throw new IllegalArgumentException("segment " + seq + " of " + cellId + ": "
                    + (ending.isPresent() ? "a final segment has no checkpoint" : "a suspended segment needs a checkpoint"));
        }
        this.cellId = cellId;
        this.seq = seq;
        this.fuelUsed = fuelUsed;
        this.checkpoint = checkpoint;
        this.stdout = Objects.requireNonNull(stdout, "stdout");
        this.stderr = Objects.requireNonNull(stderr, "stderr");
        this.ending = ending;
    }

    /** A segment of arrays its caller made and hands over (see the private constructor). */
    static Segment owning(String cellId, long seq, long fuelUsed, byte[] checkpoint, byte[] stdout, byte[] stderr,
            Optional<Ending> ending) {
        return new Segment(cellId, seq, fuelUsed, checkpoint, stdout, stderr, ending, true);
    }

    /** The durable run's name for the cell. */
    public String cellId() {
        return cellId;
    }

    /** The segment's number. */
    public long seq() {
        return seq;
    }

    /** The fuel the guest had used at the end of the segment, counted from the program's start. */
    public long fuelUsed() {
        return fuelUsed;
    }

    /** How the program ended, if it ended in this segment. */
    public Optional<Ending> ending() {
        return ending;
    }

    /** A copy of the checkpoint bytes (empty if the segment is final). */
    public byte[] checkpoint() {
        return checkpoint.clone();
    }

    /** The checkpoint array itself, for the codec, which only reads it (no copy of megabytes). */
    byte[] sharedCheckpoint() {
        return checkpoint;
    }

    /** A copy of what the guest wrote to stdout during the segment. */
    public byte[] stdout() {
        return stdout.clone();
    }

    /** A copy of what the guest wrote to stderr during the segment. */
    public byte[] stderr() {
        return stderr.clone();
    }

    /**
     * The segment's wire form (docs/durable.md, "Segment format"), for a commit sink to replicate:
     * with {@code key} (as {@link DurableRun.Builder#checkpointKey}) an HMAC-SHA256 tag covers
     * every byte, the output and ending included; null for none.
     *
     * @throws IllegalArgumentException if the key is empty or the cell id longer than 1,024 bytes
     */
    public byte[] toBytes(byte[] key) {
        return SegmentCodec.encode(this, checkKey(key));
    }

    /**
     * Reads a segment from its wire form ({@link #toBytes}).
     *
     * @param key the key it was written with, or null to accept it without checking a tag (then
     *     a tag, if any, is taken for trailing bytes and refused)
     * @param maxSize the largest size accepted, checked before anything is read
     * @throws DurableRunException UNAUTHENTICATED if a key is given and the tag does not match;
     *     MALFORMED if the bytes are not a segment (the message says what is wrong)
     */
    public static Segment fromBytes(byte[] bytes, byte[] key, long maxSize) {
        return SegmentCodec.decode(bytes, checkKey(key), maxSize);
    }

    /**
     * The largest wire form ({@link #toBytes}) a segment of a cell under {@code config} can have:
     * the largest checkpoint a restore under it accepts ({@link
     * dev.cella.sandbox.checkpoint.Checkpoint#maxPayload}, with room for deflation's overhead),
     * the output quota, and 64 KiB for the rest; at most {@code Integer.MAX_VALUE}. The {@code
     * maxSize} to give {@link #fromBytes}.
     */
    public static long maxSize(dev.cella.sandbox.CellConfig config) {
        long payload = dev.cella.sandbox.checkpoint.Checkpoint.maxPayload(config);
        long sum = payload + (payload >> 8) + config.maxOutput() + (64 << 10);
        return sum < 0 ? Integer.MAX_VALUE : Math.min(Integer.MAX_VALUE, sum);
    }

    private static byte[] checkKey(byte[] key) {
        if (key != null && key.length == 0) {
            throw new IllegalArgumentException("an empty segment key");
        }
        return key;
    }

    /**
     * True if the checkpoint is a delta over an earlier one ({@link DurableRun#drain(
     * dev.cella.sandbox.checkpoint.Checkpoint)}): it resumes only over that base.
     */
    public boolean isDelta() {
        return CheckpointDelta.isDelta(checkpoint);
    }

    /**
     * This segment with its checkpoint whole: the same segment if it is whole already, else its
     * delta applied over {@code base} and written as {@link DurableRun} writes a whole checkpoint
     * (undeflated, with {@code checkpointKey} unless null): the segment a run drained without a
     * base would have committed, byte for byte.
     *
     * @param maxPayload the largest checkpoint payload accepted ({@code Checkpoint.maxPayload})
     * @throws CheckpointException if the delta does not read (with {@code checkpointKey}, unless
     *     null), or {@code base} is null or not its base (BASE_MISMATCH)
     */
    public Segment over(Checkpoint base, byte[] checkpointKey, long maxPayload) {
        if (!isDelta()) {
            return this;
        }
        Checkpoint whole = whole(base, "segment " + seq + " of " + cellId, checkpointKey, maxPayload);
        return owning(cellId, seq, fuelUsed, whole.toBytes(false, checkpointKey), stdout, stderr, ending);
    }

    /** The checkpoint to resume from, read (and checked) from this segment, over {@code base} if it is a delta. */
    Checkpoint whole(Checkpoint base, String name, byte[] key, long maxPayload) {
        if (!isDelta()) {
            return Checkpoint.fromBytes(checkpoint, name, key, maxPayload);
        }
        if (base == null) {
            throw new CheckpointException(CheckpointException.Kind.BASE_MISMATCH, name
                    + " is a delta and no checkpoint was given to apply it over");
        }
        return CheckpointDelta.fromBytes(checkpoint, name, key, maxPayload).over(base);
    }

    /** True if the program ended in this segment (then nothing resumes from it). */
    public boolean isFinal() {
        return ending.isPresent();
    }

    /** The checkpoint's size in bytes, without copying it. */
    public int checkpointSize() {
        return checkpoint.length;
    }

    /** Equal if every field is, the arrays compared by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && cellId.equals(s.cellId) && seq == s.seq && fuelUsed == s.fuelUsed
                && Arrays.equals(checkpoint, s.checkpoint) && Arrays.equals(stdout, s.stdout)
                && Arrays.equals(stderr, s.stderr) && ending.equals(s.ending);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cellId, seq, fuelUsed, Arrays.hashCode(checkpoint), Arrays.hashCode(stdout),
                Arrays.hashCode(stderr), ending);
    }

    @Override
    public String toString() {
        return "Segment[" + cellId + " #" + seq + ", fuel used " + fuelUsed + ", checkpoint " + checkpoint.length
                + " bytes, stdout " + stdout.length + ", stderr " + stderr.length + " bytes"
                + ending.map(e -> ", " + e).orElse("") + "]";
    }

    /**
     * How a durable run's program ended (the serialisable part of a {@link
     * dev.cella.sandbox.RunResult}).
     *
     * @param outcome the kind of ending
     * @param exitStatus the guest's exit status if it {@link dev.cella.sandbox.Outcome#EXITED},
     *     else -1
     * @param message what stopped the guest (the error's message), or null if it exited
     */
    public record Ending(dev.cella.sandbox.Outcome outcome, int exitStatus, String message) {
        /** Checks the fields: an outcome is required. */
        public Ending {
            Objects.requireNonNull(outcome, "outcome");
        }
    }
}
