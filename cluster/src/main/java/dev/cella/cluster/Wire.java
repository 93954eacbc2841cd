package dev.cella.cluster;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages members and submitters send each other, encoded by {@link WireSerializer} (never
 * by Java serialization, which Pekko is told to refuse). A message grants nothing by itself: a
 * member runs a cell with the quotas its {@link CellJob} carries, which the submitter read from
 * its batch file, and with no mount, service or network (docs/cluster.md, "Security").
 */
public sealed interface Wire extends Msg {

    /**
     * One cell of a submission.
     *
     * @param submission the submission's id (unique per submitter run)
     * @param index the cell's place in the batch, from 0
     * @param name the guest's name
     * @param module the guest module as a Cella binary (the member decodes and verifies it again)
     * @param args its argv, argv[0] first
     * @param weight its fair-share weight
     * @param fuel its fuel quota, or -1 for the default
     * @param memory its memory quota in bytes, or -1 for the default; a given quota is reserved
     *     on its member for its whole run (placement)
     * @param timeoutMillis its wall-clock limit, or 0 for none
     * @param engine its engine's name ({@link dev.cella.sandbox.EngineKind#parse})
     * @param stdin its standard input, or null for none
     * @param keepStdout true to send its standard output back
     * @param keepStderr true to send its standard error back
     * @param segmentFuel the fuel per segment of its durable run, or 0 to run it as a plain cell
     *     (docs/cluster.md, "Durable runs")
     * @param app what an app's cell has beyond a batch cell's, or null for a batch cell
     */
    record CellJob(String submission, int index, String name, byte[] module, List<String> args, int weight,
            long fuel, long memory, long timeoutMillis, String engine, byte[] stdin, boolean keepStdout,
            boolean keepStderr, long segmentFuel, AppCell app) implements Wire {
        /** A batch's cell (no {@link AppCell}). */
        public CellJob(String submission, int index, String name, byte[] module, List<String> args, int weight,
                long fuel, long memory, long timeoutMillis, String engine, byte[] stdin, boolean keepStdout,
                boolean keepStderr, long segmentFuel) {
            this(submission, index, name, module, args, weight, fuel, memory, timeoutMillis, engine, stdin, keepStdout,
                    keepStderr, segmentFuel, null);
        }

        /** The bytes placement reserves for it on its member: its quota if given, else none. */
        public long reserve() {
            return Math.max(memory, 0);
        }
    }

    /**
     * Coordinator to member: run {@code job} and report its end to {@code replyTo}.
     *
     * @param epoch this placement's number for the cell; the coordinator accepts segments only
     *     from the cell's latest placement (the fence)
     * @param resume the last committed segment's wire form to resume from, or empty to start
     */
    record Run(CellJob job, ActorRef<Msg> replyTo, int epoch, byte[] resume) implements Wire {}

    /**
     * Member to coordinator: commit a segment of a durable cell ({@code Segment.toBytes}). The
     * coordinator stores it, forwards its output to the submitter and acknowledges with {@link
     * SegmentAck}.
     */
    record SegmentCommit(String submission, int index, int epoch, String member, byte[] segment,
            ActorRef<Msg> replyTo) implements Wire {}

    /**
     * Coordinator to member: segment {@code seq} is stored ({@code ok}), or refused (a fenced run),
     * {@code why} saying why (empty when stored).
     */
    record SegmentAck(String submission, int index, int epoch, long seq, boolean ok, String why) implements Wire {
        /** A segment stored ({@code ok}), or refused without a reason. */
        SegmentAck(String submission, int index, int epoch, long seq, boolean ok) {
            this(submission, index, epoch, seq, ok, "");
        }
    }

    /** Coordinator to submitter: a committed segment's output, once per {@code seq} in order. */
    record CellOutput(String submission, int index, long seq, byte[] stdout, byte[] stderr) implements Wire {}

    /**
     * A cell's end, member to coordinator to submitter.
     *
     * @param member the member that ran it (host:port)
     * @param outcome its {@link dev.cella.sandbox.Outcome} name
     * @param error the failure's message, or empty
     * @param stdout its standard output if kept, else empty
     */
    record CellDone(String submission, int index, String member, String outcome, int exitStatus, String error,
            long fuelUsed, byte[] stdout, byte[] stderr) implements Wire {}

    /** Submitter to coordinator: place and run these cells, report each end to {@code client}. */
    record Submit(String submission, List<CellJob> jobs, ActorRef<Msg> client) implements Wire {}

    /** Coordinator to submitter: the whole submission is refused (nothing ran), and why. */
    record Refused(String submission, String reason) implements Wire {}

    /** Asks a member for its {@link Load}. */
    record LoadQuery(ActorRef<Msg> replyTo) implements Wire {}

    /**
     * A member's capacity and what runs on it now.
     *
     * @param member host:port
     * @param cores the cores it offers (its scheduler's threads)
     * @param memory the memory it offers in bytes
     * @param reserved bytes reserved by the cells it runs or queues
     * @param weights the weights of the cells it runs or queues, summed
     * @param cells how many cells it runs or queues
     * @param finished how many cells it has finished since it started
     * @param fuel the fuel its cells used, summed (a durable cell's as its segments commit here)
     * @param draining true once it accepts no new cell
     */
    record Load(String member, int cores, long memory, long reserved, long weights, int cells, long finished,
            long fuel, boolean draining) implements Wire {}

    /** Asks a member for the cluster's status as text lines ({@link Text}). */
    record StatusQuery(ActorRef<Msg> replyTo) implements Wire {}

    /** Asks a member to drain: accept no new cell, finish or hand over the ones it runs. */
    record Drain(ActorRef<Msg> replyTo) implements Wire {}

