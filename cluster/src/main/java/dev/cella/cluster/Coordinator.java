package dev.cella.cluster;

import dev.cella.sandbox.durable.DurableRunException;
import dev.cella.sandbox.durable.Segment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The submissions a member coordinates: it places their cells on the members ({@link
 * Placement}), relays each cell's end to the submitter once, and places again the cells of a
 * member that became unreachable, left, or handed them back while draining. Only the member's
 * actor calls it.
 *
 * <p>Exactly once, as the submitter sees it: a cell's output travels in its {@link
 * Wire.CellDone} only when the cell has ended, and the coordinator relays the first end of each
 * cell and drops later ones (a cell placed again because its member was unreachable may end
 * twice if that member comes back). A cell placed again starts over, so a lost member costs its
 * cells' work but no output line is lost or repeated (docs/cluster.md, "Failure handling").
 *
 * <p>A durable cell's segment counts (its output goes to the submitter, its run is told it is
 * committed, the previous one is dropped) only once a second member holds it: the coordinator
 * keeps it and sends it to a replica member, and counts it on the replica's answer
 * (docs/cluster.md, "Replication"). A segment whose tag does not verify under the cluster's key
 * is refused, and the member that sent it, or the replica that refused one, gets no more cells.
 *
 * <p>A member also takes over the submission of a coordinator that was lost, when its submitter
 * re-attaches it here: its cells resume from the replicas or start over by the rule of {@link
 * Takeover} (docs/cluster.md, "Coordinator failover").
 */
final class Coordinator {
    /** {@link Wire.CellDone#outcome()} of a cell a draining member hands back unrun. */
    static final String REQUEUE = "REQUEUE";

    /** A segment whose replica was lost, to send to another. */
    private record Resend(Submission s, int index, CellLog.Pending p) {}

    /** A member: its placement slot, its actor and its last reported load. */
    private static final class MemberView {
        final Placement.Slot slot;
        final ActorRef<Msg> ref;
        Wire.Load load;
        boolean reachable = true;
        /** It sent a segment that did not verify, or refused one: no cell, no replica goes there. */
        boolean untrusted;

        MemberView(String member, ActorRef<Msg> ref) {
            this.slot = new Placement.Slot(member, 0, 0);
            this.ref = ref;
        }
    }

    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");

    private final ActorRef<Msg> self;
    /** Runs, acknowledgements and moves to members, batched per member ({@link Outbox}). */
    private final Outbox outbox;
    /** This member's host:port (never its own replica). */
    private final String name;
    /** The cluster's segment key (HMAC-SHA256), or null when segments carry no tag. */
    private final byte[] key;
    private final Map<String, MemberView> members = new TreeMap<>();
    private final Map<String, Submission> submissions = new LinkedHashMap<>();
    /** Submissions that arrived before every member had reported its capacity. */
    private final List<Wire.Submit> early = new ArrayList<>();
    /**
     * Re-attached submissions waiting for their lost coordinator's removal, with the time they
     * give up (System.nanoTime), then those waiting for the members' replicas (docs/cluster.md,
     * "Coordinator failover").
     */
    private final Map<Takeover.Attach, Long> attaching = new LinkedHashMap<>();
    private final Map<String, Takeover> takeovers = new HashMap<>();
    /** Members seen removed from the cluster (downed or left), the most recent {@link #REMEMBERED}. */
    private final Set<String> removed = new java.util.LinkedHashSet<>();
    private static final int REMEMBERED = 1024;
    /** Takeovers here since this member started, and their cells resumed from a replica or started over (status). */
    private int takenOver;
    private int resumedCells;
    private int restartedCells;
    /** Submissions re-attached here by their own submitters ({@link Submission#thaw}), and their cells (status). */
    private int reattached;
    private int reattachedResumed;
    private int reattachedRestarted;

    /**
     * @param name this member's host:port
     * @param key the cluster's segment key, or null for segments without a tag
     */
    Coordinator(ActorRef<Msg> self, String name, byte[] key, Outbox outbox) {
        this.self = self;
        this.outbox = outbox;
        this.name = name;
        this.key = key == null ? null : key.clone();
    }

