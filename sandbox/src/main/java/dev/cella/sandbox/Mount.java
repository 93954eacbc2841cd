package dev.cella.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory to mount into a cell.
 *
 * @param host the host directory
 * @param guestPath where the guest sees it, normalized to an absolute path without {@code .},
 *     {@code ..} or repeated slashes
 * @param readOnly if true the guest can never change anything under it
 */
public record Mount(Path host, String guestPath, boolean readOnly) {
    /** @throws SandboxException if {@code guestPath} is empty, contains NUL or has {@code .} or {@code ..} */
    public Mount {
        Objects.requireNonNull(host, "host");
        guestPath = normalize(Objects.requireNonNull(guestPath, "guestPath"));
    }

    static String normalize(String p) {
        if (p.isEmpty() || p.indexOf('\0') >= 0) {
            throw new SandboxException("invalid guest mount path '" + p.replace("\0", "\\0") + "'");
        }
        StringBuilder sb = new StringBuilder();
        for (String c : p.split("/")) {
            if (c.isEmpty()) {
                continue;
            }
            if (c.equals(".") || c.equals("..")) {
                throw new SandboxException("guest mount path '" + p + "' must not contain '.' or '..'");
            }
            if (c.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                throw new SandboxException("guest mount path '" + p + "' has a component longer than 255 bytes");
            }
            sb.append('/').append(c);
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }
}
