package dev.cella.services;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One namespace a cell may use: {@code kv:NAME}, {@code queue:NAME} or {@code db:NAME}, read-only
 * or read-write. Cells granted the same kind and name share the namespace; a cell can name no
 * other. What read-only forbids is listed per service in docs/services.md.
 *
 * @param kind the service
 * @param name the namespace: 1 to 64 characters of {@code [A-Za-z0-9_.-]}
 * @param readOnly whether writes are refused (EROFS)
 */
public record Grant(ServiceKind kind, String name, boolean readOnly) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    public Grant {
        Objects.requireNonNull(kind, "kind");
        checkName(name, "namespace");
    }

    /**
     * Parses {@code KIND:NAME[:ro|:rw]}: read-only unless {@code :rw}, as mounts are (docs/cli.md).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Grant parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("'" + text + "' is not KIND:NAME[:ro|:rw] (KIND is kv, queue or db)");
        }
        ServiceKind kind = ServiceKind.of(parts[0]);
        if (kind == null) {
            throw new IllegalArgumentException("'" + parts[0] + "' in '" + text + "' is not a service (kv, queue or db)");
        }
        boolean ro = true;
        if (parts.length == 3) {
            ro = switch (parts[2]) {
                case "ro" -> true;
                case "rw" -> false;
                default -> throw new IllegalArgumentException("'" + parts[2] + "' in '" + text + "' is not ro or rw");
            };
        }
        return new Grant(kind, parts[1], ro);
    }

    /**
     * Checks a namespace, table or subscription name: 1 to 64 characters of letters, digits,
     * {@code _ . -}, so that it can be part of a store map's name without escaping.
     */
    static String checkName(String name, String what) {
        if (name == null || name.isEmpty() || name.length() > 64 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + what + " name '" + name
                    + "': 1 to 64 characters of letters, digits, '_', '.' and '-'");
        }
        return name;
    }

    @Override
    public String toString() {
        return kind.word() + ":" + name + (readOnly ? ":ro" : ":rw");
    }
}
