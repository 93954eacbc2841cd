package dev.cella.tools;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters for the option values of {@code cella run} that are not plain numbers: byte sizes,
 * durations, mounts ({@link MountSpec}) and environment entries. Each rejects a bad value with a
 * {@link TypeConversionException} whose message says what was expected; picocli turns it into
 * a usage error that names the option.
 */
final class OptionConverters {
    private OptionConverters() {}

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)", Pattern.CASE_INSENSITIVE);

    /**
     * Parses a byte size: a decimal count with an optional binary suffix {@code K} (1024),
     * {@code M} (1024^2) or {@code G} (1024^3), optionally followed by {@code B} or {@code iB};
     * case is ignored ({@code 64M}, {@code 512k}, {@code 1GiB}, {@code 4096}).
     *
     * @throws TypeConversionException if the text is not such a size or the value exceeds
     *     {@link Long#MAX_VALUE} bytes
     */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size (expected a byte count such as 4096, 512K, 64M or 1G)");
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
            throw new TypeConversionException("size '" + text + "' is too large");
        }
    }

    /**
     * Parses a duration: a decimal count followed by {@code ms}, {@code s} or {@code m}
     * (milliseconds, seconds, minutes), for example {@code 500ms}, {@code 2s}, {@code 1m}.
     *
     * @throws TypeConversionException if the text is not such a duration or it overflows
     */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration (expected a number with a unit: 500ms, 2s or 1m)");
        }
        try {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("duration '" + text + "' is too large");
        }
    }

    /** An environment variable for the guest. */
    record EnvEntry(String name, String value) {}

    /**
     * Parses {@code NAME=VALUE}; the value may be empty and may contain {@code =}.
     *
     * @throws TypeConversionException if there is no {@code =} or the name is empty
     */
    static EnvEntry parseEnv(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new TypeConversionException("'" + text + "' is not an environment entry (expected NAME=VALUE)");
        }
        return new EnvEntry(text.substring(0, eq), text.substring(eq + 1));
    }

    /** picocli adapter for {@link #parseSize}. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseSize(value);
        }
    }

    /** picocli adapter for {@link #parseDuration}. */
    static final class Time implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }

    /** picocli adapter for {@link dev.cella.tools.MountSpec#parse}. */
    static final class Mount implements ITypeConverter<MountSpec> {
        @Override
        public MountSpec convert(String value) {
            try {
                return MountSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli adapter for {@link #parseEnv}. */
    static final class Env implements ITypeConverter<EnvEntry> {
        @Override
        public EnvEntry convert(String value) {
            return parseEnv(value);
        }
    }
}
