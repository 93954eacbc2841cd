package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private static final long MIB = 1 << 20;

    @Test
    void weightsFollowCores() {
        Placement.Slot a = new Placement.Slot("a:1", 1, 1024 * MIB);
        Placement.Slot b = new Placement.Slot("b:1", 2, 1024 * MIB);
        Placement.Slot c = new Placement.Slot("c:1", 1, 1024 * MIB);
        List<Placement.Slot> slots = List.of(a, b, c);
        Map<String, Integer> weight = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            int w = i % 4 == 0 ? 3 : 1;
            Placement.Slot s = Placement.choose(slots, 0, w);
            s.place(0, w);
            weight.merge(s.member, w, Integer::sum);
        }
        // 60 weight units over 4 cores: the 2-core member carries about half of them.
        assertEquals(60, weight.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(Math.abs(weight.get("b:1") - 30) <= 3, weight.toString());
        assertTrue(Math.abs(weight.get("a:1") - weight.get("c:1")) <= 3, weight.toString());
    }

    @Test
    void memoryQuotaPicksTheMemberWithRoom() {
        Placement.Slot small = new Placement.Slot("a:1", 4, 64 * MIB);
        Placement.Slot big = new Placement.Slot("b:1", 1, 256 * MIB);
        List<Placement.Slot> slots = List.of(small, big);
        assertEquals("a:1", Placement.choose(slots, 16 * MIB, 1).member, "more cores wins while memory fits");
        assertEquals("b:1", Placement.choose(slots, 128 * MIB, 1).member);
        big.place(200 * MIB, 1);
        assertNull(Placement.choose(slots, 128 * MIB, 1), "fits somewhere, but not now: it waits");
        assertTrue(Placement.fitsSomewhere(slots, 128 * MIB));
        assertFalse(Placement.fitsSomewhere(slots, 512 * MIB), "fits nowhere: refused");
    }

    @Test
    void drainingMembersTakeNothing() {
        Placement.Slot a = new Placement.Slot("a:1", 8, 64 * MIB);
        Placement.Slot b = new Placement.Slot("b:1", 1, 64 * MIB);
        a.accepting = false;
        assertEquals("b:1", Placement.choose(List.of(a, b), 0, 1).member);
        b.accepting = false;
        assertNull(Placement.choose(List.of(a, b), 0, 1));
        assertFalse(Placement.fitsSomewhere(List.of(a, b), 0));
    }
}