    /** A member is up: ask its capacity; cells are placed on it once it answers. */
    void memberUp(String member, ActorRef<Msg> ref) {
        MemberView v = members.computeIfAbsent(member, m -> new MemberView(m, ref));
        v.reachable = true;
        v.ref.tell(new Wire.LoadQuery(self));
    }

    /** Asks every member for its load (the periodic refresh of capacities and drain flags). */
    void refresh() {
        for (MemberView v : members.values()) {
            v.ref.tell(new Wire.LoadQuery(self));
        }
        takeOver();
    }

    void load(Wire.Load l) {
        MemberView v = members.get(l.member());
        if (v == null) {
            return;
        }
        v.load = l;
        v.slot.cores = l.cores();
        v.slot.memory = l.memory();
        v.slot.accepting = v.reachable && !v.untrusted && !l.draining();
        if (allReported() && !early.isEmpty()) {
            List<Wire.Submit> now = new ArrayList<>(early);
            early.clear();
            now.forEach(this::submit);
        }
        placePending();
    }

    /**
     * A member cannot be reached or has left: nothing more is placed on it and its unfinished
     * cells are placed again. {@code gone} removes it for good (it left or was downed).
     */
    void memberLost(String member, boolean gone) {
        MemberView v = gone ? members.remove(member) : members.get(member);
        if (gone && removed.add(member) && removed.size() > REMEMBERED) {
            removed.remove(removed.iterator().next());
        }
        for (Takeover t : List.copyOf(takeovers.values())) {
            if (t.lost(member)) {
                decide(t); // it will not answer: what it holds is lost with it
            }
        }
        for (Submission s : submissions.values()) {
            List<Integer> asked = s.fetching.entrySet().stream().filter(e -> e.getValue().equals(member))
                    .map(Map.Entry::getKey).toList();
            asked.forEach(i -> restart(s, i));
        }
        if (v != null) {
            v.reachable = false;
            evict(v);
        }
        if (gone) {
            takeOver();
        }
        placePending();
    }

    /**
     * Nothing more goes to {@code v}: its unfinished cells are placed again (a durable one
     * resumes from its last counted segment), and the segments it was to replicate go to
     * another replica.
     */
    private void evict(MemberView v) {
        String member = v.slot.member;
        v.slot.accepting = false;
        List<Resend> resend = new ArrayList<>();
        for (Submission s : submissions.values()) {
            List<Integer> lost = new ArrayList<>();
            s.placed.forEach((index, m) -> {
                if (m.equals(member)) {
                    lost.add(index);
                }
            });
            for (int index : lost) {
                s.placed.remove(index);
                Wire.CellJob j = s.jobs.get(index);
                v.slot.release(j.reserve(), j.weight());
                s.pending.addFirst(j);
                s.logs[index].dropPending();
                callOffMove(s, index, member);
            }
            callOffMovesFrom(s, member);
            for (int i = 0; i < s.logs.length; i++) {
                CellLog.Pending p = s.logs[i].pending();
                if (p != null && member.equals(p.replica())) {
                    resend.add(new Resend(s, i, p));
                }
            }
        }
        // After the loop: a segment that counts at once may end its cell and its submission.
        for (Resend r : resend) {
            replicate(r.s(), r.index(), r.p());
        }
        placePending();
    }

    /**
     * The member a cell was being handed over to is lost (the cell is placed anew, in {@code
     * memberLost}): the member handing it over is told to stop its run, which is fenced anyway.
     */
    private void callOffMove(Submission s, int index, String lostMember) {
        CellLog log = s.logs[index];
        MemberView from = log.handoverMember() == null ? null : members.get(log.handoverMember());
        if (from != null) {
            outbox.send(from.ref, new Wire.MoveTo(s.id, index, log.epoch() - 1, -1, self));
        }
        log.endHandover();
    }

    /**
     * The member handing cells over is lost before their new runs committed: the new runs may
     * never get their segment, so the cells are placed anew (from their last committed segment)
     * and the destinations drop what they got.
     */
    private void callOffMovesFrom(Submission s, String lostMember) {
        for (int index = 0; index < s.logs.length; index++) {
            CellLog log = s.logs[index];
            if (!lostMember.equals(log.handoverMember())) {
                continue;
            }
            log.endHandover();
            String dest = s.placed.remove(index);
            MemberView d = dest == null ? null : members.get(dest);
            Wire.CellJob j = s.jobs.get(index);
            if (d != null) {
                d.slot.release(j.reserve(), j.weight());
                outbox.send(d.ref, new Wire.MoveRound(s.id, index, log.epoch(), Wire.MoveRound.CANCEL));
            }
            s.pending.addFirst(j);
        }
    }

