package dev.cella.tools;

import dev.cella.images.Quantities;
import java.time.Duration;
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

    /**
     * Parses a byte size ({@link Quantities#parseSize}: {@code 4096}, {@code 512K}, {@code 64M}, {@code 1GiB}).
     *
     * @throws TypeConversionException if the text is not a size or is too large
     */
    static long parseSize(String text) {
        try {
            return Quantities.parseSize(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /**
     * Parses a duration ({@link Quantities#parseDuration}: {@code 500ms}, {@code 2s}, {@code 1m}).
     *
     * @throws TypeConversionException if the text is not a duration or it overflows
     */
    static Duration parseDuration(String text) {
        try {
            return Quantities.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
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
