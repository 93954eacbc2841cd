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
 * deleted ({@link Wire.ForgetReplicas}).
 *
 * <p>The work runs on one thread of its own (a 16 MiB segment takes tens of milliseconds to
 * verify and write; the member's actor does not wait for it), in arrival order, and the answer
 * ({@link Wire.Replicated}) is sent from there once the segment is on the disk.
 */
final class Replicas implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.cella.cluster");
    /** A segment never exceeds a message (Settings.MAX_FRAME); checked before decoding. */
    private static final long MAX_SEGMENT = 16L << 20;

    private final String member;
    private final Path dir;
    private final byte[] key;
    private final ExecutorService io;
    /** Without a directory: submission id, then cell index, to the segment's bytes. */
    private final Map<String, Map<Integer, byte[]>> memory = new HashMap<>();
    /** The coordinator that sent each submission's segments (host:port), since this member started. */
    private final Map<String, String> coordinators = new HashMap<>();
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
     * Deletes the segments sent by a coordinator that has been removed from the cluster: no
     * member takes its submissions over, so nobody will ask for them.
     */
    void forgetFrom(String coordinator) {
        List<String> subs;
        synchronized (coordinators) {
            subs = coordinators.entrySet().stream().filter(e -> e.getValue().equals(coordinator)).map(Map.Entry::getKey)
                    .toList();
        }
        subs.forEach(this::forget);
    }

    /** Deletes a finished submission's segments (after those being written). */
    void forget(String submission) {
        synchronized (coordinators) {
            coordinators.remove(submission);
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