    /**
     * A draining member asks where its durable cell should go: to the member placement picks
     * (the cell's new placement, whose run takes over from the draining one's last segment), or,
     * if none has room or the cell is not the asker's to give, nowhere ({@link Wire.MoveTo} with
     * epoch 0: the member drains it as before and hands it back).
     */
    void move(Wire.MoveAsk m) {
        MemberView src = members.get(m.member());
        if (src != null) {
            src.slot.accepting = false; // it drains
        }
        Submission s = submissions.get(m.submission());
        boolean live = s != null && m.index() >= 0 && m.index() < s.done.length && !s.done[m.index()]
                && m.member().equals(s.placed.get(m.index())) && s.logs[m.index()].epoch() == m.epoch()
                && s.logs[m.index()].handoverMember() == null;
        Wire.CellJob j = live ? s.jobs.get(m.index()) : null;
        Placement.Slot slot = live
                ? Placement.choose(members.values().stream().map(v -> v.slot).toList(), j.reserve(), j.weight()) : null;
        if (slot == null) {
            outbox.send(m.replyTo(), new Wire.MoveTo(m.submission(), m.index(), m.epoch(), 0, self));
            return;
        }
        if (src != null) {
            src.slot.release(j.reserve(), j.weight());
        }
        slot.place(j.reserve(), j.weight());
        s.placed.put(m.index(), slot.member);
        int epoch = s.logs[m.index()].handover(m.member());
        outbox.send(m.replyTo(), new Wire.MoveTo(m.submission(), m.index(), m.epoch(), epoch, members.get(slot.member).ref));
    }

    /** A member that was unreachable answers again: cells may be placed on it again. */
    void memberBack(String member) {
        MemberView v = members.get(member);
        if (v != null) {
            v.reachable = true;
            v.slot.accepting = v.load != null && !v.untrusted && !v.load.draining();
            placePending();
        }
    }

    void submit(Wire.Submit s) {
        if (!allReported()) {
            early.add(s);
            return;
        }
        List<Placement.Slot> slots = members.values().stream().map(v -> v.slot).toList();
        List<String> misfits = new ArrayList<>();
        for (Wire.CellJob j : s.jobs()) {
            if (!Placement.fitsSomewhere(slots, j.reserve())) {
                misfits.add(j.name() + " (memory " + bytes(j.reserve()) + ")");
            }
        }
        if (!misfits.isEmpty()) {
            long largest = slots.stream().filter(x -> x.accepting).mapToLong(x -> x.memory).max().orElse(0);
            s.client().tell(new Wire.Refused(s.submission(), "no member has the memory for "
                    + String.join(", ", misfits.subList(0, Math.min(5, misfits.size())))
                    + (misfits.size() > 5 ? " and " + (misfits.size() - 5) + " more cells" : "")
                    + "; the largest member accepting cells offers " + bytes(largest)));
            return;
        }
        Submission sub = new Submission(s);
        submissions.put(sub.id, sub);
        placePending();
    }

    /** A cell ended (or was handed back): relay its first end to the submitter, place waiting cells. */
    void done(Wire.CellDone d) {
        Submission s = submissions.get(d.submission());
        if (s == null || s.frozen || d.index() < 0 || d.index() >= s.done.length || s.done[d.index()]) {
            return; // a late duplicate of a cell placed again, or of a finished or frozen submission
        }
        String member = s.placed.get(d.index());
        if (member == null || !(member.equals(d.member()) || d.member().equals(s.logs[d.index()].handoverMember()))) {
            return; // from a member the cell was taken away from
        }
        s.placed.remove(d.index());
        s.logs[d.index()].dropPending();
        Wire.CellJob j = s.jobs.get(d.index());
        MemberView v = members.get(member);
        if (v != null) {
            v.slot.release(j.reserve(), j.weight());
        }
        if (REQUEUE.equals(d.outcome())) {
            if (v != null) {
                v.slot.accepting = false;
            }
            s.pending.addFirst(j);
        } else {
            end(s, d);
        }
        placePending();
    }

