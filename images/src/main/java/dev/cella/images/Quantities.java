package dev.cella.images;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes and durations as people write them, the one syntax of the command line's options
 * ({@code --memory 64M}, {@code --timeout 2s}), the manifest of defaults and the app file.
 */
public final class Quantities {
    private Quantities() {}

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)", Pattern.CASE_INSENSITIVE);

    /**
     * Parses a byte size: a decimal count with an optional binary suffix {@code K} (1024),
     * {@code M} (1024^2) or {@code G} (1024^3), optionally followed by {@code B} or {@code iB};
     * case is ignored ({@code 64M}, {@code 512k}, {@code 1GiB}, {@code 4096}).
     *
     * @throws IllegalArgumentException if the text is not such a size or the value exceeds
     *     {@link Long#MAX_VALUE} bytes
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected a byte count such as 4096, 512K, 64M or 1G)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
    }

    /**
     * Parses a duration: a decimal count followed by {@code ms}, {@code s} or {@code m}
     * (milliseconds, seconds, minutes), for example {@code 500ms}, {@code 2s}, {@code 1m}.
     *
     * @throws IllegalArgumentException if the text is not such a duration or it overflows
     */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (expected a number with a unit: 500ms, 2s or 1m)");
        }
        try {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large");
        }
    }
}
