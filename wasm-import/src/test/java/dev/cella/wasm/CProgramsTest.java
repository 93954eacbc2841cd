package dev.cella.wasm;

import java.util.Comparator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.Stdin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the C programs of src/test/c (compiled to wasm32-wasi by its build.sh and committed) in
 * cells, on the interpreter, the JIT and the tiered engine, with the inputs mounted read-only at /in and a fresh directory at /out,
 * and compares standard output, standard error and exit status with the native build's
 * (expected/). The runs of cases.txt go in order: later ones read what earlier ones wrote.
 */
class CProgramsTest {
    private static final Path DIR = Path.of("src/test/c");
    private static final Map<String, Module> MODULES = new HashMap<>();

    private record Case(String name, String program, String stdin, List<String> args) {}

    private static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("cases.txt"))) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] f = trimmed.split("\\s+");
            out.add(new Case(f[0], f[1], f[2], Arrays.asList(f).subList(3, f.length)));
        }
        return out;
    }

    private static synchronized Module module(String program) throws IOException {
        Module m = MODULES.get(program);
        if (m == null) {
            m = WasmImporter.translate(Files.readAllBytes(DIR.resolve("build").resolve(program + ".wasm")));
            MODULES.put(program, m);
        }
        return m;
    }

    private static String expected(Case c, String suffix) throws IOException {
        return Files.readString(DIR.resolve("expected").resolve(c.name() + "." + suffix), StandardCharsets.UTF_8);
    }

    private static Path guestFile(String guestPath, Path out) {
        return guestPath.startsWith("/in/") ? DIR.resolve("inputs").resolve(guestPath.substring(4))
                : out.resolve(guestPath.substring(5));
    }

    private static void runAll(EngineKind engine) throws IOException {
        Path out = Files.createTempDirectory("cella-c-" + engine);
        try {
            for (Case c : cases()) {
                ByteArrayOutputStream stdout = new ByteArrayOutputStream();
                ByteArrayOutputStream stderr = new ByteArrayOutputStream();
                List<String> argv = new ArrayList<>();
                argv.add(c.program());
                argv.addAll(c.args());
                CellConfig config = CellConfig.builder()
                        .args(argv)
                        .stdin(c.stdin().equals("-") ? Stdin.empty() : Stdin.file(guestFile(c.stdin(), out)))
                        .stdout(stdout)
                        .stderr(stderr)
                        .mount(DIR.resolve("inputs"), "/in", true)
                        .mount(out, "/out", false)
                        .engine(engine)
                        .build();
                RunResult r;
                try (Cell cell = Cell.create(module(c.program()), config)) {
                    r = cell.run();
                }
                String where = c.name() + " on " + engine;
                assertEquals(Outcome.EXITED, r.outcome(), where + ": " + r.error());
                assertEquals(expected(c, "stdout"), stdout.toString(StandardCharsets.UTF_8), where + ": stdout");
                assertEquals(expected(c, "stderr"), stderr.toString(StandardCharsets.UTF_8), where + ": stderr");
                assertEquals(Integer.parseInt(expected(c, "status").strip()), r.exitStatus(), where + ": exit status");
            }
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyProgramMatchesItsNativeBuildOnEveryEngine() {
        return Stream.of(EngineKind.INTERP, EngineKind.JIT, EngineKind.AUTO).map(engine ->
                DynamicTest.dynamicTest("the C programs on " + engine, () -> runAll(engine)));
    }

    @Test
    void everyProgramIsRunByAtLeastOneCase() throws IOException {
        List<String> used = cases().stream().map(Case::program).distinct().sorted().toList();
        List<String> built;
        try (Stream<Path> files = Files.list(DIR.resolve("build"))) {
            built = files.map(p -> p.getFileName().toString().replace(".wasm", "")).sorted().toList();
        }
        assertEquals(built, used);
        assertTrue(built.size() >= 4, "four programs at least: " + built);
    }
}
