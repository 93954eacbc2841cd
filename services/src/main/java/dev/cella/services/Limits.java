package dev.cella.services;

import java.util.Locale;

/**
 * Quotas, each {@link #UNLIMITED} unless set. The same four numbers bound two things
 * (docs/services.md, "Quotas"):
 * <ul>
 *   <li>a namespace's <em>contents</em>: keys stored, bytes stored (keys plus values), messages
 *       queued, and operations per second by all its cells together;</li>
 *   <li>a cell's <em>use</em> over its run, across its namespaces: keys it created, bytes it
 *       wrote, messages it sent, and its operations per second.</li>
 * </ul>
 * A write past a count or size fails with EDQUOT; an operation past the rate fails with EAGAIN.
 *
 * @param keys keys (stored, or created by the cell)
 * @param bytes bytes (stored, or written by the cell)
 * @param messages messages (queued, or sent by the cell)
 * @param opsPerSecond calls per second (a token bucket holding one second's worth)
 */
public record Limits(long keys, long bytes, long messages, long opsPerSecond) {
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** No quota at all. */
    public static final Limits NONE = new Limits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED);
    /** The longest key, table or subscription name in bytes (longer: ENAMETOOLONG). */
    public static final int MAX_KEY = 1024;
    /** The longest value or message in bytes (longer: EFBIG, EMSGSIZE). */
    public static final int MAX_VALUE = 1 << 20;

    public Limits {
        if (keys < 0 || bytes < 0 || messages < 0 || opsPerSecond <= 0) {
            throw new IllegalArgumentException("quotas must not be negative (ops at least 1)");
        }
    }

    public Limits withKeys(long n) {
        return new Limits(n, bytes, messages, opsPerSecond);
    }

    public Limits withBytes(long n) {
        return new Limits(keys, n, messages, opsPerSecond);
    }

    public Limits withMessages(long n) {
        return new Limits(keys, bytes, n, opsPerSecond);
    }

    public Limits withOpsPerSecond(long n) {
        return new Limits(keys, bytes, messages, n);
    }

    /**
     * Parses {@code keys=N,bytes=SIZE,messages=N,ops=N}, any subset in any order; SIZE takes K,
     * M or G (1024-based).
     *
     * @throws IllegalArgumentException naming the bad item
     */
    public static Limits parse(String text) {
        Limits l = NONE;
        for (String item : text.split(",", -1)) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + item + "' is not NAME=VALUE (keys, bytes, messages or ops)");
            }
            String key = item.substring(0, eq);
            long v = number(item.substring(eq + 1), key.equals("bytes"), item);
            l = switch (key) {
                case "keys" -> l.withKeys(v);
                case "bytes" -> l.withBytes(v);
                case "messages" -> l.withMessages(v);
                case "ops" -> {
                    if (v == 0) {
                        throw new IllegalArgumentException("'" + item + "': ops must be at least 1");
                    }
                    yield l.withOpsPerSecond(v);
                }
                default -> throw new IllegalArgumentException("'" + key + "' is not a quota (keys, bytes, messages or ops)");
            };
        }
        return l;
    }

    private static long number(String s, boolean size, String item) {
        long unit = 1;
        String digits = s.toUpperCase(Locale.ROOT);
        if (size && !digits.isEmpty()) {
            char last = digits.charAt(digits.length() - 1);
            unit = switch (last) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                default -> 1;
            };
            if (unit != 1) {
                digits = digits.substring(0, digits.length() - 1);
            }
        }
        if (!digits.matches("[0-9]{1,15}")) {
            throw new IllegalArgumentException("'" + item + "': the value is not a count" + (size ? " or size" : ""));
        }
        return Long.parseLong(digits) * unit;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        append(sb, "keys", keys);
        append(sb, "bytes", bytes);
        append(sb, "messages", messages);
        append(sb, "ops", opsPerSecond);
        return sb.isEmpty() ? "unlimited" : sb.toString();
    }

    private static void append(StringBuilder sb, String name, long v) {
        if (v != UNLIMITED) {
            sb.append(sb.isEmpty() ? "" : ",").append(name).append('=').append(v);
        }
    }
}
