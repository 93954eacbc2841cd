package dev.cella.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every benchmark's implementations agree: each runtime's answer on a small input equals plain
 * Java's, and plain Java's equals an independent reference where one exists. (The benchmarks
 * check the same on their full inputs at setup; this keeps it under test in every build.)
 */
class RunnerTest {
    /** Small inputs, so the interpreters finish quickly. */
    private static long smallInput(Workload w) {
        return switch (w) {
            case FIB -> 15;
            case SIEVE -> 10_000;
            case NBODY -> 100;
            case MATMUL -> 12;
            case CRC32 -> 5_000;
            case HOSTCALL -> 100;
            case INDIRECT -> 1_000;
        };
    }

    @TestFactory
    List<DynamicTest> everyRuntimeAgreesWithJavaOnEveryWorkload() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Workload w : Workload.values()) {
            for (Contender rt : Contender.values()) {
                tests.add(DynamicTest.dynamicTest(w + " on " + rt, () -> {
                    Runner r = Runner.create(w, rt);
                    long n = smallInput(w);
                    assertEquals(w.runJava(n), r.run(n), w + " on " + rt);
                }));
            }
        }
        return tests;
    }

    @Test
    void javaWorkloadsMatchIndependentReferences() {
        assertEquals(610, JavaWorkloads.fib(15));
        assertEquals(1229, JavaWorkloads.sieve(10_000));
        CRC32 crc = new CRC32();
        crc.update(JavaWorkloads.crcInput(5_000));
        assertEquals((int) crc.getValue(), JavaWorkloads.crc32(5_000));
        assertEquals(-0.169075164, JavaWorkloads.nbody(0), 1e-9, "the benchmarks game's initial energy");
        assertEquals(-0.169087605, JavaWorkloads.nbody(1000), 1e-9, "the benchmarks game's energy after 1000 steps");
    }

    @Test
    void reportComputesRatiosAndGeometricMeans() {
        assertEquals(2.0, Report.geomean(List.of(1.0, 4.0)), 1e-12);
        assertEquals(List.of("a", "b,c", "d\"e"), Report.split("a,\"b,c\",\"d\"\"e\""));
        assertThrows(IllegalArgumentException.class, () -> Workload.valueOf("NOPE"));
    }
}
