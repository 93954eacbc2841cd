package dev.cella.tools.wast;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Engines;
import dev.cella.vm.Engine;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs WebAssembly script files ({@code .wast}): each module is imported with {@link
 * dev.cella.wasm.WasmImporter} and run on a Cella engine, and each assertion is checked. The text
 * format is read by {@code wast2json} from WABT (Debian package {@code wabt}), which turns a
 * script into a JSON command list and one {@code .wasm} file per module; a JSON file it wrote can
 * also be run directly, without WABT.
 *
 * <p>Thread-safe: every run has its own state.
 */
public final class WastRunner {
    /** Where wast2json is looked for when it is not on the PATH. */
    private static final Path DEFAULT_WAST2JSON = Path.of("/usr/bin/wast2json");

    private final Function<Module, Engine> engines;
    /** The wast2json to run, or null to look for it on the PATH. */
    private final Path tool;

    /** A runner on the interpreter. */
    public WastRunner() {
        this(m -> Engines.create(m, EngineKind.INTERP));
    }

    /**
     * @param engines makes the engine that runs each translated module (for example the JIT's)
     */
    public WastRunner(Function<Module, Engine> engines) {
        this(engines, null);
    }

    /**
     * @param engines makes the engine that runs each translated module (for example the JIT's)
     * @param wast2json the wast2json executable to use, or null to look for it on the PATH and
     *     then at /usr/bin/wast2json
     */
    public WastRunner(Function<Module, Engine> engines, Path wast2json) {
        this.engines = Objects.requireNonNull(engines, "engines");
        this.tool = wast2json;
    }

    /**
     * Runs a script: a {@code .wast} file (converted with wast2json into a temporary directory,
     * deleted afterwards) or a {@code .json} file written by wast2json (its {@code .wasm} files
     * next to it).
     *
     * @return the passed, failed and skipped commands per kind
     * @throws WastException if wast2json is missing or rejects the script, or the JSON or a
     *     file it names cannot be read
     */
    public WastReport run(Path script) {
        if (script.getFileName().toString().endsWith(".json")) {
            return runJson(script);
        }
        Path wast2json = tool != null ? tool : findWast2json();
        if (!Files.isExecutable(wast2json)) {
            throw new WastException(wast2json + " is not an executable wast2json: running a .wast script needs WABT's"
                    + " wast2json (Debian/Ubuntu: apt-get install wabt)");
        }
        Path temp;
        try {
            temp = Files.createTempDirectory("cella-wast");
        } catch (IOException e) {
            throw new WastException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        try {
            Path json = temp.resolve("script.json");
            convert(wast2json, script, json);
            return runJson(json, script.toString());
        } finally {
            delete(temp);
        }
    }

    /**
     * Runs a JSON command file written by wast2json.
     *
     * @throws WastException if the JSON or a file it names cannot be read
     */
    public WastReport runJson(Path json) {
        return runJson(json, json.toString());
    }

    @SuppressWarnings("unchecked")
    private WastReport runJson(Path json, String source) {
        String text;
        try {
            text = Files.readString(json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new WastException("cannot read " + json + ": " + e.getMessage(), e);
        }
        Object parsed = Json.parse(text, json.toString());
        if (!(parsed instanceof Map<?, ?> root) || !(root.get("commands") instanceof List<?> commands)) {
            throw new WastException(json + ": not a wast2json command file (no \"commands\" list)");
        }
        WastReport report = new WastReport(source);
        Path dir = json.toAbsolutePath().getParent();
        WastSession session = new WastSession(engines, dir, report);
        for (Object c : commands) {
            if (!(c instanceof Map<?, ?>)) {
                throw new WastException(json + ": a command is not a JSON object");
            }
            session.run((Map<String, Object>) c);
        }
        return report;
    }

    /**
     * The wast2json executable: on the PATH, or at /usr/bin/wast2json.
     *
     * @throws WastException if it cannot be found
     */
    static Path findWast2json() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, "wast2json");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        if (Files.isExecutable(DEFAULT_WAST2JSON)) {
            return DEFAULT_WAST2JSON;
        }
        throw new WastException("wast2json was not found on the PATH: running a .wast script needs WABT's wast2json"
                + " (Debian/Ubuntu: apt-get install wabt); a .json file written by wast2json can be run without it");
    }

    private static void convert(Path tool, Path script, Path json) {
        ProcessBuilder pb = new ProcessBuilder(tool.toString(), script.toAbsolutePath().toString(), "-o",
                json.toString()).redirectErrorStream(true);
        try {
            Process p = pb.start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new WastException("wast2json did not finish converting " + script);
            }
            if (p.exitValue() != 0) {
                throw new WastException("wast2json rejected " + script + " (exit status " + p.exitValue() + "):\n"
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new WastException("cannot run " + tool + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WastException("interrupted while converting " + script, e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temporary file is harmless; the report is what matters.
        }
    }
}
