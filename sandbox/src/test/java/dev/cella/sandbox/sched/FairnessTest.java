package dev.cella.sandbox.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Jain's index and the share helpers the fairness tests and the batch summary rely on. */
class FairnessTest {
    @Test
    void equalAllocationsAreAsFairAsCanBe() {
        assertEquals(1.0, Fairness.jainIndex(new double[] {5, 5, 5, 5}), 1e-12);
    }

    @Test
    void oneCellTakingEverythingScoresOneOverN() {
        assertEquals(0.25, Fairness.jainIndex(new double[] {0, 0, 9, 0}), 1e-12);
    }

    @Test
    void aKnownUnevenAllocationScoresItsTextbookValue() {
        // (1 + 2 + 3)^2 / (3 * (1 + 4 + 9)) = 36 / 42
        assertEquals(36.0 / 42.0, Fairness.jainIndex(new double[] {1, 2, 3}), 1e-12);
    }

    @Test
    void nothingAllocatedCountsAsFair() {
        assertEquals(1.0, Fairness.jainIndex(new double[] {}));
        assertEquals(1.0, Fairness.jainIndex(new double[] {0, 0}));
    }

    @Test
    void negativeOrNonFiniteAllocationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Fairness.jainIndex(new double[] {1, -1}));
        assertThrows(IllegalArgumentException.class, () -> Fairness.jainIndex(new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Fairness.jainIndex(new double[] {Double.POSITIVE_INFINITY}));
    }

    @Test
    void normalizingByWeightMakesWeightedSharesEqual() {
        double[] n = Fairness.normalized(new long[] {100, 200, 400}, new double[] {1, 2, 4});
        assertArrayEquals(new double[] {100, 100, 100}, n, 1e-12);
        assertEquals(1.0, Fairness.jainIndex(n), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Fairness.normalized(new long[] {1}, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Fairness.normalized(new long[] {1}, new double[] {1, 2}));
    }

    @Test
    void sharesAddUpToOne() {
        assertArrayEquals(new double[] {0.25, 0.75}, Fairness.shares(new double[] {1, 3}), 1e-12);
        assertArrayEquals(new double[] {0, 0}, Fairness.shares(new double[] {0, 0}), 0);
    }

    @Test
    void theIndexLiesBetweenOneOverNAndOneAndIgnoresScale() {
        qt().withExamples(Integer.getInteger("cella.property.examples", 200))
                .forAll(lists().of(doubles().between(0, 1e12)).ofSizeBetween(1, 20), doubles().between(1e-3, 1e3))
                .checkAssert((List<Double> xs, Double scale) -> {
                    double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
                    double[] scaled = xs.stream().mapToDouble(v -> v * scale).toArray();
                    double j = Fairness.jainIndex(x);
                    assertTrue(j >= 1.0 / x.length - 1e-9 && j <= 1 + 1e-9, "index " + j + " of " + xs);
                    assertEquals(j, Fairness.jainIndex(scaled), 1e-9);
                });
    }
}
