package dev.cella.net;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.RunResult;
import dev.cella.wasm.WasmImporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** The example network guests (examples/net/*.wasm), loaded once, and a way to run them in cells on threads. */
final class Guests {
    private static final Map<String, Module> MODULES = new ConcurrentHashMap<>();

    private Guests() {}

    static Path examples() {
        return Path.of(System.getProperty("cella.examples", "../examples"));
    }

    static Module module(String name) {
        return MODULES.computeIfAbsent(name, n -> {
            try {
                return WasmImporter.translate(Files.readAllBytes(examples().resolve("net").resolve(n + ".wasm")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A finished run: its result and what it printed. */
    record Run(RunResult result, String stdout, String stderr) {
        int status() {
            return result.exitStatus();
        }
    }

    /** Runs example {@code name} with {@code args} in a cell on a new thread. */
    static CompletableFuture<Run> start(String name, NetAttachment net, String... args) {
        return start(name, net, b -> { }, args);
    }

    static CompletableFuture<Run> start(String name, NetAttachment net, java.util.function.Consumer<CellConfig.Builder> more,
            String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CellConfig.Builder b = CellConfig.builder().args(prepend(name, args)).stdout(out).stderr(err)
                .extension(net).timeout(java.time.Duration.ofSeconds(60));
        more.accept(b);
        Cell cell = Cell.create(module(name), b.build());
        CompletableFuture<Run> f = new CompletableFuture<>();
        Thread.ofPlatform().name("cell-" + name).start(() -> {
            try (cell) {
                RunResult r = cell.run();
                f.complete(new Run(r, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static List<String> prepend(String name, String[] args) {
        java.util.ArrayList<String> l = new java.util.ArrayList<>();
        l.add(name);
        l.addAll(List.of(args));
        return l;
    }
}
