package dev.cella.cluster;

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
    final ActorRef<Msg> client;
    final List<Wire.CellJob> jobs;
    final Deque<Wire.CellJob> pending = new ArrayDeque<>();
    /** The member each placed, unfinished cell is on. */
    final Map<Integer, String> placed = new HashMap<>();
    final boolean[] done;
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
        logs = new CellLog[jobs.size()];
        for (int i = 0; i < logs.length; i++) {
            logs[i] = new CellLog(epochBase);
        }
        remaining = jobs.size();
    }
}
