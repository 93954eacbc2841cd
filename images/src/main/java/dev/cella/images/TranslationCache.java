package dev.cella.images;

import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Engines;
import dev.cella.wasm.WasmImporter;
import dev.cella.vm.CodeFingerprint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The on-disk cache of WebAssembly modules translated to Cella modules, shared by {@code cella
 * run}, {@code cella batch} and images ({@link ImageCache}): a new process reads the translation
 * instead of decoding and translating the Wasm again (docs/cli.md "Translation cache").
 *
 * <p>A translation is the file {@code DIR/modules/HEX-VERSION.translation}: HEX is the SHA-256 of
 * the Wasm bytes, VERSION a fingerprint of the translator's code ({@link #translatorVersion()}),
 * so that a different Cella build never reads another's translation. The file holds a CRC-32C of
 * its name and content ({@link #SUM}), then the Cella binary ({@link ModuleWriter}). It is never trusted: a file
 * whose checksum does not match (damaged, cut short, copied from another key) is a miss,
 * translated again and rewritten, and one that matches is still read and verified like any module
 * from the user. (The checksum is not a secret: someone who can write the cache directory can
 * make a module that verifies and computes something else, as they could by replacing the .wasm
 * itself; the verifier still keeps it inside the sandbox.) Writes go to a temporary file renamed
 * into place, so concurrent processes see a whole file or none. A cache that cannot be read or
 * written only costs time: it never fails the run.
 *
 * <p>Thread-safe (it holds no state but its directory).
 */
public final class TranslationCache {
    /** A disk cache that keeps nothing ({@code --no-cache}). */
    public static final TranslationCache NONE = new TranslationCache(null);

    /**
     * The length of the checksum at the head of a cache file: a CRC-32C of its name and content,
     * which catches damage as well as a SHA-256 would and costs nothing, where bin/cella's JVM (C1
     * only, without HotSpot's SHA-256 intrinsic) took tens of milliseconds per megabyte for a
     * SHA-256. What must resist collisions is the key, the .wasm's SHA-256.
     */
    private static final int SUM = 4;

    private final Path dir;

    /** A cache in {@code dir} (created when first written), or none if {@code dir} is null. */
    public TranslationCache(Path dir) {
        this.dir = dir;
    }

    /** The default directory: {@code $XDG_CACHE_HOME/cella}, else {@code ~/.cache/cella}. */
    public static Path defaultDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "cella");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "cella");
    }

    /**
     * A verified module and where it came from.
     *
     * @param fromCache true if it was read from the disk cache, false if it was translated
     */
    public record Translated(Module module, boolean fromCache) {}

    /**
     * The verified translation of WebAssembly module {@code wasm}: from the disk cache if a good
     * one is there, else translated, verified and written to the cache.
     *
     * @throws dev.cella.wasm.WasmException if the Wasm cannot be translated
     * @throws dev.cella.isa.verify.VerifyException if the translation does not verify (a Cella bug)
     */
    public Translated translate(byte[] wasm) {
        return translate(dir == null ? null : hex(sha256(wasm)), wasm);
    }

    /**
     * As {@link #translate(byte[])}, with {@code sha256Hex} the Wasm bytes' SHA-256 in lower-case
     * hex, when the caller has it already (an image's layer digest).
     */
    public Translated translate(String sha256Hex, byte[] wasm) {
        Path file = file(sha256Hex);
        Module cached = readVerified(file);
        if (cached != null) {
            identify(cached, file);
            return new Translated(cached, true);
        }
        Module m = WasmImporter.translate(wasm);
        Verifier.verify(m);
        write(file, m);
        identify(m, file);
        return new Translated(m, false);
    }

    /**
     * Names the module for the JIT's class cache by its translation's key (the .wasm's SHA-256 and
     * the translator's fingerprint, which determine the translation), so that the classes are found
     * without hashing the module again (docs/cli.md "Class cache").
     */
    private static void identify(Module m, Path file) {
        if (file != null) {
            String name = file.getFileName().toString();
            Engines.identify(m, "wasm-" + name.substring(0, name.length() - ".translation".length()));
        }
    }

    private Path file(String sha256Hex) {
        String version = dir == null ? null : translatorVersion();
        return version == null ? null : dir.resolve("modules").resolve(sha256Hex + "-" + version + ".translation");
    }

    /** The checksum at the head of cache file {@code file} whose module binary starts at {@code offset} of {@code bytes}. */
    private static int checksum(Path file, byte[] bytes, int offset) {
        CRC32C c = new CRC32C();
        c.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        c.update(bytes, offset, bytes.length - offset);
        return (int) c.getValue();
    }

    /** The module in {@code file} if it reads and verifies, else null (a miss). */
    private static Module readVerified(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length < SUM || ByteBuffer.wrap(bytes).getInt() != checksum(file, bytes, SUM)) {
                return null;
            }
            Module m = ModuleReader.read(Arrays.copyOfRange(bytes, SUM, bytes.length));
            Verifier.verify(m);
            return m;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Damaged, tampered with or unreadable: a miss; the translation replaces it.
            return null;
        }
    }

    private static void write(Path file, Module m) {
        if (file == null) {
            return;
        }
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), "module", ".tmp");
            byte[] binary = ModuleWriter.write(m);
            byte[] bytes = new byte[SUM + binary.length];
            ByteBuffer.wrap(bytes).putInt(checksum(file, binary, 0));
            System.arraycopy(binary, 0, bytes, SUM, binary.length);
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // Not fatal (see the class comment); leave no temporary file behind.
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Nothing more to do.
                }
            }
        }
    }

    private static volatile String version;

    /**
     * A fingerprint of the code that makes and reads translations (the Wasm importer, the module
     * format, the verifier; {@link CodeFingerprint}): a rebuilt Cella misses rather than reading
     * a translation an older translator made. Null (no disk cache) if the code's location is unknown.
     */
    static String translatorVersion() {
        String v = version;
        if (v == null) {
            v = CodeFingerprint.of(WasmImporter.class, ModuleWriter.class, TranslationCache.class);
            if (v == null) {
                return null;
            }
            version = v;
        }
        return v;
    }

    private static byte[] sha256(byte[] bytes) {
        return sha256Digest().digest(bytes);
    }

    private static MessageDigest sha256Digest() {
        return Digest.sha256();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
