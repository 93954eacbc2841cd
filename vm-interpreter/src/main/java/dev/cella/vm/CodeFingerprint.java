package dev.cella.vm;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * A fingerprint of the code some classes come from, for the disk caches that must never read what
 * another Cella build wrote (translations of WebAssembly modules, the JIT's generated classes):
 * the SHA-256, cut to 16 hex digits, of the name, size and modification time of each jar or class
 * file holding the classes. A rebuilt Cella has other times, so its caches miss rather than read
 * an older build's entries.
 */
public final class CodeFingerprint {
    private CodeFingerprint() {}

    /**
     * The fingerprint of the code of {@code classes}, or null if the location of one of them is
     * unknown (the caller then keeps no disk cache).
     */
    public static String of(Class<?>... classes) {
        MessageDigest d = sha256();
        for (Class<?> c : classes) {
            if (!add(c, d)) {
                return null;
            }
        }
        return HexFormat.of().formatHex(d.digest()).substring(0, 16);
    }

    private static boolean add(Class<?> c, MessageDigest d) {
        try {
            var source = c.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return false;
            }
            Path where = Path.of(source.getLocation().toURI());
            if (Files.isDirectory(where)) { // classes of a build tree (tests, the IDE)
                try (Stream<Path> files = Files.walk(where)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        addFile(d, f);
                    }
                }
            } else {
                addFile(d, where);
            }
            return true;
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return false;
        }
    }

    private static void addFile(MessageDigest d, Path f) throws IOException {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        d.update((f + "\0" + a.size() + "\0" + a.lastModifiedTime().toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A new SHA-256 hasher (every JDK has one). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