    /** Lines of text for a person (status, drain). */
    record Text(List<String> lines) implements Wire {}

    /**
     * Coordinator to replica member: keep this segment of a durable cell (docs/cluster.md,
     * "Replication"). The segment counts, its output is released and its run told so, only once
     * the replica answers {@link Replicated} with {@code ok}.
     *
     * @param coordinator the coordinator's host:port (for the replica's log)
     * @param segment the segment's wire form ({@code Segment.toBytes}, tagged with the cluster's key)
     */
    record Replicate(String submission, int index, int epoch, long seq, String coordinator, byte[] segment,
            ActorRef<Msg> replyTo) implements Wire {}

    /**
     * Replica member to coordinator: segment {@code seq} is on its disk (or in its memory, without
     * a data directory) ({@code ok}), or refused and why (its tag did not verify, the disk failed).
     */
    record Replicated(String submission, int index, int epoch, long seq, String member, boolean ok, String error)
            implements Wire {}

    /** Coordinator to replica members: the submission has ended, delete its segments. */
    record ForgetReplicas(String submission) implements Wire {}

    /**
     * Several messages for one member, handled there in order as if each had come alone (a
     * member's {@link Outbox}: docs/cluster.md, "Batched messages"). Never nested.
     */
    record Batch(List<Wire> messages) implements Wire {
        public Batch {
            messages = List.copyOf(messages);
            if (messages.stream().anyMatch(m -> m instanceof Batch)) {
                throw new IllegalArgumentException("a batch inside a batch");
            }
        }
    }

    // ---- moving a durable cell from member to member (docs/cluster.md, "Moving a cell") ----

    /**
     * Draining member to the cell's coordinator: where should its durable cell go? The cell keeps
     * running until the answer ({@link MoveTo}).
     */
    record MoveAsk(String submission, int index, int epoch, String member, ActorRef<Msg> replyTo) implements Wire {}

    /**
     * Coordinator to the member running the cell under {@code epoch}: hand it over to {@code
     * dest}, whose run has {@code newEpoch}. {@code newEpoch} 0: no member can take it now, drain
     * it as before; -1: the move is called off (the destination was lost), the cell is placed
     * anew and this member's run stops.
     */
    record MoveTo(String submission, int index, int epoch, int newEpoch, ActorRef<Msg> dest) implements Wire {}

    /**
     * Source to destination: a cell is coming ({@code run} with its new epoch and no segment),
     * which arrives in {@link MoveChunk}s; answers go to {@code source}.
     */
    record MoveStart(Run run, ActorRef<Msg> source) implements Wire {}

    /**
     * Source to destination: bytes {@code offset} on of the segment's wire form, {@code total}
     * bytes long; the bytes not sent are those of the previous round's image.
     */
    record MoveChunk(String submission, int index, int epoch, int total, int offset, byte[] bytes) implements Wire {}

    /**
     * A step of a move, for the cell's run under {@code epoch} (the new one). Source to
     * destination: {@link #BASE} (a round of chunks is in: answer {@link #READY}), {@link #PRECOPY}
     * (an intermediate round, a delta over the base, is in: write it into the prepared cell and
     * answer {@link #READY}), {@link #FINAL}
     * (the last segment is in: resume), {@link #CANCEL} (drop it). Destination to source: {@link
     * #READY}, {@link #DONE} (the coordinator stored the last segment: the source's run may end).
     */
    record MoveRound(String submission, int index, int epoch, int step) implements Wire {
        static final int BASE = 0;
        static final int FINAL = 1;
        static final int CANCEL = 2;
        static final int READY = 3;
        static final int DONE = 4;
        static final int PRECOPY = 5;
    }

    // ---- a coordinator taking over a lost coordinator's submission (docs/cluster.md, "Coordinator failover") ----

    /**
     * New coordinator to every member: which segments of {@code submission}, sent by the lost
     * coordinator {@code previous}, do you hold as a replica? The asked member answers {@link
     * ReplicaHeld} (nothing of a submission another coordinator sent it) and from now on keeps
     * them for {@code coordinator} (they are no longer orphans, {@link Replicas#orphan}).
     */
    record ReplicaQuery(String submission, String coordinator, String previous, ActorRef<Msg> replyTo)
            implements Wire {}

    /**
     * Member to new coordinator: the cells of {@code submission} it holds a segment of, and each
     * one's {@code seq} (the latest segment it was sent, which may not have counted).
     */
    record ReplicaHeld(String submission, String member, List<Integer> indices, List<Long> seqs) implements Wire {}

    /** New coordinator to a member that holds one: send me your segment of this cell. */
    record ReplicaFetch(String submission, int index, ActorRef<Msg> replyTo) implements Wire {}

    /** Member to new coordinator: its segment of the cell (its wire form, tagged), or empty if it has none now. */
    record ReplicaSegment(String submission, int index, String member, byte[] segment) implements Wire {}

    /**
     * What a cell of an app (a replica of a group of a {@code cella up} file) has beyond a batch
     * cell's, all read from the app file and its image by the submitter (docs/cluster.md, "Apps").
     * Not a message of its own: it travels inside its {@link CellJob}.
     *
     * @param env its environment (the image's, the group's, and CELLA_REPLICA and CELLA_REPLICAS)
     * @param tree its image's files as {@link AppCells#encodeTree} writes them
     * @param clock true if the app grants the host clock
     * @param random true if the app grants host entropy
     * @param maxCallDepth the call depth limit, or -1 for the default; likewise the four after it
     */
    record AppCell(java.util.Map<String, String> env, byte[] tree, boolean clock, boolean random, int maxCallDepth,
            long maxOutput, int maxOpenFiles, long diskQuota, int maxFiles) {
        public AppCell {
            env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
        }
    }
}
