package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cella.sandbox.fs.RootTree;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire encoding of the messages without actor references: round trips, and damaged frames refused. */
class WireSerializerTest {
    private final WireSerializer codec = new WireSerializer(null); // no reference is resolved here

    private Object roundTrip(Object o) {
        return codec.fromBinary(codec.toBinary(o), codec.manifest(o));
    }

    @Test
    void messagesSurviveTheRoundTrip() {
        Wire.CellJob j = new Wire.CellJob("s", 7, "g7", new byte[] {1, 2, 3}, List.of("fib.casm", "25", "é"), 3, 1000,
                1 << 20, 500, "jit", new byte[] {9}, true, false, 5000);
        Wire.CellJob j2 = (Wire.CellJob) roundTrip(j);
        assertEquals(List.of(j.submission(), j.index(), j.name(), j.args(), j.weight(), j.fuel(), j.memory(),
                j.timeoutMillis(), j.engine(), j.keepStdout(), j.keepStderr(), j.segmentFuel()), List.of(j2.submission(),
                j2.index(), j2.name(), j2.args(), j2.weight(), j2.fuel(), j2.memory(), j2.timeoutMillis(), j2.engine(),
                j2.keepStdout(), j2.keepStderr(), j2.segmentFuel()));
        assertArrayEquals(j.module(), j2.module());
        assertArrayEquals(j.stdin(), j2.stdin());
        Wire.CellJob noStdin = (Wire.CellJob) roundTrip(new Wire.CellJob("s", 0, "n", new byte[0], List.of(), 1, -1,
                -1, 0, "interp", null, false, false, 0));
        assertNull(noStdin.stdin());

        // An app's cell: environment, image files and the other grants and quotas come back as sent.
        RootTree tree = RootTree.builder().file("/share/a.txt", "words\n".getBytes(StandardCharsets.UTF_8))
                .symlink("/share/b", "a.txt").dir("/empty").build();
        Wire.AppCell app = new Wire.AppCell(Map.of("CELLA_REPLICA", "2", "X", "é"), AppCells.encodeTree(tree), true,
                false, 77, 1 << 20, 9, -1, 5);
        Wire.AppCell app2 = ((Wire.CellJob) roundTrip(new Wire.CellJob("s", 0, "w-2", new byte[] {1}, List.of("w"), 1,
                -1, -1, 0, "interp", null, true, true, 0, app))).app();
        assertEquals(List.of(app.env(), app.clock(), app.random(), app.maxCallDepth(), app.maxOutput(),
                app.maxOpenFiles(), app.diskQuota(), app.maxFiles()), List.of(app2.env(), app2.clock(), app2.random(),
                app2.maxCallDepth(), app2.maxOutput(), app2.maxOpenFiles(), app2.diskQuota(), app2.maxFiles()));
        List<String> nodes = new ArrayList<>();
        AppCells.tree(app2.tree()).visit(new RootTree.Visitor() {
            @Override
            public void dir(String path) {
                nodes.add("d " + path);
            }

            @Override
            public void file(String path, byte[] data) {
                nodes.add("f " + path + " " + new String(data, StandardCharsets.UTF_8).strip());
            }

            @Override
            public void symlink(String path, String target) {
                nodes.add("l " + path + " " + target);
            }
        });
        assertEquals(List.of("d /share", "f /share/a.txt words", "l /share/b a.txt", "d /empty"), nodes);
        assertThrows(IllegalArgumentException.class, () -> AppCells.tree(Arrays.copyOf(app.tree(), 9)));

        Wire.SegmentAck a = new Wire.SegmentAck("s", 2, 3, 4, true);
        assertEquals(a, roundTrip(a));
        Wire.SegmentAck refused = new Wire.SegmentAck("s", 2, 3, -1, false, "the cell was placed anew (epoch 4)");
        assertEquals(refused, roundTrip(refused));
        // A takeover's messages (the ref-free ones: an actor reference needs the actor system).
        Wire.ReplicaHeld held = new Wire.ReplicaHeld("s", "127.0.0.1:2551", List.of(0, 5), List.of(3L, 11L));
        assertEquals(held, roundTrip(held));
        Wire.ReplicaSegment g = (Wire.ReplicaSegment) roundTrip(new Wire.ReplicaSegment("s", 5, "m:1", new byte[] {9, 8}));
        assertEquals(List.of("s", 5, "m:1"), List.of(g.submission(), g.index(), g.member()));
        assertArrayEquals(new byte[] {9, 8}, g.segment());
        Wire.CellOutput o = (Wire.CellOutput) roundTrip(new Wire.CellOutput("s", 2, 9, new byte[] {1}, new byte[] {2, 3}));
        assertEquals(List.of("s", 2, 9L), List.of(o.submission(), o.index(), o.seq()));
        assertArrayEquals(new byte[] {1}, o.stdout());
        assertArrayEquals(new byte[] {2, 3}, o.stderr());

        Wire.CellDone d = new Wire.CellDone("s", 3, "127.0.0.1:2551", "EXITED", 0, "", 42, "out\n".getBytes(),
                new byte[0]);
        Wire.CellDone d2 = (Wire.CellDone) roundTrip(d);
        assertEquals(List.of(d.submission(), d.index(), d.member(), d.outcome(), d.exitStatus(), d.error(),
                d.fuelUsed()), List.of(d2.submission(), d2.index(), d2.member(), d2.outcome(), d2.exitStatus(),
                d2.error(), d2.fuelUsed()));
        assertArrayEquals(d.stdout(), d2.stdout());

        Wire.Load l = new Wire.Load("m:1", 2, 1L << 30, 5, 6, 7, 8, 9, true);
        assertEquals(l, roundTrip(l));
        assertEquals(new Wire.Text(List.of("a", "b")), roundTrip(new Wire.Text(List.of("a", "b"))));
        assertEquals(new Wire.Refused("s", "why"), roundTrip(new Wire.Refused("s", "why")));
        Wire.Replicated r = new Wire.Replicated("s", 4, 2, 11, "m:2", false, "UNAUTHENTICATED: changed");
        assertEquals(r, roundTrip(r));
        assertEquals(new Wire.ForgetReplicas("s"), roundTrip(new Wire.ForgetReplicas("s")));
        Wire.MoveChunk c = (Wire.MoveChunk) roundTrip(new Wire.MoveChunk("s", 1, 2, 100, 64, new byte[] {7, 8}));
        assertEquals(List.of("s", 1, 2, 100, 64), List.of(c.submission(), c.index(), c.epoch(), c.total(), c.offset()));
        assertArrayEquals(new byte[] {7, 8}, c.bytes());
        Wire.MoveRound mr = new Wire.MoveRound("s", 1, 2, Wire.MoveRound.FINAL);
        assertEquals(mr, roundTrip(mr));
    }

