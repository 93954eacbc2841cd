package dev.cella.images;

import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Images' modules, translated and verified once per module digest. In the process, a module
 * read again (the same image started twice, or 1,000 replicas of it) is neither translated nor
 * verified again, and {@link CellImage#of} then prepares its engine once. On disk (a directory,
 * by default {@link #defaultDir()}), the translation of a WebAssembly module is kept by the
 * {@link TranslationCache} that {@code cella run} also uses, so that a new process skips the
 * translation; it still reads and verifies that binary (a linear pass), since the file lies
 * outside the image's digests.
 *
 * <p>Thread-safe.
 */
public final class ImageCache {
    private static final Map<Path, ImageCache> SHARED = new ConcurrentHashMap<>();

    private final TranslationCache disk;
    private final Map<String, Module> modules = new ConcurrentHashMap<>();
    private final AtomicLong translations = new AtomicLong();
    private final AtomicLong verifications = new AtomicLong();

    /** A cache with its disk part in {@code dir} (created when first written), or none if null. */
    public ImageCache(Path dir) {
        this.disk = new TranslationCache(dir);
    }

    /** The process's one cache for disk directory {@code dir}. */
    public static ImageCache shared(Path dir) {
        return SHARED.computeIfAbsent(dir.toAbsolutePath().normalize(), ImageCache::new);
    }

    /**
     * The default disk cache: {@code $XDG_CACHE_HOME/cella}, else {@code ~/.cache/cella}.
     */
    public static Path defaultDir() {
        return TranslationCache.defaultDir();
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
        if (image.wasm()) {
            // The layer digest is the SHA-256 of the Wasm bytes: the disk cache's key.
            TranslationCache.Translated t = disk.translate(image.moduleDigest().substring(Digest.PREFIX.length()),
                    image.module());
            if (!t.fromCache()) {
                translations.incrementAndGet();
            }
            verifications.incrementAndGet();
            return t.module();
        }
        Module m = ModuleReader.read(image.module());
        verifications.incrementAndGet();
        Verifier.verify(m);
        return m;
    }
}
