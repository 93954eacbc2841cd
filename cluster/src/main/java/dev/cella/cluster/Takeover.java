package dev.cella.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A member taking over the submission of a coordinator that was removed from the cluster
 * (docs/cluster.md, "Coordinator failover"): what the submitter holds of each cell ({@link
 * CellState}, sent by the submitter when it re-attaches), what the members hold as replicas
 * ({@link Wire.ReplicaHeld}), and the rule that decides, per cell, whether it resumes from a
 * replica's segment or starts over ({@link #decide}). Only the coordinator's actor uses it.
 *
 * <p>The rule's reasons. A replica holds the latest segment it was <em>sent</em>, which may not
 * have counted (the coordinator died before the replica's answer), and the output of counted
 * segments may have been lost with the coordinator before it reached the submitter. The
 * submitter learns of every counted segment, with or without output ({@link Wire.CellOutput}),
 * in {@code seq} order from 0, so it can say "I hold the output of every seq below {@code
 * next}". The coordinator's segments of a cell form one line (each taken segment continues the
 * counted one before it, {@link CellLog}), and a replica's segment {@code s} continues the
 * counted segment {@code s - 1} of that line. So the cell may resume from segment {@code s} if
 * the submitter holds every seq below {@code s}: the submitter drops what it has from {@code s}
 * on ({@link SubmitProtocol.Rewind}), the new coordinator sends segment {@code s}'s output and
 * the run goes on from it. Otherwise (no replica, or a gap between what the submitter holds and
 * the segment) the cell starts over and the submitter drops all its output so far. Either way
 * each line of output reaches the submitter's file exactly once: the submitter writes a cell's
 * output only at its end, and what it dropped comes again from the point it was dropped at.
 */
final class Takeover {
    /** How long a re-attach waits for the lost coordinator to be removed from the cluster. */
    static final long REMOVAL_WAIT_NANOS = 60_000_000_000L;
    /** How long the new coordinator waits for the members' {@link Wire.ReplicaHeld} answers. */
    static final long ANSWER_WAIT_NANOS = 5_000_000_000L;
    /** Epochs of a takeover's placements start at {@code attempt << EPOCH_SHIFT} (below the old runs' never). */
    static final int EPOCH_SHIFT = 20;
    /** The most re-attaches of one submission (the epochs must stay an int). */
    static final int MAX_ATTEMPT = 1000;

    /**
     * What the submitter holds of one cell.
     *
     * @param ended its end arrived (its output is whole)
     * @param next the seq after the last segment whose output arrived (0 if none)
     * @param whole true if every seq below {@code next} arrived (always, from a coordinator of
     *     this version, which sends every counted segment)
     */
    record CellState(boolean ended, long next, boolean whole) {}

    /**
     * Submitter (through the gateway) to a member: take over {@code submission}, whose
     * coordinator {@code previous} (host:port, as its {@link Wire.Load} named it) was lost.
     * Carries the jobs again, from the submitter: a new coordinator never takes a cell's
     * grants from a peer. Never leaves its JVM.
     *
     * @param attempt how many times the submitter re-attached this submission, from 1
     */
    record Attach(String submission, List<Wire.CellJob> jobs, int attempt, String previous, List<CellState> cells,
            ActorRef<Msg> client) implements Msg {}

    /** What happens to one cell. */
    enum Action {
        /** The submitter has its end: nothing to do. */
        ENDED,
        /** Resume from the replica's segment, whose output the submitter gets (again). */
        RESUME,
        /** Start over; the submitter drops what it has. */
        RESTART
    }

    /**
     * The rule (class comment).
     *
     * @param held the seq of the latest segment a replica holds, or -1 if none
     */
    static Action decide(CellState cell, long held) {
        if (cell.ended()) {
            return Action.ENDED;
        }
        return held >= 0 && cell.whole() && cell.next() >= held ? Action.RESUME : Action.RESTART;
    }

    /** Checks a re-attach's claims; returns what is wrong, or null. */
    static String problem(Attach a) {
        if (a.attempt() < 1 || a.attempt() > MAX_ATTEMPT) {
            return "attempt " + a.attempt() + " is not between 1 and " + MAX_ATTEMPT;
        }
        if (a.cells().size() != a.jobs().size()) {
            return a.cells().size() + " cell states for " + a.jobs().size() + " cells";
        }
        for (int i = 0; i < a.cells().size(); i++) {
            if (a.cells().get(i).next() < 0) {
                return "cell " + i + " claims next seq " + a.cells().get(i).next();
            }
        }
        return null;
    }

    final Attach attach;
    /** Members asked and not yet answered. */
    final Set<String> asked = new HashSet<>();
    /** Every member asked: told to forget the submission's replicas when it ends. */
    final Set<String> everyone = new HashSet<>();
    /** When the answers are waited for no longer (System.nanoTime). */
    final long deadline;
    /** Per cell index: the highest seq a member holds, and which member. */
    final Map<Integer, Long> bestSeq = new HashMap<>();
    final Map<Integer, String> bestMember = new HashMap<>();

    Takeover(Attach attach, Set<String> asked, long now) {
        this.attach = attach;
        this.asked.addAll(asked);
        this.everyone.addAll(asked);
        this.deadline = now + ANSWER_WAIT_NANOS;
    }

    /** A member's answer; @return true once every asked member answered. */
    boolean held(Wire.ReplicaHeld h) {
        if (!asked.remove(h.member())) {
            return false; // not asked, or answered already
        }
        int n = Math.min(h.indices().size(), h.seqs().size());
        for (int i = 0; i < n; i++) {
            int index = h.indices().get(i);
            long seq = h.seqs().get(i);
            if (index >= 0 && index < attach.jobs().size() && seq >= 0 && seq > bestSeq.getOrDefault(index, -1L)) {
                bestSeq.put(index, seq);
                bestMember.put(index, h.member());
            }
        }
        return asked.isEmpty();
    }

    /** A member asked was lost: it will not answer. @return true if no answer is awaited any more */
    boolean lost(String member) {
        return asked.remove(member) && asked.isEmpty();
    }

    /** The action for cell {@code index} from what was gathered. */
    Action action(int index) {
        return decide(attach.cells().get(index), bestSeq.getOrDefault(index, -1L));
    }

    /** The first epoch of this takeover's placements: above every placement of earlier coordinators. */
    int epochBase() {
        return attach.attempt() << EPOCH_SHIFT;
    }
}
