package dev.cella.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Encodes {@link Wire} messages for Pekko's remoting: fields in order with {@link
 * DataOutputStream}, a one-letter manifest per type. Decoding checks every length against the
 * bytes left, so a damaged or hostile frame fails with an exception (which Pekko logs and drops)
 * instead of allocating what it claims. Pekko builds it by reflection with its actor system.
 */
public final class WireSerializer extends SerializerWithStringManifest {
    /** Pekko's id for this serializer; ids below 40 are Pekko's own. */
    static final int ID = 0x43454c4c; // "CELL"

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;

    public WireSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public int identifier() {
        return ID;
    }

    @Override
    public String manifest(Object o) {
        return switch ((Wire) o) {
            case Wire.CellJob j -> "J";
            case Wire.Run r -> "R";
            case Wire.CellDone d -> "D";
            case Wire.Submit s -> "S";
            case Wire.Refused r -> "X";
            case Wire.LoadQuery q -> "Q";
            case Wire.Load l -> "L";
            case Wire.StatusQuery q -> "T";
            case Wire.Drain d -> "N";
            case Wire.Text t -> "W";
            case Wire.SegmentCommit c -> "C";
            case Wire.SegmentAck a -> "A";
            case Wire.CellOutput x -> "O";
            case Wire.Replicate r -> "RP";
            case Wire.Replicated r -> "RA";
            case Wire.ForgetReplicas f -> "RF";
            case Wire.MoveAsk m -> "MA";
            case Wire.MoveTo m -> "MT";
            case Wire.MoveStart m -> "MS";
            case Wire.MoveChunk m -> "MC";
            case Wire.MoveRound m -> "MR";
            case Wire.ReplicaQuery q -> "TQ";
            case Wire.ReplicaHeld h -> "TH";
            case Wire.ReplicaFetch f -> "TF";
            case Wire.ReplicaSegment g -> "TS";
            case Wire.Batch b -> "B";
        };
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint((Wire) o));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, (Wire) o);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array never fails to take bytes
        }
        return bytes.toByteArray();
    }

    /**
     * About the encoded size of a message with a large array (a segment, a chunk, a module),
     * so that it is written into one buffer without growing it: a 16 MiB segment would otherwise
     * be copied some twenty times over while the buffer doubles.
     */
    static int sizeHint(Wire w) {
        long big = switch (w) {
            case Wire.CellDone d -> (long) d.stdout().length + d.stderr().length;
            case Wire.Batch b -> b.messages().stream().mapToLong(WireSerializer::sizeHint).sum();
            case Wire.SegmentCommit c -> c.segment().length;
            case Wire.Replicate r -> r.segment().length;
            case Wire.Run r -> (long) r.resume().length + r.job().module().length;
            case Wire.MoveChunk c -> c.bytes().length;
            case Wire.ReplicaSegment g -> g.segment().length;
            case Wire.MoveStart m -> m.run().job().module().length;
            case Wire.CellJob j -> j.module().length;
            default -> 0;
        };
        return (int) Math.min(Integer.MAX_VALUE - 16, big + 1024);
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
        In in = new In(bytes);
        try {
            Wire w = switch (manifest) {
                case "J" -> job(in);
                case "R" -> new Wire.Run(job(in), ref(in), in.s.readInt(), in.blob());
                case "C" -> new Wire.SegmentCommit(in.utf(), in.s.readInt(), in.s.readInt(), in.utf(), in.blob(),
                        ref(in));
                case "A" -> new Wire.SegmentAck(in.utf(), in.s.readInt(), in.s.readInt(), in.s.readLong(),
                        in.s.readBoolean(), in.utf());
                case "O" -> new Wire.CellOutput(in.utf(), in.s.readInt(), in.s.readLong(), in.blob(), in.blob());
                case "D" -> new Wire.CellDone(in.utf(), in.s.readInt(), in.utf(), in.utf(), in.s.readInt(), in.utf(),
                        in.s.readLong(), in.blob(), in.blob());
                case "S" -> {
                    String id = in.utf();
                    int n = in.count(16);
                    List<Wire.CellJob> jobs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        jobs.add(job(in));
                    }
                    yield new Wire.Submit(id, List.copyOf(jobs), ref(in));
                }
                case "X" -> new Wire.Refused(in.utf(), in.utf());
                case "Q" -> new Wire.LoadQuery(ref(in));
                case "L" -> new Wire.Load(in.utf(), in.s.readInt(), in.s.readLong(), in.s.readLong(), in.s.readLong(),
                        in.s.readInt(), in.s.readLong(), in.s.readLong(), in.s.readBoolean());
                case "T" -> new Wire.StatusQuery(ref(in));
                case "N" -> new Wire.Drain(ref(in));
                case "W" -> new Wire.Text(in.strings());
                case "RP" -> new Wire.Replicate(in.utf(), in.s.readInt(), in.s.readInt(), in.s.readLong(), in.utf(),
                        in.blob(), ref(in));
                case "RA" -> new Wire.Replicated(in.utf(), in.s.readInt(), in.s.readInt(), in.s.readLong(), in.utf(),
                        in.s.readBoolean(), in.utf());
                case "RF" -> new Wire.ForgetReplicas(in.utf());
                case "MA" -> new Wire.MoveAsk(in.utf(), in.s.readInt(), in.s.readInt(), in.utf(), ref(in));
                case "MT" -> new Wire.MoveTo(in.utf(), in.s.readInt(), in.s.readInt(), in.s.readInt(), ref(in));
                case "MS" -> new Wire.MoveStart(new Wire.Run(job(in), ref(in), in.s.readInt(), in.blob()), ref(in));
                case "MC" -> new Wire.MoveChunk(in.utf(), in.s.readInt(), in.s.readInt(), in.s.readInt(), in.s.readInt(),
                        in.blob());
                case "MR" -> new Wire.MoveRound(in.utf(), in.s.readInt(), in.s.readInt(), in.s.readInt());
                case "TQ" -> new Wire.ReplicaQuery(in.utf(), in.utf(), in.utf(), ref(in));
                case "TH" -> held(in);
                case "TF" -> new Wire.ReplicaFetch(in.utf(), in.s.readInt(), ref(in));
                case "TS" -> new Wire.ReplicaSegment(in.utf(), in.s.readInt(), in.utf(), in.blob());
                case "B" -> batch(in);
                default -> throw new IllegalArgumentException("unknown cluster message type '" + manifest + "'");
            };
            if (in.s.available() != 0) {
                throw new IllegalArgumentException("cluster message " + manifest + " has " + in.s.available()
                        + " bytes after its end");
            }
            return w;
        } catch (IOException e) {
            throw new IllegalArgumentException("cluster message " + manifest + " is truncated", e);
        }
    }

    private void write(DataOutputStream out, Wire w) throws IOException {
        switch (w) {
            case Wire.CellJob j -> job(out, j);
            case Wire.Run r -> {
                job(out, r.job());
                ref(out, r.replyTo());
                out.writeInt(r.epoch());
                blob(out, r.resume());
            }
            case Wire.SegmentCommit c -> {
                out.writeUTF(c.submission());
                out.writeInt(c.index());
                out.writeInt(c.epoch());
                out.writeUTF(c.member());
                blob(out, c.segment());
                ref(out, c.replyTo());
            }
            case Wire.SegmentAck a -> {
                out.writeUTF(a.submission());
                out.writeInt(a.index());
                out.writeInt(a.epoch());
                out.writeLong(a.seq());
                out.writeBoolean(a.ok());
                out.writeUTF(a.why());
            }
            case Wire.CellOutput o -> {
                out.writeUTF(o.submission());
                out.writeInt(o.index());
                out.writeLong(o.seq());
                blob(out, o.stdout());
                blob(out, o.stderr());
            }
            case Wire.CellDone d -> {
                out.writeUTF(d.submission());
                out.writeInt(d.index());
                out.writeUTF(d.member());
                out.writeUTF(d.outcome());
                out.writeInt(d.exitStatus());
                out.writeUTF(clip(d.error()));
                out.writeLong(d.fuelUsed());
                blob(out, d.stdout());
                blob(out, d.stderr());
            }
            case Wire.Submit s -> {
                out.writeUTF(s.submission());
                out.writeInt(s.jobs().size());
                for (Wire.CellJob j : s.jobs()) {
                    job(out, j);
                }
                ref(out, s.client());
            }
            case Wire.Refused r -> {
                out.writeUTF(r.submission());
                out.writeUTF(clip(r.reason()));
            }
            case Wire.LoadQuery q -> ref(out, q.replyTo());
            case Wire.Load l -> {
                out.writeUTF(l.member());
                out.writeInt(l.cores());
                out.writeLong(l.memory());
                out.writeLong(l.reserved());
                out.writeLong(l.weights());
                out.writeInt(l.cells());
                out.writeLong(l.finished());
                out.writeLong(l.fuel());
                out.writeBoolean(l.draining());
            }
            case Wire.StatusQuery q -> ref(out, q.replyTo());
            case Wire.Drain d -> ref(out, d.replyTo());
            case Wire.Text t -> strings(out, t.lines());
            case Wire.Replicate r -> {
                out.writeUTF(r.submission());
                out.writeInt(r.index());
                out.writeInt(r.epoch());
                out.writeLong(r.seq());
                out.writeUTF(r.coordinator());
                blob(out, r.segment());
                ref(out, r.replyTo());
            }
            case Wire.Replicated r -> {
                out.writeUTF(r.submission());
                out.writeInt(r.index());
                out.writeInt(r.epoch());
                out.writeLong(r.seq());
                out.writeUTF(r.member());
                out.writeBoolean(r.ok());
                out.writeUTF(clip(r.error()));
            }
            case Wire.ForgetReplicas f -> out.writeUTF(f.submission());
            case Wire.MoveAsk m -> {
                cell(out, m.submission(), m.index(), m.epoch());
                out.writeUTF(m.member());
                ref(out, m.replyTo());
            }
            case Wire.MoveTo m -> {
                cell(out, m.submission(), m.index(), m.epoch());
                out.writeInt(m.newEpoch());
                ref(out, m.dest());
            }
            case Wire.MoveStart m -> {
                write(out, m.run());
                ref(out, m.source());
            }
            case Wire.MoveChunk m -> {
                cell(out, m.submission(), m.index(), m.epoch());
                out.writeInt(m.total());
                out.writeInt(m.offset());
                blob(out, m.bytes());
            }
            case Wire.MoveRound m -> {
                cell(out, m.submission(), m.index(), m.epoch());
                out.writeInt(m.step());
            }
            case Wire.ReplicaQuery q -> {
                out.writeUTF(q.submission());
                out.writeUTF(q.coordinator());
                out.writeUTF(q.previous());
                ref(out, q.replyTo());
            }
            case Wire.ReplicaHeld h -> {
                out.writeUTF(h.submission());
                out.writeUTF(h.member());
                out.writeInt(h.indices().size());
                for (int i = 0; i < h.indices().size(); i++) {
                    out.writeInt(h.indices().get(i));
                    out.writeLong(h.seqs().get(i));
                }
            }
            case Wire.ReplicaFetch f -> {
                out.writeUTF(f.submission());
                out.writeInt(f.index());
                ref(out, f.replyTo());
            }
            case Wire.ReplicaSegment g -> {
                out.writeUTF(g.submission());
                out.writeInt(g.index());
                out.writeUTF(g.member());
                blob(out, g.segment());
            }
            case Wire.Batch b -> {
                out.writeInt(b.messages().size());
                for (Wire m : b.messages()) {
                    out.writeUTF(manifest(m));
                    blob(out, toBinary(m));
                }
            }
        }
    }

    /** A batch's messages, each decoded (and checked) as if it had come alone; none a batch. */
    private Wire.Batch batch(In in) throws IOException {
        int n = in.count(2 + 1 + 4); // a manifest of one letter or more, and a length
        List<Wire> messages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String manifest = in.utf();
            if (manifest.equals("B")) {
                throw new IllegalArgumentException("a batch inside a batch");
            }
            messages.add((Wire) fromBinary(in.blob(), manifest));
        }
        return new Wire.Batch(messages);
    }

    /** A cell's run: its submission, index and the epoch of the placement. */
    private static void cell(DataOutputStream out, String submission, int index, int epoch) throws IOException {
        out.writeUTF(submission);
        out.writeInt(index);
        out.writeInt(epoch);
    }

    private static void job(DataOutputStream out, Wire.CellJob j) throws IOException {
        out.writeUTF(j.submission());
        out.writeInt(j.index());
        out.writeUTF(j.name());
        blob(out, j.module());
        strings(out, j.args());
        out.writeInt(j.weight());
        out.writeLong(j.fuel());
        out.writeLong(j.memory());
        out.writeLong(j.timeoutMillis());
        out.writeUTF(j.engine());
        out.writeBoolean(j.stdin() != null);
        if (j.stdin() != null) {
            blob(out, j.stdin());
        }
        out.writeBoolean(j.keepStdout());
        out.writeBoolean(j.keepStderr());
        out.writeLong(j.segmentFuel());
        out.writeBoolean(j.app() != null);
        if (j.app() != null) {
            AppCells.write(out, j.app());
        }
    }

    private static Wire.CellJob job(In in) throws IOException {
        Wire.CellJob j = new Wire.CellJob(in.utf(), in.s.readInt(), in.utf(), in.blob(), in.strings(), in.s.readInt(),
                in.s.readLong(), in.s.readLong(), in.s.readLong(), in.utf(), in.s.readBoolean() ? in.blob() : null,
                in.s.readBoolean(), in.s.readBoolean(), in.s.readLong());
        if (!in.s.readBoolean()) {
            return j;
        }
        List<String> env = in.strings(); // name, value, name, value...
        if (env.size() % 2 != 0) {
            throw new IOException("an app cell's environment of " + env.size() + " strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < env.size(); i += 2) {
            map.put(env.get(i), env.get(i + 1));
        }
        Wire.AppCell app = new Wire.AppCell(map, in.blob(), in.s.readBoolean(), in.s.readBoolean(), in.s.readInt(),
                in.s.readLong(), in.s.readInt(), in.s.readLong(), in.s.readInt());
        return new Wire.CellJob(j.submission(), j.index(), j.name(), j.module(), j.args(), j.weight(), j.fuel(),
                j.memory(), j.timeoutMillis(), j.engine(), j.stdin(), j.keepStdout(), j.keepStderr(), j.segmentFuel(), app);
    }

    private void ref(DataOutputStream out, ActorRef<Msg> ref) throws IOException {
        out.writeUTF(resolver().toSerializationFormat(ref));
    }

    private ActorRef<Msg> ref(In in) throws IOException {
        return resolver().resolveActorRef(in.utf());
    }

    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) {
            r = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = r;
        }
        return r;
    }

    private static Wire.ReplicaHeld held(In in) throws IOException {
        String submission = in.utf();
        String member = in.utf();
        int n = in.count(12);
        List<Integer> indices = new ArrayList<>(n);
        List<Long> seqs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            indices.add(in.s.readInt());
            seqs.add(in.s.readLong());
        }
        return new Wire.ReplicaHeld(submission, member, List.copyOf(indices), List.copyOf(seqs));
    }

    static void blob(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    static void strings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            blob(out, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** writeUTF takes at most 65535 bytes: a longer message is cut (messages are for people). */
    private static String clip(String s) {
        return s.length() > 16_000 ? s.substring(0, 16_000) + "..." : s;
    }

    /** The input with bounds-checked lengths. */
    private static final class In {
        final DataInputStream s;

        In(byte[] bytes) {
            s = new DataInputStream(new ByteArrayInputStream(bytes));
        }

        String utf() throws IOException {
            return s.readUTF();
        }

        /** A count of items each at least {@code minBytes} long, checked against the bytes left. */
        int count(int minBytes) throws IOException {
            int n = s.readInt();
            if (n < 0 || (long) n * minBytes > s.available()) {
                throw new IOException("a count of " + n + " items with " + s.available() + " bytes left");
            }
            return n;
        }

        byte[] blob() throws IOException {
            return s.readNBytes(count(1));
        }

        List<String> strings() throws IOException {
            int n = count(4);
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new String(blob(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return List.copyOf(out);
        }
    }
}
