package dev.cella.tools.wast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The official WebAssembly spec test suite (src/test/spec-testsuite, see its README) on every
 * engine (all of it on each; 6 to 45 s for the three, by load): one dynamic test per script and engine, which fails on any failed command, then one
 * per engine that fails if any skip reason counts more skips than skip-baseline.txt records, so
 * skips can only go down. Text-format modules are the only skips meant to stay.
 */
class SpecTestsuiteTest {
    static final Path SUITE = Path.of("src/test/spec-testsuite");

    static List<String> scripts() throws IOException {
        try (Stream<Path> dirs = Files.list(SUITE)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The recorded maximum of skips per reason, the same for every engine: lines {@code reason<TAB>count}. */
    static Map<String, Integer> baseline() throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        for (String line : Files.readAllLines(SUITE.resolve("skip-baseline.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.split("\t");
                out.put(f[0], Integer.parseInt(f[1]));
            }
        }
        return out;
    }

    private static Stream<DynamicTest> suite(EngineKind engine) throws IOException {
        WastRunner runner = new WastRunner(m -> Engines.create(m, engine));
        List<WastReport> reports = new ArrayList<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : scripts()) {
            tests.add(DynamicTest.dynamicTest(name + ".wast on " + engine.text(), () -> {
                WastReport report = runner.runJson(SUITE.resolve(name).resolve(name + ".json"));
                reports.add(report);
                assertEquals(0, report.failed(), report::toText);
            }));
        }
        tests.add(DynamicTest.dynamicTest("no more skips than the baseline on " + engine.text(), () -> {
            int passed = 0;
            int failed = 0;
            Map<String, Integer> skips = new TreeMap<>();
            for (WastReport r : reports) {
                passed += r.passed();
                failed += r.failed();
                r.skipsByReason().forEach((reason, n) -> skips.merge(reason, n, Integer::sum));
            }
            System.out.println("spec testsuite on " + engine.text() + ": " + passed + " passed, " + failed
                    + " failed, skipped " + skips);
            Map<String, Integer> allowed = baseline();
            List<String> over = new ArrayList<>();
            skips.forEach((reason, n) -> {
                if (n > allowed.getOrDefault(reason, 0)) {
                    over.add(reason + ": " + n + " > " + allowed.getOrDefault(reason, 0));
                }
            });
            allowed.forEach((reason, n) -> {
                if (skips.getOrDefault(reason, 0) < n) {
                    System.out.println("  fewer skips than the baseline for \"" + reason + "\": "
                            + skips.getOrDefault(reason, 0) + " < " + n + " (lower skip-baseline.txt)");
                }
            });
            assertTrue(over.isEmpty(), () -> "more skips than skip-baseline.txt allows on " + engine.text() + ": "
                    + over);
        }));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> theSuiteOnTheInterpreter() throws IOException {
        return suite(EngineKind.INTERP);
    }

    @TestFactory
    Stream<DynamicTest> theSuiteOnTheJit() throws IOException {
        return suite(EngineKind.JIT);
    }

    @TestFactory
    Stream<DynamicTest> theSuiteOnTheTieredEngine() throws IOException {
        return suite(EngineKind.AUTO);
    }

    @Test
    void holdsEveryTopLevelScriptOfThePinnedCommit() throws IOException {
        // 146 top-level scripts and the 8 of proposals/exception-handling (eh.NAME).
        assertEquals(146, scripts().stream().filter(n -> !n.startsWith("eh.")).count());
        assertEquals(8, scripts().stream().filter(n -> n.startsWith("eh.")).count());
        for (String name : scripts()) {
            assertTrue(Files.isRegularFile(SUITE.resolve(name).resolve(name + ".json")), name);
        }
    }
}
