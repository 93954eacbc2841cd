package dev.cella.images;

/**
 * A host directory made visible to a guest, as {@code cella run --mount}, a batch file's {@code
 * mount=} and an app file's {@code mounts:} all write it: {@code HOST:GUEST[:ro|:rw]}, read-only
 * unless {@code :rw} (docs/cli.md). One parser serves all three, so they cannot disagree on syntax
 * or default.
 *
 * @param host the host directory as written (relative paths are the caller's to resolve)
 * @param guest where the guest sees it; absolute
 * @param readOnly true unless {@code :rw} was given
 */
public record MountText(String host, String guest, boolean readOnly) {
    /** The syntax, for messages. */
    public static final String SYNTAX = "HOST:GUEST, HOST:GUEST:ro or HOST:GUEST:rw";

    /**
     * Parses {@code HOST:GUEST[:ro|:rw]}. The guest path is what follows the last remaining
     * colon, so a host path may itself contain colons.
     *
     * @throws IllegalArgumentException naming the text if either path is empty or the guest
     *     path is not absolute or has a {@code .} or {@code ..} component
     */
    public static MountText parse(String text) {
        String rest = text;
        boolean readOnly = true;
        if (rest.endsWith(":ro") || rest.endsWith(":rw")) {
            readOnly = rest.endsWith(":ro");
            rest = rest.substring(0, rest.length() - 3);
        }
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not a mount (expected " + SYNTAX + ")");
        }
        String guest = rest.substring(colon + 1);
        if (!guest.startsWith("/")) {
            throw new IllegalArgumentException("mount '" + text + "': the guest path '" + guest
                    + "' must be absolute (start with /)");
        }
        for (String c : guest.split("/")) {
            // A guest path is where the mount appears, not a path to resolve: '.' and '..' in it
            // would make it name some other place (or nothing), so they are refused outright.
            if (c.equals(".") || c.equals("..")) {
                throw new IllegalArgumentException("mount '" + text + "': the guest path '" + guest
                        + "' must not contain '.' or '..'");
            }
        }
        return new MountText(rest.substring(0, colon), guest, readOnly);
    }
}