    @Test
    void aBatchCarriesItsMessagesInOrderAndNoBatchInside() {
        Wire.SegmentAck a = new Wire.SegmentAck("s", 2, 3, 4, true);
        Wire.CellDone d = new Wire.CellDone("s", 3, "m:1", "EXITED", 0, "", 42, "out\n".getBytes(), new byte[0]);
        Wire.MoveRound mr = new Wire.MoveRound("s", 1, 2, Wire.MoveRound.DONE);
        Wire.Batch b = (Wire.Batch) roundTrip(new Wire.Batch(List.of(a, d, mr, a)));
        assertEquals(4, b.messages().size());
        assertEquals(a, b.messages().get(0));
        assertEquals(List.of("s", 3, "m:1", 42L), List.of(((Wire.CellDone) b.messages().get(1)).submission(),
                ((Wire.CellDone) b.messages().get(1)).index(), ((Wire.CellDone) b.messages().get(1)).member(),
                ((Wire.CellDone) b.messages().get(1)).fuelUsed()));
        assertArrayEquals(d.stdout(), ((Wire.CellDone) b.messages().get(1)).stdout());
        assertEquals(List.of(mr, a), b.messages().subList(2, 4));

        Wire.Batch inner = new Wire.Batch(List.of(a));
        assertThrows(IllegalArgumentException.class, () -> new Wire.Batch(List.of(a, inner)));
        // A frame that nests one anyway (as a peer could send it) is refused.
        byte[] innerBytes = codec.toBinary(inner);
        ByteBuffer nested = ByteBuffer.allocate(4 + 2 + 1 + 4 + innerBytes.length).putInt(1).putShort((short) 1)
                .put((byte) 'B').putInt(innerBytes.length).put(innerBytes);
        assertThrows(IllegalArgumentException.class, () -> codec.fromBinary(nested.array(), "B"));
        // A batch cut short is refused.
        byte[] whole = codec.toBinary(new Wire.Batch(List.of(a, d)));
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);
        assertThrows(IllegalArgumentException.class, () -> codec.fromBinary(cut, "B"));
    }

    @Test
    void damagedFramesAreRefusedWithoutAllocatingWhatTheyClaim() {
        Wire.CellDone d = new Wire.CellDone("s", 3, "m", "EXITED", 0, "", 42, new byte[100], new byte[0]);
        byte[] bytes = codec.toBinary(d);
        for (int cut : new int[] {0, 1, 5, bytes.length / 2, bytes.length - 1}) {
            byte[] part = Arrays.copyOf(bytes, cut);
            assertThrows(IllegalArgumentException.class, () -> codec.fromBinary(part, "D"), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> codec.fromBinary(longer, "D"));
        // A text message claiming two billion lines in a few bytes.
        byte[] huge = ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putInt(0).array();
        assertThrows(IllegalArgumentException.class, () -> codec.fromBinary(huge, "W"));
        assertThrows(IllegalArgumentException.class, () -> codec.fromBinary(new byte[0], "?"));
        // A replica list that claims more cells than its bytes hold.
        byte[] held = codec.toBinary(new Wire.ReplicaHeld("s", "m:1", List.of(1), List.of(2L)));
        held[held.length - 16] = 0x7f; // the count's high byte (the count, then 12 bytes per cell)
        assertThrows(IllegalArgumentException.class, () -> codec.fromBinary(held, "TH"));
    }
}
