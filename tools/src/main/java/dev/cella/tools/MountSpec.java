package dev.cella.tools;

import dev.cella.images.MountText;
import dev.cella.sandbox.CellConfig;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A host directory made visible to a guest, as {@code cella run --mount} and a batch file's
 * {@code mount=} both write it: {@code HOST:GUEST[:ro|:rw]}, read-only unless {@code :rw}
 * (docs/cli.md), parsed by {@link MountText} as an app file's mounts are.
 *
 * @param hostPath the host directory as written (relative paths are the caller's to resolve)
 * @param guestPath where the guest sees it; absolute
 * @param readOnly true unless {@code :rw} was given
 */
public record MountSpec(String hostPath, String guestPath, boolean readOnly) {

    /** The syntax, for messages. */
    public static final String SYNTAX = MountText.SYNTAX;

    /**
     * Parses {@code HOST:GUEST[:ro|:rw]} ({@link MountText#parse}).
     *
     * @throws IllegalArgumentException naming the text if either path is empty or the guest
     *     path is not absolute or has a {@code .} or {@code ..} component
     */
    public static MountSpec parse(String text) {
        MountText m = MountText.parse(text);
        return new MountSpec(m.host(), m.guest(), m.readOnly());
    }

    /** This mount with its host path resolved against {@code base} (a batch file's directory). */
    public MountSpec resolvedAgainst(Path base) {
        return new MountSpec(base.resolve(hostPath).normalize().toString(), guestPath, readOnly);
    }

    /**
     * Adds this mount to {@code config}.
     *
     * @throws FileAccessException if the host directory does not exist or is not a directory
     */
    public void addTo(CellConfig.Builder config) {
        Path host;
        try {
            host = Path.of(hostPath);
        } catch (InvalidPathException e) {
            throw FileAccessException.input(hostPath, "cannot mount: not a valid path: " + e.getReason(), e);
        }
        if (!Files.isDirectory(host)) {
            throw FileAccessException.input(hostPath, "cannot mount: "
                    + (Files.exists(host) ? "not a directory" : "no such directory"), null);
        }
        config.mount(host, guestPath, readOnly);
    }
}
