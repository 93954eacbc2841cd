package dev.cella.tools;

import dev.cella.images.ImageCache;
import dev.cella.images.TranslationCache;
import dev.cella.sandbox.Engines;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --cache-dir} and {@code --no-cache}: where the translations of WebAssembly modules are
 * kept between processes ({@link TranslationCache}), and the classes the JIT generates for them
 * ({@link Engines#useClassCache}; written when the command ends, {@link Cella#run}), for {@code
 * cella run}, {@code batch} and {@code up}.
 */
final class CacheOptions {
    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where translations of WebAssembly modules (.wasm files and images) and the JIT's generated "
                    + "classes are kept between runs (default: $XDG_CACHE_HOME/cella or ~/.cache/cella).")
    Path cacheDir;

    @Option(names = "--no-cache", description = "Translate WebAssembly modules and generate the JIT's classes afresh, "
            + "and write nothing to the cache.")
    boolean noCache;

    /** The disk cache these options name ({@link TranslationCache#NONE} for --no-cache). */
    TranslationCache translations() {
        useClassCache();
        return noCache ? TranslationCache.NONE : new TranslationCache(dir());
    }

    /** The image cache for these options: the process's one for the directory, or a memory-only one. */
    ImageCache images() {
        useClassCache();
        return noCache ? new ImageCache(null) : ImageCache.shared(dir());
    }

    /** Sets the process's class cache for the JIT and auto engines prepared from now on. */
    private void useClassCache() {
        Engines.useClassCache(noCache ? null : dir());
    }

    private Path dir() {
        return cacheDir != null ? cacheDir : TranslationCache.defaultDir();
    }
}
