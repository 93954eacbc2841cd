package dev.cella.sandbox;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the test guests (Cella assembly under {@code src/test/resources/guests}) and runs them. */
public final class Guests {
    private Guests() {}

    /** Assembles and verifies guest {@code name}, appending runtime.casm if it says it uses it. */
    public static Module load(String name) {
        String src = resource(name);
        if (src.contains("; uses runtime.casm")) {
            src = src + "\n" + resource("runtime.casm");
        }
        return assemble(src, name);
    }

    public static Module assemble(String src, String name) {
        Module m = Assembler.assemble(src, name);
        Verifier.verify(m);
        return m;
    }

    private static String resource(String name) {
        try (InputStream in = Guests.class.getResourceAsStream("/guests/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test guest " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A run's result and what it printed. */
    public record Ran(RunResult result, String stdout, String stderr) {
        public Outcome outcome() {
            return result.outcome();
        }

        public int status() {
            return result.exitStatus();
        }

        public QuotaExceeded quota() {
            return (QuotaExceeded) result.error();
        }
    }

    /** Runs guest {@code name} with {@code config} (stdout and stderr captured) and arguments {@code args}. */
    public static Ran run(String name, CellConfig.Builder config, String... args) {
        return run(load(name), config, args);
    }

    public static Ran run(Module module, CellConfig.Builder config, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>();
        argv.add("guest");
        argv.addAll(List.of(args));
        CellConfig c = config.args(argv).stdout(out).stderr(err).build();
        try (Cell cell = Cell.create(module, c)) {
            RunResult r = cell.run();
            return new Ran(r, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
