package dev.cella.jit;

import dev.cella.vm.interp.Interpreter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every program on which two engines ever diverged, kept as data ({@code
 * /jit-regressions/*.casm}, listed in {@code INDEX}), plus programs pinning subtle rules. Each
 * file's header gives how to run it: {@code ;; args: 1, 0x2} (raw bits of main's arguments),
 * {@code ;; fuel: N}, {@code ;; max-depth: N}, {@code ;; calls: N}. Each runs on the interpreter,
 * the JIT (one method per function and split into regions) and the tiered engine, which must
 * agree exactly (see {@link Differential}).
 */
class DifferentialRegressionTest {
    private static final String DIR = "/jit-regressions/";

    @TestFactory
    Stream<DynamicTest> everyRecordedDivergenceStaysFixed() {
        return names().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Differential.Program p = parse(read(name));
            Differential.assertAgree(p, Interpreter::new, JitEngine::new,
                    m -> new JitEngine(m, false, JitEngine.Options.splitEverything()), TieredEngine::new);
        }));
    }

    static List<String> names() {
        List<String> names = new ArrayList<>();
        for (String line : read("INDEX").split("\n")) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                names.add(s);
            }
        }
        return names;
    }

    static Differential.Program parse(String source) {
        long[] args = new long[0];
        long fuel = Long.MAX_VALUE;
        int depth = 10_000;
        int calls = 1;
        for (String line : source.split("\n")) {
            if (!line.startsWith(";; ") || line.indexOf(':') < 0) {
                continue;
            }
            String key = line.substring(3, line.indexOf(':')).strip();
            String value = line.substring(line.indexOf(':') + 1).strip();
            switch (key) {
                case "args" -> args = value.isEmpty() ? new long[0]
                        : Stream.of(value.split(",")).mapToLong(s -> Long.decode(s.strip())).toArray();
                case "fuel" -> fuel = Long.parseLong(value);
                case "max-depth" -> depth = Integer.parseInt(value);
                case "calls" -> calls = Integer.parseInt(value);
                default -> { }
            }
        }
        return new Differential.Program(source, args, fuel, depth, calls);
    }

    private static String read(String name) {
        try (InputStream in = DifferentialRegressionTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + DIR + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