    /** The cell's end goes to the submitter; the last one ends the submission and its replicas. */
    private void end(Submission s, Wire.CellDone d) {
        s.done[d.index()] = true;
        s.remaining--;
        s.relay(d);
        if (s.remaining == 0) {
            finish(s);
        }
    }

    private void finish(Submission s) {
        submissions.remove(s.id);
        for (String r : s.replicas) {
            MemberView rv = members.get(r);
            if (rv != null) {
                rv.ref.tell(new Wire.ForgetReplicas(s.id));
            }
        }
    }

    /**
     * A member commits a segment of a durable cell. The segment is verified with the cluster's
     * key; one from the cell's live run and next in {@code seq} goes to a replica and counts on
     * its answer ({@link #replicated}), except a final one, which counts at once (no run resumes
     * from it; its output and end are released here, once); a {@code seq} already counted is
     * acknowledged again; one from a run the cell was taken from is refused, which stops that run
     * ({@link CellLog}).
     */
    void commit(Wire.SegmentCommit c) {
        Submission s = submissions.get(c.submission());
        boolean live = s != null && !s.frozen && c.index() >= 0 && c.index() < s.done.length && !s.done[c.index()]
                && (c.member().equals(s.placed.get(c.index())) || s.logs[c.index()].handingOver(c.epoch()));
        Segment seg = null;
        if (live) {
            try {
                seg = Segment.fromBytes(c.segment(), key, Segment.maxSize(Worker.config(s.jobs.get(c.index()), null,
                        null)));
                if (!seg.cellId().equals(Worker.cellId(c.submission(), c.index()))) {
                    throw new DurableRunException(DurableRunException.Kind.MALFORMED, "a segment of cell "
                            + seg.cellId() + " committed as one of " + Worker.cellId(c.submission(), c.index()));
                }
            } catch (DurableRunException e) {
                outbox.send(c.replyTo(), new Wire.SegmentAck(c.submission(), c.index(), c.epoch(), -1, false,
                        "the segment does not verify (" + e.kind() + ")"));
                distrust(c.member(), "sent segment of cell " + Worker.cellId(c.submission(), c.index())
                        + " that does not verify (" + e.kind() + ": " + e.getMessage() + ")");
                return;
            }
        }
        CellLog log = live ? s.logs[c.index()] : null;
        CellLog.Verdict v = seg == null ? CellLog.Verdict.FENCED : log.judge(c.epoch(), seg.seq());
        if (v != CellLog.Verdict.FENCED) {
            log.taken(c.epoch()); // the new run of a handover committed: the old one is fenced from now on
        }
        switch (v) {
            case DUPLICATE -> outbox.send(c.replyTo(), new Wire.SegmentAck(c.submission(), c.index(), c.epoch(),
                    seg.seq(), true));
            case FENCED -> outbox.send(c.replyTo(), new Wire.SegmentAck(c.submission(), c.index(), c.epoch(),
                    seg == null ? -1 : seg.seq(), false, s == null ? "it coordinates no such submission (ended or dropped)"
                    : s.frozen ? "the submission is frozen: its submitter's connection ended"
                    : log == null ? "the cell has ended or runs on another member" : log.whyFenced(c.epoch(), seg.seq())));
            case PENDING -> { } // answered when it counts
            case ACCEPT -> {
                CellLog.Pending p = new CellLog.Pending(c.epoch(), seg.seq(), c.segment(), seg, c.member(), c.replyTo(),
                        null);
                if (seg.isFinal()) {
                    count(s, c.index(), p); // nothing resumes from it: no replica (docs/cluster.md, "Replication")
                } else {
                    replicate(s, c.index(), p);
                }
            }
        }
    }

