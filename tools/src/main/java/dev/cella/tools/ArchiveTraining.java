package dev.cella.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A short run of a small WebAssembly program ({@code training/training.c}) on the JIT and on
 * {@code auto}, made at the end of the run that writes a command's class-data archive, when
 * bin/cella sets {@link #PROPERTY} (docs/cli.md, "The launcher"). The JVM writes into that
 * archive the classes the process loaded; without this, an archive first written by, say, a run
 * of a Cella assembly program on the interpreter lacks the WebAssembly importer, the JIT and ASM
 * for good, and every later JIT run loads, verifies and links about 130 classes from the jar
 * (docs/performance.md, "What a first run is made of": 3-9% of a run's CPU). The training never
 * touches the caller's output or exit status and uses no cache directory.
 */
final class ArchiveTraining {
    /** The system property bin/cella sets on the run that writes a command's archive. */
    static final String PROPERTY = "cella.classArchive.training";

    /** The engines trained, each on its own run of the program. */
    static final List<String> ENGINES = List.of("jit", "auto");

    private static final String PROGRAM = "training/training.wasm";

    private ArchiveTraining() {}

    /** True if this process should train before it exits. */
    static boolean requested() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * Runs the program once per engine of {@link #ENGINES}, its output discarded, and returns
     * what each run printed on standard error ({@code --stats}) with its exit code first; an
     * empty list if the program cannot be written to a temporary file.
     */
    static List<String> train() {
        Path file;
        try (InputStream in = ArchiveTraining.class.getResourceAsStream(PROGRAM)) {
            if (in == null) {
                return List.of();
            }
            file = Files.createTempFile("cella-training", ".wasm");
            Files.write(file, in.readAllBytes());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        List<String> reports = new ArrayList<>();
        try {
            PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            for (String engine : ENGINES) {
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code = Cella.run(new String[] {"run", "--engine", engine, "--no-cache", "--stats", file.toString(), "4"},
                        InputStream.nullInputStream(), discard, new PrintStream(err, true, StandardCharsets.UTF_8));
                reports.add(code + "\n" + err.toString(StandardCharsets.UTF_8));
            }
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                file.toFile().deleteOnExit();
            }
        }
        return reports;
    }
}
