package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With the default configuration, clocks and random values are the same on every run. */
class DeterminismTest {
    private static final Module GUEST = Guests.load("clock-random.casm");

    private static List<String> lines(CellConfig.Builder c) {
        Guests.Ran r = Guests.run(GUEST, c);
        assertEquals(Outcome.EXITED, r.outcome(), r.stderr());
        return List.of(r.stdout().split("\n"));
    }

    @Test
    void aGuestPrintingClocksAndRandomValuesPrintsTheSameOnEveryRun() {
        List<String> first = lines(CellConfig.builder());
        assertEquals(6, first.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(first, lines(CellConfig.builder()));
        }
    }

    @Test
    void theVirtualClockAdvancesWithWorkAndSleep() {
        List<String> l = lines(CellConfig.builder());
        long mono1 = Long.parseLong(l.get(1));
        long mono2 = Long.parseLong(l.get(4));
        assertTrue(mono2 - mono1 > 1_000_000, mono1 + " -> " + mono2);
        assertTrue(mono2 - mono1 < 1_100_000, mono1 + " -> " + mono2);
        assertEquals(Long.parseLong(l.get(0)) - mono1, Long.parseLong(l.get(3)) - mono2);
        assertNotEquals(l.get(2), l.get(5));
    }

    @Test
    void anotherSeedGivesOtherRandomValuesAndTheSameClocks() {
        List<String> a = lines(CellConfig.builder());
        List<String> b = lines(CellConfig.builder().randomSeed(12345));
        assertEquals(a.get(0), b.get(0));
        assertEquals(a.get(1), b.get(1));
        assertNotEquals(a.get(2), b.get(2));
    }

    @Test
    void grantedHostClockAndEntropyAreNotTheVirtualOnes() {
        List<String> virtual = lines(CellConfig.builder());
        List<String> host = lines(CellConfig.builder().allowClock(true).allowRandom(true));
        assertTrue(Long.parseLong(host.get(0)) > 1_600_000_000L * 1_000_000_000L, host.get(0));
        assertNotEquals(virtual.get(2), host.get(2));
    }
}
