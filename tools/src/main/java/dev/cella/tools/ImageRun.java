package dev.cella.tools;

import dev.cella.images.Image;
import dev.cella.images.ImageCache;
import dev.cella.images.ImageGrants;
import dev.cella.images.ImageReader;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.fs.RootTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code cella run IMAGE}: runs an image ({@code cella pack}) with its defaults under the
 * command line's options. The image is read and every digest checked first; its module comes
 * from the {@link ImageCache} (translated and verified once per digest); its files are the
 * cell's root tree, shared read-only with every cell of the image and copied per cell on write,
 * or copied once into a host directory with {@code --layer-dir}. What the image asks to be
 * granted must be granted by the options too ({@link ImageGrants}).
 */
final class ImageRun {
    private ImageRun() {}

    /** The options only image runs use (a picocli mixin of {@code cella run}). */
    static final class Options {
        @Option(names = "--layer-dir", paramLabel = "DIR",
                description = "Image runs: keep the guest's writable root in host directory DIR (filled with the image's "
                        + "files if empty or new, used as it is otherwise) instead of in memory; no other --mount then.")
        Path layerDir;
    }

    /** True if file {@code name} is a tar archive (an image), by the ustar magic at offset 257. */
    static boolean isImage(String name) {
        try (InputStream in = Files.newInputStream(Path.of(name))) {
            byte[] head = in.readNBytes(262);
            return head.length == 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (IOException | RuntimeException e) {
            return false; // not readable here: the module loader reports it
        }
    }

    /** Runs the image {@code run.program} as {@code run}'s options say; returns the exit code. */
    static int run(RunCommand run) {
        if (run.checkpointAt != null || run.checkpointFile != null) {
            throw new ParameterException(run.spec.commandLine(),
                    "--checkpoint-at is not supported for images yet (`cella up --checkpoint-dir` checkpoints image cells)");
        }
        Options o = run.imageOptions;
        Image image = ImageReader.read(Path.of(run.program), run.program);
        if (o.layerDir != null && !run.sandbox.mounts.isEmpty()) {
            throw new ParameterException(run.spec.commandLine(), "--layer-dir mounts DIR at /, so it cannot go with --mount");
        }
        if (o.layerDir != null) {
            fillLayer(o.layerDir, image.files());
        }
        CellConfig config = run.config(image.spec().args(), image.spec().env(), b -> {
            image.spec().quotas().applyTo(b);
            if (o.layerDir != null) {
                b.mount(o.layerDir, "/", false);
            } else {
                b.rootTree(image.files());
            }
        });
        // A service the image asks for is KIND:NAME; a grant may add :ro or :rw.
        Set<String> services = run.serviceOptions.grants.stream().map(g -> g.replaceFirst(":(ro|rw)$", ""))
                .collect(java.util.stream.Collectors.toSet());
        // A port the image listens on is granted by --listen or --publish to it; a host it connects to by --connect-allow.
        Set<Integer> forwarded = Stream.concat(run.net.listens.stream(), run.net.publishes.stream())
                .map(f -> f.guestPort()).collect(java.util.stream.Collectors.toSet());
        Set<String> connects = run.net.connectAllow.stream().map(h -> h.host() + ":" + h.port())
                .collect(java.util.stream.Collectors.toSet());
        ImageGrants granted = new ImageGrants(o.layerDir == null ? config.mounts() : java.util.List.of(),
                config.allowClock(), config.allowRandom(), forwarded, connects, Set.of(), services);
        granted.check(image.spec(), run.program);
        ImageCache cache = run.cacheOptions.images();
        try (ServiceOptions.Opened opened = run.serviceOptions.open();
                Cell cell = Cell.create(cache.cellImage(image, config.engine()), opened.addTo(config))) {
            try {
                return RunCommand.finish(run.console(), cell, RunCommand.runInterruptibly(cell, () -> cell.run(null)),
                        null, null, run.stats, run.program);
            } finally {
                opened.printStats(run.console(), run.stats);
            }
        }
    }

    /**
     * Copies the image's files into {@code dir} if it is new or empty; a directory with something
     * in it is a layer from an earlier run and is used as it is.
     *
     * @throws FileAccessException if {@code dir} is not a directory or cannot be written
     */
    private static void fillLayer(Path dir, RootTree files) {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw FileAccessException.output(dir.toString(), "--layer-dir: not a directory", null);
            }
            Files.createDirectories(dir);
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    return;
                }
            }
            files.visit(new RootTree.Visitor() {
                @Override
                public void dir(String path) {
                    io(() -> Files.createDirectories(dir.resolve(path.substring(1))));
                }

                @Override
                public void file(String path, byte[] data) {
                    io(() -> Files.write(dir.resolve(path.substring(1)), data));
                }

                @Override
                public void symlink(String path, String target) {
                    io(() -> Files.createSymbolicLink(dir.resolve(path.substring(1)), Path.of(target)));
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw FileAccessException.output(dir.toString(), "--layer-dir: cannot write the image's files: "
                    + e.getMessage(), e);
        }
    }

    private interface IoAction {
        Object run() throws IOException;
    }

    private static void io(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