    /**
     * Sends a segment to a replica: a member other than this one, and other than the one that
     * runs the cell when there is a third, the same one for a cell while membership does not
     * change. With no such member (a one-member cluster, or every other member unreachable,
     * draining or untrusted) the segment counts on this coordinator's copy alone, logged once per
     * submission (docs/cluster.md, "Replication").
     */
    private void replicate(Submission s, int index, CellLog.Pending p) {
        List<String> others = new ArrayList<>();
        for (MemberView m : members.values()) {
            if (m.reachable && !m.untrusted && m.load != null && !m.load.draining() && !m.slot.member.equals(name)) {
                others.add(m.slot.member);
            }
        }
        List<String> third = others.stream().filter(m -> !m.equals(p.runner())).toList();
        List<String> from = third.isEmpty() ? others : third;
        if (from.isEmpty()) {
            if (!s.alone) {
                s.alone = true;
                LOG.log(System.Logger.Level.WARNING, "submission {0}: no other member can hold a replica; its "
                        + "segments count on coordinator {1} alone until one can", s.id, name);
            }
            count(s, index, p);
            return;
        }
        String replica = from.get(Math.floorMod(index, from.size()));
        s.replicas.add(replica);
        s.logs[index].propose(p.to(replica));
        members.get(replica).ref.tell(new Wire.Replicate(s.id, index, p.epoch(), p.seq(), name, p.bytes(), self));
    }

    /**
     * A submitter's connection ended: its submissions are frozen (nothing counts, is placed or
     * relayed; commits are refused, which stops the runs), so that replicas get ahead of what the
     * submitter was sent by one segment at most (docs/cluster.md, "Coordinator failover").
     * Dropped, with their replicas, after {@link Replicas#ORPHAN_KEEP}, unless the submitter
     * re-attaches to this member before ({@link #attach}).
     */
    void clientGone(ActorRef<Msg> client) {
        for (Submission s : submissions.values()) {
            if (s.client.equals(client)) {
                freeze(s);
            }
        }
        early.removeIf(x -> x.client().equals(client));
        attaching.keySet().removeIf(a -> a.client().equals(client));
        takeovers.values().removeIf(t -> t.attach.client().equals(client));
    }

    private void freeze(Submission s) {
        if (!s.frozen) {
            s.frozen = true;
            s.frozenUntil = System.nanoTime() + Replicas.ORPHAN_KEEP.toNanos();
            s.pending.clear();
            s.fetching.clear();
            s.placed.forEach((i, m) -> {
                MemberView v = members.get(m);
                if (v != null) {
                    v.slot.release(s.jobs.get(i).reserve(), s.jobs.get(i).weight());
                }
                CellLog.Pending p = s.logs[i].pending();
                if (p != null) { // its run waits for this answer: it stops instead
                    outbox.send(p.runnerRef(), new Wire.SegmentAck(s.id, i, p.epoch(), p.seq(), false,
                            "the submission is frozen: its submitter's connection ended"));
                }
            });
            s.placed.clear();
            LOG.log(System.Logger.Level.INFO, "submission {0}: its submitter is gone; its cells stop", s.id);
        }
    }

    /** A replica's answer: the pending segment counts, or goes to another replica if it was refused. */
    void replicated(Wire.Replicated r) {
        Submission s = submissions.get(r.submission());
        if (s == null || s.frozen || r.index() < 0 || r.index() >= s.done.length || s.done[r.index()]) {
            return;
        }
        CellLog.Pending p = s.logs[r.index()].pending();
        if (p == null || p.epoch() != r.epoch() || p.seq() != r.seq() || !r.member().equals(p.replica())) {
            return; // for a segment dropped by a new placement, or sent again to another replica
        }
        if (r.ok()) {
            count(s, r.index(), p);
        } else {
            distrust(r.member(), "refused to hold segment " + r.seq() + " of cell "
                    + Worker.cellId(r.submission(), r.index()) + " (" + r.error() + ")");
        }
    }

    /**
     * The segment counts: stored as the cell's last (the previous one dropped), its run told it
     * is committed, its output forwarded to the submitter; a final one ends the cell as a {@link
     * Wire.CellDone} would.
     */
    private void count(Submission s, int index, CellLog.Pending p) {
        s.logs[index].store(p.seq(), p.bytes());
        outbox.send(p.runnerRef(), new Wire.SegmentAck(s.id, index, p.epoch(), p.seq(), true));
        Segment seg = p.segment();
        Wire.CellJob j = s.jobs.get(index);
        s.forward(index, seg);
        if (seg.ending().isPresent()) {
            Segment.Ending e = seg.ending().get();
            // p.runner() may be the member handing the cell over: done() takes its end too.
            done(new Wire.CellDone(s.id, index, p.runner(), e.outcome().name(), e.exitStatus(),
                    e.message() == null ? "" : e.message(), seg.fuelUsed(), new byte[0], new byte[0]));
        }
    }

