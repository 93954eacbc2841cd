package dev.cella.tools;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Runs the {@code cella} command in-process with captured streams, as the tests' one entry point. */
final class CliRunner {
    private CliRunner() {}

    /** What one command run produced. */
    record Result(int code, String out, String err, byte[] outBytes) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    /**
     * A class path for a child JVM that runs {@code cella}. On the module path (as Surefire runs
     * these tests) the modules are in jdk.module.path; the child runs them all on the class path,
     * as bin/cella runs the shaded jar.
     */
    static String childClassPath() {
        return Stream.of("jdk.module.path", "java.class.path").map(p -> System.getProperty(p, ""))
                .filter(p -> !p.isEmpty()).collect(Collectors.joining(File.pathSeparator));
    }

    /** Runs {@code cella args...} with empty standard input. */
    static Result cella(String... args) {
        return cellaWithInput(new byte[0], args);
    }

    /** Runs {@code cella args...} with {@code stdin} as standard input. */
    static Result cellaWithInput(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cella.run(args, new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                out.toByteArray());
    }

    /** The path of {@code examples/NAME}, from the system property the build sets. */
    static String example(String name) {
        Path dir = Path.of(System.getProperty("cella.examples", "../examples"));
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("example not found: " + file.toAbsolutePath());
        }
        return file.toString();
    }
}
