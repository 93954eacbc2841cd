package dev.cella.cluster;

import dev.cella.sandbox.durable.DurableRunException;
import dev.cella.sandbox.durable.Segment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/** One submission a member coordinates ({@link Coordinator}); only the member's actor touches it. */
final class Submission {
    final String id;
    /** Where its outputs and ends go: its submitter's connection, replaced when the submitter re-attaches ({@link #thaw}). */
    ActorRef<Msg> client;
    final List<Wire.CellJob> jobs;
    final Deque<Wire.CellJob> pending = new ArrayDeque<>();
    /** The member each placed, unfinished cell is on. */
    final Map<Integer, String> placed = new HashMap<>();
    final boolean[] done;
    /** Per cell: the end relayed to the submitter if it carried no output (a durable cell's), else null. */
    final Wire.CellDone[] relayed;
    /** Per cell: its placements' epochs and its last committed segment (durable cells). */
    final CellLog[] logs;
    /** The members sent a replica of one of its segments: told to delete them at the end. */
    final Set<String> replicas = new HashSet<>();
    /** True once a segment counted without a replica (logged once per submission). */
    boolean alone;
    int remaining;
    /** A taken-over submission's cells waiting for a replica's segment: the member asked. */
    final Map<Integer, String> fetching = new HashMap<>();
    /** What the submitter held when it re-attached, or null for a submission begun here. */
    List<Takeover.CellState> attached;
    /** When cells still {@link #fetching} start over instead (System.nanoTime). */
    long fetchDeadline;
    /** Its submitter's connection ended ({@link Coordinator#clientGone}): nothing counts any more. */
    boolean frozen;
    /** When a frozen submission is dropped and its replicas deleted (System.nanoTime). */
    long frozenUntil;

    Submission(Wire.Submit s) {
        this(s.submission(), s.jobs(), s.client(), 0);
        pending.addAll(jobs);
    }

    /** @param epochBase the cells' epoch before their first placement here ({@link CellLog#CellLog(int)}) */
    Submission(String id, List<Wire.CellJob> jobs, ActorRef<Msg> client, int epochBase) {
        this.id = id;
        this.client = client;
        this.jobs = jobs;
        done = new boolean[jobs.size()];
        relayed = new Wire.CellDone[jobs.size()];
        logs = new CellLog[jobs.size()];
        for (int i = 0; i < logs.length; i++) {
            logs[i] = new CellLog(epochBase);
        }
        remaining = jobs.size();
    }

    /** Relays a cell's end to the submitter, keeping it if it carries no output (to send again, {@link #thaw}). */
    void relay(Wire.CellDone d) {
        relayed[d.index()] = d.stdout().length + d.stderr().length == 0 ? d : null;
        client.tell(d);
    }

    /**
     * Sends a counted segment's output to the submitter: every segment's, even without output
     * (but a final one's only with output: the cell's end follows it), so that the submitter knows
     * which {@code seq}s it holds should a coordinator take the submission over ({@link Takeover}).
     */
    void forward(int index, Segment seg) {
        Wire.CellJob j = jobs.get(index);
        byte[] out = j.keepStdout() ? seg.stdout() : new byte[0];
        byte[] err = j.keepStderr() ? seg.stderr() : new byte[0];
        if (out.length > 0 || err.length > 0 || seg.ending().isEmpty()) {
            client.tell(new Wire.CellOutput(id, index, seg.seq(), out, err));
        }
    }

    /**
     * The {@link #frozen} submission's submitter re-attached to this, its coordinator, after its
     * connection broke ({@code cells}: what it holds of each cell): the submission goes on with
     * {@code newClient}. Nothing counted while it was frozen, and the cells' runs stopped (the
     * freeze refused their commits); per cell, the rule of {@link Takeover#decide}, with this
     * coordinator's last counted segment as the one held: a cell the submitter has the end of
     * stays ended; one whose submitter holds every {@code seq} below that segment's drops what it
     * holds from there on, gets that segment's output again and resumes from it (or gets its end
     * again, if it ended in it); any other starts over (docs/cluster.md, "The submitter's
     * connection"). The caller places the cells now {@link #pending}.
     *
     * @param key the cluster's segment key (the segments verified under it when they counted)
     * @return how many cells took each {@link Takeover.Action}, by its ordinal
     */
    int[] thaw(ActorRef<Msg> newClient, List<Takeover.CellState> cells, byte[] key) {
        client = newClient;
        frozen = false;
        attached = cells;
        int[] count = new int[Takeover.Action.values().length];
        for (int i = 0; i < jobs.size(); i++) {
            CellLog log = logs[i];
            log.dropPending(); // refused at the freeze: its run made it again, or will
            Segment last = null;
            try {
                last = log.lastSeq() < 0 ? null
                        : Segment.fromBytes(log.last(), key, Segment.maxSize(Worker.config(jobs.get(i), null, null)));
            } catch (DurableRunException e) {
                // it verified when it counted: cannot happen; the cell starts over
            }
            Takeover.Action a = Takeover.decide(cells.get(i), last == null ? -1 : last.seq());
            if (a == Takeover.Action.RESUME && done[i] && relayed[i] == null) {
                a = Takeover.Action.RESTART; // its end carried output that is gone
            }
            count[a.ordinal()]++;
            switch (a) {
                case ENDED -> {
                    if (!done[i]) {
                        done[i] = true;
                        remaining--;
                    }
                }
                case RESUME -> {
                    client.tell(new SubmitProtocol.Rewind(id, i, last.seq()));
                    forward(i, last);
                    if (done[i]) {
                        client.tell(relayed[i]); // it ended, and its end was lost with the connection
                    } else {
                        pending.add(jobs.get(i));
                    }
                }
                case RESTART -> {
                    client.tell(new SubmitProtocol.Rewind(id, i, 0));
                    logs[i] = new CellLog(log.epoch()); // later placements stay above the stopped runs'
                    if (done[i]) {
                        done[i] = false;
                        remaining++;
                    }
                    pending.add(jobs.get(i));
                }
            }
        }
        return count;
    }
}