    /**
     * A member sent a segment that does not verify under the cluster's key, or refused one: it
     * has another key, is not a member of ours, or its disk failed. It gets no more cells or
     * replicas; its cells are placed again and resume from their last counted segment (one that
     * verified).
     */
    private void distrust(String member, String why) {
        LOG.log(System.Logger.Level.WARNING, "member {0} {1}: it gets no more cells or segments", member, why);
        MemberView v = members.get(member);
        if (v != null && !v.untrusted) {
            v.untrusted = true;
            evict(v);
        }
    }

    private boolean allReported() {
        return members.values().stream().allMatch(v -> v.load != null || !v.reachable);
    }

    // ---- taking over a lost coordinator's submission (Takeover; docs/cluster.md, "Coordinator failover") ----

    /**
     * A submitter re-attaches a submission whose coordinator it lost. Naming this member, its
     * coordinator (the connection broke, this member lives on), the submission goes on here from
     * what counted ({@link Submission#thaw}). Naming another, it is taken over once that
     * coordinator has been removed from the cluster (so it runs no cell any more: the members
     * stopped its runs, and it sends no segment to a replica), or refused after {@link
     * Takeover#REMOVAL_WAIT_NANOS}; a malformed one is refused at once.
     */
    void attach(Takeover.Attach a) {
        String problem = Takeover.problem(a);
        Submission own = a.previous().equals(name) ? submissions.get(a.submission()) : null;
        if (problem == null && own != null && own.jobs.size() == a.jobs().size()) {
            // Its submitter's connection broke and this member lives on: the submission goes on
            // here (frozen first if the old connection has not ended yet on this side).
            freeze(own);
            int[] count = own.thaw(a.client(), a.cells(), key);
            reattached++;
            reattachedResumed += count[Takeover.Action.RESUME.ordinal()];
            reattachedRestarted += count[Takeover.Action.RESTART.ordinal()];
            LOG.log(System.Logger.Level.INFO, "submission {0} re-attached by its submitter: {1} cells resume, {2} start "
                    + "over", a.submission(), count[Takeover.Action.RESUME.ordinal()], count[Takeover.Action.RESTART.ordinal()]);
            if (own.remaining == 0) {
                finish(own);
            }
            placePending();
            return;
        }
        if (problem == null && (submissions.containsKey(a.submission()) || takeovers.containsKey(a.submission())
                || attaching.keySet().stream().anyMatch(x -> x.submission().equals(a.submission())))) {
            problem = "it is already coordinated here";
        }
        if (problem == null && a.previous().equals(name)) {
            problem = "it names this member as the coordinator it lost, which no longer coordinates it";
        }
        if (problem != null) {
            a.client().tell(new Wire.Refused(a.submission(), "cannot take over submission " + a.submission() + ": "
                    + problem));
            return;
        }
        LOG.log(System.Logger.Level.INFO, "submission {0} re-attached (attempt {1}): taking it over once coordinator "
                + "{2} has left the cluster", a.submission(), a.attempt(), a.previous());
        attaching.put(a, System.nanoTime() + Takeover.REMOVAL_WAIT_NANOS);
        takeOver();
    }

