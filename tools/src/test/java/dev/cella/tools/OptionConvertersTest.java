package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class OptionConvertersTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    @Test
    void sizesScaleByBinarySuffixes() {
        qt().withExamples(EXAMPLES).forAll(longs().between(0, 1L << 32)).checkAssert(n -> {
            assertEquals(n, OptionConverters.parseSize(Long.toString(n)));
            assertEquals(n * 1024, OptionConverters.parseSize(n + "K"));
            assertEquals(n * 1024 * 1024, OptionConverters.parseSize(n + "m"));
            assertEquals(n * 1024 * 1024 * 1024, OptionConverters.parseSize(n + "GiB"));
        });
    }

    @Test
    void sizeSuffixesIgnoreCaseAndAcceptByteUnits() {
        assertEquals(64L << 20, OptionConverters.parseSize("64M"));
        assertEquals(64L << 20, OptionConverters.parseSize("64MB"));
        assertEquals(512L << 10, OptionConverters.parseSize("512k"));
        assertEquals(1L << 30, OptionConverters.parseSize("1g"));
    }

    @Test
    void rejectsSizesThatAreNotByteCounts() {
        for (String bad : new String[] {"", "M", "-1", "1.5M", "12Q", "1T", "ten"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> OptionConverters.parseSize(bad));
            assertTrue(e.getMessage().contains("not a size"), e.getMessage());
        }
    }

    @Test
    void rejectsSizesThatOverflow() {
        TypeConversionException e = assertThrows(TypeConversionException.class,
                () -> OptionConverters.parseSize("9223372036854775807K"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void durationsTakeMillisecondsSecondsAndMinutes() {
        qt().withExamples(EXAMPLES).forAll(longs().between(0, 1_000_000)).checkAssert(n -> {
            assertEquals(Duration.ofMillis(n), OptionConverters.parseDuration(n + "ms"));
            assertEquals(Duration.ofSeconds(n), OptionConverters.parseDuration(n + "s"));
            assertEquals(Duration.ofMinutes(n), OptionConverters.parseDuration(n + "m"));
        });
    }

    @Test
    void rejectsDurationsWithoutAUnit() {
        for (String bad : new String[] {"2", "s", "2h", "-1s", "1.5s"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class,
                    () -> OptionConverters.parseDuration(bad));
            assertTrue(e.getMessage().contains("not a duration"), e.getMessage());
        }
    }

    @Test
    void aBadMountIsATypeConversionErrorWithTheParsersMessage() {
        TypeConversionException e = assertThrows(TypeConversionException.class,
                () -> new OptionConverters.Mount().convert("/srv/data:data"));
        assertTrue(e.getMessage().contains("must be absolute"), e.getMessage());
        assertEquals(new MountSpec("/srv/data", "/data", true), new OptionConverters.Mount().convert("/srv/data:/data"));
    }

    @Test
    void environmentEntriesSplitAtTheFirstEquals() {
        assertEquals(new OptionConverters.EnvEntry("A", "b=c"), OptionConverters.parseEnv("A=b=c"));
        assertEquals(new OptionConverters.EnvEntry("EMPTY", ""), OptionConverters.parseEnv("EMPTY="));
        assertThrows(TypeConversionException.class, () -> OptionConverters.parseEnv("NOVALUE"));
        assertThrows(TypeConversionException.class, () -> OptionConverters.parseEnv("=x"));
    }
}
