package dev.cella.bench.corpus;

import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The corpus of real programs in {@code benchmarks/corpus}: its manifest {@code programs.txt}
 * (the format is described at the top of that file), the committed {@code .wasm} files and the
 * expected outputs. Shared by the whole-process bench ({@link CorpusBench}), the JMH benchmark
 * ({@link CorpusBenchmark}) and the tests.
 */
public final class Corpus {
    /** One line of the manifest: a program run with its arguments, timed and small. */
    public record Program(String name, Path dir, String wasm, String mount, List<String> benchArgs,
            List<String> testArgs) {

        /** The committed module. */
        public Path wasmPath() {
            return dir.resolve("wasm").resolve(wasm);
        }

        /** The module's bytes. */
        public byte[] wasmBytes() {
            return read(wasmPath());
        }

        /** The host directory mounted read-only in the guest, or null for none. */
        public Path mountHost() {
            return mount == null ? null : dir.resolve(mount.substring(0, mount.indexOf(':'))).toAbsolutePath();
        }

        /** The guest path of the mount, or null for none. */
        public String mountGuest() {
            return mount == null ? null : mount.substring(mount.indexOf(':') + 1);
        }

        /** The native build's executable in {@code nativeDir}: the wasm file's name without {@code .wasm}. */
        public Path nativeExecutable(Path nativeDir) {
            return nativeDir.resolve(wasm.substring(0, wasm.length() - ".wasm".length()));
        }

        /**
         * The arguments of a native run: guest paths under the mount become host paths, since
         * the native build sees the host's file system.
         */
        public List<String> nativeArgs(List<String> args) {
            if (mount == null) {
                return args;
            }
            String guest = mountGuest() + "/";
            return args.stream()
                    .map(a -> a.startsWith(guest) ? mountHost().resolve(a.substring(guest.length())).toString() : a)
                    .toList();
        }

        /** The expected standard output of the timed run ({@code small} false) or the small one. */
        public byte[] expected(boolean small) {
            return read(dir.resolve("expected").resolve(name + (small ? ".test.out" : ".out")));
        }

        /**
         * A sandbox configuration that runs the program as {@code cella run} would: argv[0] the
         * module's file name, the mount read-only, unlimited fuel, stdout to {@code out}.
         */
        public CellConfig config(List<String> args, EngineKind engine, OutputStream out, OutputStream err) {
            List<String> argv = new ArrayList<>();
            argv.add(wasm);
            argv.addAll(args);
            CellConfig.Builder b = CellConfig.builder().engine(engine).args(argv).stdout(out).stderr(err);
            if (mount != null) {
                b.mount(mountHost(), mountGuest(), true);
            }
            return b.build();
        }
    }

    private Corpus() {}

    /** Reads {@code dir/programs.txt}. */
    public static List<Program> load(Path dir) {
        List<Program> programs = new ArrayList<>();
        for (String line : new String(read(dir.resolve("programs.txt")), java.nio.charset.StandardCharsets.UTF_8)
                .split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\|");
            if (f.length != 5) {
                throw new IllegalArgumentException("programs.txt: expected 5 fields separated by '|': " + line);
            }
            String mount = f[2].strip();
            programs.add(new Program(f[0].strip(), dir, f[1].strip(), mount.equals("-") ? null : mount,
                    words(f[3]), words(f[4])));
        }
        return programs;
    }

    /** The corpus directory: system property {@code cella.corpus}, else {@code benchmarks/corpus}. */
    public static Path defaultDir() {
        return Path.of(System.getProperty("cella.corpus", "benchmarks/corpus"));
    }

    private static List<String> words(String field) {
        String s = field.strip();
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
