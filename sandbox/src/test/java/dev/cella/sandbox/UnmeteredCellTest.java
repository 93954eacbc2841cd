package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Unmetered cells: no fuel is accounted, but the deadline still stops a guest. */
class UnmeteredCellTest {
    @Test
    void anUnmeteredJitCellChargesNoFuelAndStillWorks() {
        CellConfig.Builder metered = CellConfig.builder().engine(EngineKind.JIT);
        RunResult a = Guests.run("clock-random.casm", metered).result();
        RunResult b = Guests.run("clock-random.casm", CellConfig.builder().engine(EngineKind.JIT).metered(false))
                .result();
        assertEquals(Outcome.EXITED, b.outcome(), String.valueOf(b.error()));
        assertEquals(a.exitStatus(), b.exitStatus());
        assertTrue(a.accounting().fuelUsed() > 0, "the metered run charged fuel");
        assertEquals(0, b.accounting().fuelUsed(), "the unmetered run charged none");
    }

    @Test
    void theDeadlineStopsAnUnmeteredEndlessLoop() {
        RunResult r = Guests.run("spin.casm", CellConfig.builder().engine(EngineKind.JIT).metered(false)
                .timeout(Duration.ofMillis(200))).result();
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome());
        assertEquals(Quota.TIME, ((QuotaExceeded) r.error()).quota());
    }

    @Test
    void cellsAreMeteredByDefault() {
        assertTrue(CellConfig.builder().build().metered());
        assertTrue(!CellConfig.builder().metered(false).build().toBuilder().build().metered());
    }
}