    /**
     * Starts the takeovers whose lost coordinator is removed (asking every member what it holds),
     * refuses those that waited too long, and decides those whose answers are late.
     */
    private void takeOver() {
        long now = System.nanoTime();
        for (var it = attaching.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Takeover.Attach, Long> e = it.next();
            Takeover.Attach a = e.getKey();
            if (removed.contains(a.previous()) && allReported()) {
                it.remove();
                Set<String> asked = new java.util.TreeSet<>();
                members.values().stream().filter(v -> v.reachable && !v.untrusted).forEach(v -> asked.add(v.slot.member));
                Takeover t = new Takeover(a, asked, now);
                takeovers.put(a.submission(), t);
                for (String m : asked) {
                    members.get(m).ref.tell(new Wire.ReplicaQuery(a.submission(), name, a.previous(), self));
                }
                if (asked.isEmpty()) {
                    decide(t);
                }
            } else if (now - e.getValue() > 0) {
                it.remove();
                a.client().tell(new Wire.Refused(a.submission(), "cannot take over submission " + a.submission()
                        + ": coordinator " + a.previous() + " has not left the cluster in "
                        + Takeover.REMOVAL_WAIT_NANOS / 1_000_000_000L + " s (is it still running?)"));
            }
        }
        for (Takeover t : List.copyOf(takeovers.values())) {
            if (now - t.deadline > 0) {
                LOG.log(System.Logger.Level.WARNING, "submission {0}: members {1} did not say which replicas they "
                        + "hold; taking it over without them", t.attach.submission(), t.asked);
                decide(t);
            }
        }
        for (Submission s : List.copyOf(submissions.values())) {
            if (!s.fetching.isEmpty() && now - s.fetchDeadline > 0) {
                List.copyOf(s.fetching.keySet()).forEach(i -> restart(s, i));
            }
            if (s.frozen && now - s.frozenUntil > 0) {
                finish(s);
            }
        }
        placePending();
    }

    /** A member says which segments of a submission being taken over it holds. */
    void held(Wire.ReplicaHeld h) {
        Takeover t = takeovers.get(h.submission());
        if (t != null && t.held(h)) {
            decide(t);
        }
    }

