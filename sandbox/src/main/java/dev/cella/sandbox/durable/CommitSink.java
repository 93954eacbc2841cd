package dev.cella.sandbox.durable;

import java.util.concurrent.CompletionStage;

/**
 * Where a {@link DurableRun} makes its segments durable: a cluster replicates each to another
 * member, a single host writes it to disk. A segment counts as committed only when the stage
 * {@link #commit} returned completes normally; only then is its output released (see {@link
 * DurableRun} for the rule and why it loses and duplicates nothing).
 *
 * <p>A run calls {@code commit} from its own thread, once per segment, in order of {@code seq},
 * and never has more than one commit in flight: it calls {@code commit(s)} only after the stage
 * of segment {@code s.seq() - 1} completed. The stage may complete on any thread.
 *
 * <p>Across runs a store may see a {@code seq} twice: a dead run's late commit and the resumed
 * run's re-execution of the same segment. Both carry the same output, fuel and ending (the cell
 * is deterministic; only the time counters inside the checkpoints differ), so the store may keep
 * either. Keeping one live run per cell is the caller's job (docs/durable.md, "For a cluster").
 */
@FunctionalInterface
public interface CommitSink {
    /**
     * Starts making {@code segment} durable.
     *
     * @return a stage that completes normally once the segment is durable, or exceptionally if it
     *     cannot be made so (then the run stops with {@link DurableRunException.Kind#COMMIT_FAILED}
     *     and the segment does not count)
     */
    CompletionStage<Void> commit(Segment segment);
}
