package dev.cella.images;

import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 digests as OCI writes them: {@code sha256:} and 64 lower-case hex digits. */
public final class Digest {
    private Digest() {}

    /** The algorithm prefix of every digest Cella writes and accepts. */
    public static final String PREFIX = "sha256:";

    /** The digest of {@code bytes}. */
    public static String of(byte[] bytes) {
        return PREFIX + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** A new SHA-256 hasher (every JDK has one). */
    static MessageDigest sha256() {
        return dev.cella.vm.CodeFingerprint.sha256();
    }

    /** True if {@code digest} is {@code sha256:} and 64 lower-case hex digits. */
    static boolean isValid(String digest) {
        return digest != null && digest.length() == PREFIX.length() + 64 && digest.startsWith(PREFIX)
                && digest.substring(PREFIX.length()).chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** The path of blob {@code digest} inside an image layout. */
    static String blobPath(String digest) {
        return "blobs/sha256/" + digest.substring(PREFIX.length());
    }
}