    /**
     * Every member answered (or was waited for long enough): the submission is coordinated here
     * from now on. Per cell ({@link Takeover#decide}): an ended one stays ended, one to resume
     * waits for its replica's segment ({@link #fetched}), the others start over.
     */
    private void decide(Takeover t) {
        takeovers.remove(t.attach.submission());
        Takeover.Attach a = t.attach;
        Submission s = new Submission(a.submission(), a.jobs(), a.client(), t.epochBase());
        takenOver++;
        s.attached = a.cells();
        s.replicas.addAll(t.everyone);
        s.fetchDeadline = System.nanoTime() + Takeover.ANSWER_WAIT_NANOS;
        submissions.put(s.id, s);
        int[] count = new int[Takeover.Action.values().length];
        for (int i = 0; i < s.jobs.size(); i++) {
            Takeover.Action action = t.action(i);
            MemberView holder = action == Takeover.Action.RESUME ? members.get(t.bestMember.get(i)) : null;
            if (action == Takeover.Action.RESUME && holder == null) {
                action = Takeover.Action.RESTART;
            }
            count[action.ordinal()]++;
            switch (action) {
                case ENDED -> {
                    s.done[i] = true;
                    s.remaining--;
                }
                case RESUME -> {
                    s.fetching.put(i, holder.slot.member);
                    holder.ref.tell(new Wire.ReplicaFetch(s.id, i, self));
                }
                case RESTART -> {
                    Long held = t.bestSeq.get(i);
                    if (held != null) {
                        LOG.log(System.Logger.Level.INFO, "cell {0} starts over: the submitter holds the output of "
                                + "seqs below {1}{2}, a replica holds seq {3}", Worker.cellId(s.id, i),
                                a.cells().get(i).next(), a.cells().get(i).whole() ? "" : " (not all)", held);
                    }
                    restart(s, i);
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "took over submission {0} from coordinator {1}: {2} cells resume from "
                + "replicas, {3} start over, {4} had ended", s.id, a.previous(), count[Takeover.Action.RESUME.ordinal()],
                count[Takeover.Action.RESTART.ordinal()], count[Takeover.Action.ENDED.ordinal()]);
        if (s.remaining == 0) {
            finish(s);
        }
        placePending();
    }

    /** A taken-over cell starts over: the submitter drops the output it holds of it. */
    private void restart(Submission s, int index) {
        restartedCells++;
        s.fetching.remove(index);
        s.client.tell(new SubmitProtocol.Rewind(s.id, index, 0));
        s.pending.add(s.jobs.get(index));
    }

    /**
     * A replica's segment of a taken-over cell. It must verify under the cluster's key, be a
     * segment of this cell, and still pass the rule with its own {@code seq} (the member might
     * have answered with another than it listed); then it counts (the replica and this member
     * hold it), the submitter drops its output from that seq on and gets the segment's output,
     * and the cell ends (a final segment) or is placed to resume from it.
     */
    void fetched(Wire.ReplicaSegment g) {
        Submission s = submissions.get(g.submission());
        if (s == null || !g.member().equals(s.fetching.get(g.index()))) {
            return;
        }
        int index = g.index();
        s.fetching.remove(index);
        Segment seg = null;
        if (g.segment().length > 0) {
            try {
                seg = Segment.fromBytes(g.segment(), key, Segment.maxSize(Worker.config(s.jobs.get(index), null, null)));
                if (!seg.cellId().equals(Worker.cellId(s.id, index))) {
                    throw new DurableRunException(DurableRunException.Kind.MALFORMED, "a segment of cell "
                            + seg.cellId() + " sent as one of " + Worker.cellId(s.id, index));
                }
            } catch (DurableRunException e) {
                distrust(g.member(), "sent a replica of cell " + Worker.cellId(s.id, index) + " that does not verify ("
                        + e.kind() + ": " + e.getMessage() + ")");
                seg = null;
            }
        }
        if (seg == null || Takeover.decide(s.attached.get(index), seg.seq()) != Takeover.Action.RESUME) {
            restart(s, index);
            placePending();
            return;
        }
        resumedCells++;
        s.client.tell(new SubmitProtocol.Rewind(s.id, index, seg.seq()));
        s.logs[index].store(seg.seq(), g.segment());
        s.forward(index, seg);
        if (seg.ending().isPresent()) {
            Segment.Ending e = seg.ending().get();
            end(s, new Wire.CellDone(s.id, index, g.member(), e.outcome().name(), e.exitStatus(),
                    e.message() == null ? "" : e.message(), seg.fuelUsed(), new byte[0], new byte[0]));
        } else {
            s.pending.add(s.jobs.get(index));
        }
        placePending();
    }

    /** Places every waiting cell that has room somewhere now, submissions in arrival order. */
    private void placePending() {
        List<Placement.Slot> slots = members.values().stream().map(v -> v.slot).toList();
        for (Submission s : submissions.values()) {
            while (!s.pending.isEmpty()) {
                Wire.CellJob j = s.pending.peek();
                Placement.Slot slot = Placement.choose(slots, j.reserve(), j.weight());
                if (slot == null) {
                    break;
                }
                s.pending.poll();
                slot.place(j.reserve(), j.weight());
                s.placed.put(j.index(), slot.member);
                CellLog log = s.logs[j.index()];
                outbox.send(members.get(slot.member).ref, new Wire.Run(j, self, log.place(), log.last()));
            }
        }
    }

    /** The cluster as a table for {@code cella cluster status}. */
    List<String> status() {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-22s %-11s %5s %10s %10s %6s %9s %15s", "member", "state", "cores",
                "memory", "reserved", "cells", "finished", "fuel used"));
        for (MemberView v : members.values()) {
            Wire.Load l = v.load;
            String state = !v.reachable ? "unreachable" : v.untrusted ? "untrusted" : l == null ? "joining"
                    : l.draining() ? "draining" : "up";
            out.add(String.format(Locale.ROOT, "%-22s %-11s %5d %10s %10s %6d %9d %15d", v.slot.member, state,
                    l == null ? 0 : l.cores(), bytes(l == null ? 0 : l.memory()), bytes(l == null ? 0 : l.reserved()),
                    l == null ? 0 : l.cells(), l == null ? 0 : l.finished(), l == null ? 0 : l.fuel()));
        }
        int pending = submissions.values().stream().mapToInt(s -> s.pending.size()).sum();
        int running = submissions.values().stream().mapToInt(s -> s.placed.size()).sum();
        out.add(String.format(Locale.ROOT, "%d members; %d submissions coordinated here: %d cells placed, %d waiting",
                members.size(), submissions.size(), running, pending) + (takenOver == 0 ? "" : String.format(Locale.ROOT,
                "; %d taken over from lost coordinators: %d cells resumed from replicas, %d started over", takenOver,
                resumedCells, restartedCells)) + (reattached == 0 ? "" : String.format(Locale.ROOT,
                "; %d re-attached by their submitters: %d cells resumed, %d started over", reattached,
                reattachedResumed, reattachedRestarted)));
        return out;
    }

    /** Bytes for a person: B, KiB, MiB or GiB with one decimal. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
