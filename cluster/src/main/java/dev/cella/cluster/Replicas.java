package dev.cella.cluster;

import dev.cella.sandbox.durable.DurableRunException;
import dev.cella.sandbox.durable.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;

/**
 * The segments a member holds as the replica of other coordinators' durable cells
 * (docs/cluster.md, "Replication"): per cell only the latest one it was sent, under {@code
 * DIR/replicas/} when the member has a data directory (so that a restarted member still has
 * them), in memory otherwise. A segment is verified with the cluster's segment key before it is
 * kept (a segment whose tag does not verify is refused and logged, never stored), written to a
 * temporary file, forced to the disk and renamed over the cell's previous one, so a cell's file
 * is always a whole segment and the superseded one is gone; a finished submission's segments are
 * deleted ({@link Wire.ForgetReplicas}). A removed coordinator's segments wait a while for a
 * member that takes its submission over ({@link #orphan}, {@link #held}, {@link #fetch}).
 *
 * <p>The work runs on one thread of its own (a 16 MiB segment takes tens of milliseconds to
 * verify and write; the member's actor does not wait for it), in arrival order, and the answer
 * ({@link Wire.Replicated}) is sent from there once the segment is on the disk.
 */
final class Replicas implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");
    /** A segment never exceeds a message (Settings.MAX_FRAME); checked before decoding. */
    private static final long MAX_SEGMENT = 16L << 20;
    /** How long a removed coordinator's segments are kept by default for a submitter to re-attach. */
    static final java.time.Duration ORPHAN_KEEP = java.time.Duration.ofMinutes(2);

    private final String member;
    private final Path dir;
    private final byte[] key;
    private final ExecutorService io;
    /** Without a directory: submission id, then cell index, to the segment's bytes. */
    private final Map<String, Map<Integer, byte[]>> memory = new HashMap<>();
    /** The coordinator that sent each submission's segments (host:port), since this member started. */
    private final Map<String, String> coordinators = new HashMap<>();
    /** Submissions whose coordinator was removed, to the time their segments are deleted (System.nanoTime). */
    private final Map<String, Long> orphans = new HashMap<>();
    /** How long a removed coordinator's segments wait for a takeover ({@link #orphan}). */
    private java.time.Duration orphanKeep = ORPHAN_KEEP;
    /** Answers held back while {@link #hold} is on (tests: a replica slow to acknowledge). */
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;

    /**
     * @param member this member's host:port, named in its answers
     * @param dataDir the member's data directory, or null to keep replicas in memory
     * @param key the cluster's segment key (HMAC-SHA256), or null when segments carry no tag
     */
    Replicas(String member, Path dataDir, byte[] key) {
        this.member = member;
        this.dir = dataDir == null ? null : dataDir.resolve("replicas");
        this.key = key == null ? null : key.clone();
        this.io = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("cella-replicas").unstarted(r));
    }

    /** Verifies and keeps {@code r}'s segment, then answers its coordinator (on the store's thread). */
    void replicate(Wire.Replicate r) {
        synchronized (coordinators) {
            coordinators.put(r.submission(), r.coordinator());
        }
        later(() -> {
            String error = "";
            try {
                put(r.submission(), r.index(), r.segment());
            } catch (DurableRunException e) {
                error = e.kind() + ": " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "refused the segment {0} of cell {1}/{2} from coordinator {3}: {4}",
                        r.seq(), r.submission(), r.index(), r.coordinator(), error);
            } catch (IOException | UncheckedIOException e) {
                error = "cannot write the replica: " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "cannot keep the segment {0} of cell {1}/{2}: {3}", r.seq(),
                        r.submission(), r.index(), e.getMessage());
            }
            Wire.Replicated answer = new Wire.Replicated(r.submission(), r.index(), r.epoch(), r.seq(), member,
                    error.isEmpty(), error);
            answer(() -> r.replyTo().tell(answer));
        });
    }

    /**
     * A coordinator has been removed from the cluster: the segments it sent are kept for {@link
     * #orphanKeep} in case its submitter re-attaches to another member, which then claims them
     * ({@link #held}); unclaimed, {@link #expire} deletes them, so that a lost coordinator holds no
     * member's disk for ever (docs/cluster.md, "Coordinator failover").
     */
    void orphan(String coordinator) {
        long until = System.nanoTime() + orphanKeep.toNanos();
        synchronized (coordinators) {
            coordinators.forEach((sub, c) -> {
                if (c.equals(coordinator)) {
                    orphans.putIfAbsent(sub, until);
                }
            });
        }
    }

    /** Deletes the orphaned segments whose time is up (called every second). */
    void expire() {
        long now = System.nanoTime();
        List<String> due = new ArrayList<>();
        synchronized (coordinators) {
            orphans.forEach((sub, until) -> {
                if (now - until > 0) {
                    due.add(sub);
                }
            });
        }
        for (String sub : due) {
            LOG.log(System.Logger.Level.INFO, "deleting the replicas of submission {0}: its coordinator left and no "
                    + "submitter re-attached it within {1} s", sub, orphanKeep.toSeconds());
            forget(sub);
        }
    }

    /** How long a removed coordinator's segments are kept for a takeover (tests shorten it). */
    void orphanKeep(java.time.Duration keep) {
        this.orphanKeep = keep;
    }

    /**
     * A new coordinator asks which segments of {@code q.submission()} this member holds (on the
     * store's thread, after the writes before it). Only segments the lost coordinator {@code
     * q.previous()} sent are named (a submission another coordinator sends here is not its to
     * take), and they are the new coordinator's from now on: no longer orphans, deleted when it
     * says so. Each is decoded (and so verified) for its seq; one that no longer decodes is left out.
     */
    void held(Wire.ReplicaQuery q) {
        String previous;
        synchronized (coordinators) {
            previous = coordinators.get(q.submission());
            if (previous == null || previous.equals(q.previous())) {
                coordinators.put(q.submission(), q.coordinator());
                orphans.remove(q.submission());
            }
        }
        if (previous != null && !previous.equals(q.previous())) {
            LOG.log(System.Logger.Level.WARNING, "{0} asked for the replicas of submission {1} from coordinator {2}, "
                    + "but they came from {3}: none given", q.coordinator(), q.submission(), q.previous(), previous);
            q.replyTo().tell(new Wire.ReplicaHeld(q.submission(), member, List.of(), List.of()));
            return;
        }
        later(() -> {
            List<Integer> indices = new ArrayList<>();
            List<Long> seqs = new ArrayList<>();
            try {
                for (int index : cells(q.submission())) {
                    byte[] b = get(q.submission(), index);
                    try {
                        if (b != null) {
                            long seq = Segment.fromBytes(b, key, MAX_SEGMENT).seq();
                            indices.add(index);
                            seqs.add(seq);
                        }
                    } catch (DurableRunException e) {
                        LOG.log(System.Logger.Level.WARNING, "the replica of cell {0}/{1} no longer verifies: {2}",
                                q.submission(), index, e.getMessage());
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot list the replicas of {0}: {1}", q.submission(),
                        e.getMessage());
            }
            q.replyTo().tell(new Wire.ReplicaHeld(q.submission(), member, List.copyOf(indices), List.copyOf(seqs)));
        });
    }

    /** A new coordinator asks for this member's segment of a cell (empty if it has none now). */
    void fetch(Wire.ReplicaFetch f) {
        later(() -> {
            byte[] b = null;
            try {
                b = get(f.submission(), f.index());
            } catch (IOException | UncheckedIOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read the replica of {0}/{1}: {2}", f.submission(),
                        f.index(), e.getMessage());
            }
            f.replyTo().tell(new Wire.ReplicaSegment(f.submission(), f.index(), member, b == null ? new byte[0] : b));
        });
    }

    /** The indices of the cells of {@code submission} held here. */
    private synchronized List<Integer> cells(String submission) throws IOException {
        if (dir == null) {
            return List.copyOf(memory.getOrDefault(submission, Map.of()).keySet());
        }
        Path sub = file(submission, 0).getParent();
        if (!Files.isDirectory(sub)) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(sub)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.matches("\\d{1,9}\\.seg")) {
                    out.add(Integer.parseInt(n.substring(0, n.length() - 4)));
                }
            }
        }
        return out;
    }

    /** Deletes a finished submission's segments (after those being written). */
    void forget(String submission) {
        synchronized (coordinators) {
            coordinators.remove(submission);
            orphans.remove(submission);
        }
        later(() -> {
            try {
                drop(submission);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete the replicas of {0}: {1}", submission,
                        e.getMessage());
            }
        });
    }

    /** Runs {@code work} on the store's thread; nothing once the member is closed (it is stopping). */
    private void later(Runnable work) {
        try {
            io.execute(work);
        } catch (RejectedExecutionException e) {
            // closed: the member's actor system is going away and answers nobody
        }
    }

    /**
     * Stores a cell's latest segment, replacing the one before.
     *
     * @throws DurableRunException UNAUTHENTICATED if its tag does not verify under the key (or it
     *     has a tag and there is no key, or none and there is one), MALFORMED if it is not a
     *     segment of cell {@code submission/index}
     */
    synchronized void put(String submission, int index, byte[] segment) throws IOException {
        Segment s = Segment.fromBytes(segment, key, MAX_SEGMENT);
        if (!s.cellId().equals(Worker.cellId(submission, index))) {
            throw new DurableRunException(DurableRunException.Kind.MALFORMED, "a segment of cell " + s.cellId()
                    + " sent as one of " + Worker.cellId(submission, index));
        }
        if (dir == null) {
            memory.computeIfAbsent(submission, x -> new HashMap<>()).put(index, segment.clone());
            return;
        }
        Path cell = file(submission, index);
        Files.createDirectories(cell.getParent());
        Path tmp = cell.resolveSibling(cell.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(segment);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true); // a segment counts once it is here: it must survive this host's crash too
        }
        try {
            Files.move(tmp, cell, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, cell, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The latest segment held for a cell (its wire form), or null if none. */
    synchronized byte[] get(String submission, int index) throws IOException {
        if (dir == null) {
            byte[] b = memory.getOrDefault(submission, Map.of()).get(index);
            return b == null ? null : b.clone();
        }
        try {
            return Files.readAllBytes(file(submission, index));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** How many cells' segments are held, all submissions together. */
    synchronized int size() throws IOException {
        if (dir == null) {
            return memory.values().stream().mapToInt(Map::size).sum();
        }
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return (int) files.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
        }
    }

    private synchronized void drop(String submission) throws IOException {
        if (dir == null) {
            memory.remove(submission);
            return;
        }
        Path sub = file(submission, 0).getParent();
        if (!Files.isDirectory(sub)) {
            return;
        }
        try (Stream<Path> files = Files.walk(sub)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A cell's file: the submission's directory is named by the SHA-256 of its id (the id comes
     * from a peer and must not name a path), the file by the cell's index.
     */
    private Path file(String submission, int index) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(submission.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 16)).resolve(index + ".seg");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Holds back (true) or sends, and from now on sends at once (false), the answers to coordinators. */
    void hold(boolean on) {
        List<Runnable> now;
        synchronized (held) {
            holding = on;
            if (on) {
                return;
            }
            now = new ArrayList<>(held);
            held.clear();
        }
        now.forEach(Runnable::run);
    }

    private void answer(Runnable send) {
        synchronized (held) {
            if (holding) {
                held.add(send);
                return;
            }
        }
        send.run();
    }

    @Override
    public void close() {
        io.shutdown();
    }
}
