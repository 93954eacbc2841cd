package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.vm.SuspendRequest;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Unmetered cells, on every engine: no fuel is accounted, but the deadline still stops a guest. */
class UnmeteredCellTest {
    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void anUnmeteredCellChargesNoFuelAndStillWorks(EngineKind engine) {
        CellConfig.Builder metered = CellConfig.builder().engine(engine);
        RunResult a = Guests.run("clock-random.casm", metered).result();
        RunResult b = Guests.run("clock-random.casm", CellConfig.builder().engine(engine).metered(false)).result();
        assertEquals(Outcome.EXITED, b.outcome(), String.valueOf(b.error()));
        assertEquals(a.exitStatus(), b.exitStatus());
        assertTrue(a.accounting().fuelUsed() > 0, "the metered run charged fuel");
        assertEquals(0, b.accounting().fuelUsed(), "the unmetered run charged none");
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void theDeadlineStopsAnUnmeteredEndlessLoop(EngineKind engine) {
        RunResult r = Guests.run("spin.casm", CellConfig.builder().engine(engine).metered(false)
                .timeout(Duration.ofMillis(200))).result();
        assertEquals(Outcome.QUOTA_EXCEEDED, r.outcome());
        assertEquals(Quota.TIME, ((QuotaExceeded) r.error()).quota());
    }

    @Test
    void anUnmeteredCellRefusesAFuelPointBeforeRunning() {
        try (Cell cell = Cell.create(Guests.load("spin.casm"), CellConfig.builder().metered(false).build())) {
            SandboxException e = assertThrows(SandboxException.class, () -> cell.run(SuspendRequest.atFuelUsed(1000)));
            assertTrue(e.getMessage().contains("unmetered"), e.getMessage());
            assertEquals(0, cell.instance().fuelUsed());
        }
    }

    @Test
    void cellsAreMeteredByDefault() {
        assertTrue(CellConfig.builder().build().metered());
        assertTrue(!CellConfig.builder().metered(false).build().toBuilder().build().metered());
    }
}
