package dev.cella.images;

import dev.cella.isa.FormatException;
import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.wasm.WasmImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Images' modules, translated and verified once per module digest. In the process, a module
 * read again (the same image started twice, or 1,000 replicas of it) is neither translated nor
 * verified again, and {@link CellImage#of} then prepares its engine once. On disk (a directory,
 * by default {@link #defaultDir()}), the translation of a WebAssembly module is kept as a Cella
 * binary named by the Wasm layer's digest, so that a new process skips the translation; it still
 * reads and verifies that binary (a linear pass), since the file lies outside the image's digests.
 *
 * <p>Thread-safe.
 */
public final class ImageCache {
    private static final Map<Path, ImageCache> SHARED = new ConcurrentHashMap<>();

    private final Path dir;
    private final Map<String, Module> modules = new ConcurrentHashMap<>();
    private final AtomicLong translations = new AtomicLong();
    private final AtomicLong verifications = new AtomicLong();

    /** A cache with its disk part in {@code dir} (created when first written), or none if null. */
    public ImageCache(Path dir) {
        this.dir = dir;
    }

    /** The process's one cache for disk directory {@code dir}. */
    public static ImageCache shared(Path dir) {
        return SHARED.computeIfAbsent(dir.toAbsolutePath().normalize(), ImageCache::new);
    }

    /**
     * The default disk cache: {@code $XDG_CACHE_HOME/cella}, else {@code ~/.cache/cella}.
     */
    public static Path defaultDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "cella");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "cella");
    }

    /**
     * The verified module of {@code image}: from this process's cache, else from the disk cache,
     * else translated (WebAssembly) or read (Cella binary) from the image's module layer.
     *
     * @throws dev.cella.isa.FormatException if the module layer is not a well-formed module
     * @throws dev.cella.isa.verify.VerifyException if the module does not verify
     * @throws dev.cella.wasm.WasmException if WebAssembly cannot be translated
     */
    public Module module(Image image) {
        Module m = modules.get(image.moduleDigest());
        if (m != null) {
            return m;
        }
        m = load(image);
        Module raced = modules.putIfAbsent(image.moduleDigest(), m);
        return raced != null ? raced : m;
    }

    /** A prepared image of {@code image}'s module for engine {@code kind}, shared by every cell of it. */
    public CellImage cellImage(Image image, EngineKind kind) {
        return CellImage.of(module(image), kind);
    }

    /** How many modules this cache translated from WebAssembly (for tests and statistics). */
    public long translations() {
        return translations.get();
    }

    /** How many modules this cache verified. */
    public long verifications() {
        return verifications.get();
    }

    private Module load(Image image) {
        Module m;
        if (!image.wasm()) {
            m = ModuleReader.read(image.module());
        } else {
            m = readCached(image.moduleDigest());
            if (m == null) {
                translations.incrementAndGet();
                m = WasmImporter.translate(image.module());
                verifications.incrementAndGet();
                Verifier.verify(m);
                writeCached(image.moduleDigest(), m);
                return m;
            }
        }
        verifications.incrementAndGet();
        Verifier.verify(m);
        return m;
    }

    private Path cachedFile(String digest) {
        return dir == null ? null : dir.resolve("modules").resolve(digest.substring(Digest.PREFIX.length()) + ".cel");
    }

    /** The cached translation of Wasm layer {@code digest}, or null if there is none or it is unreadable. */
    private Module readCached(String digest) {
        Path f = cachedFile(digest);
        if (f == null || !Files.isRegularFile(f)) {
            return null;
        }
        try {
            return ModuleReader.read(Files.readAllBytes(f));
        } catch (IOException | FormatException e) {
            return null; // a damaged cache entry is a miss; the translation replaces it
        }
    }

    /** Keeps the translation; a cache that cannot be written only costs the next process time. */
    private void writeCached(String digest, Module m) {
        Path f = cachedFile(digest);
        if (f == null) {
            return;
        }
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), "module", ".tmp");
            Files.write(tmp, ModuleWriter.write(m));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // Not fatal: see above.
        }
    }
}
