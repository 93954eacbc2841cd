package dev.cella.isa.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.cella.isa.FormatException;
import dev.cella.isa.ModuleGen;
import dev.cella.isa.code.ByteInput;
import dev.cella.isa.module.Module;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Robustness of the reader against arbitrary and corrupted input, and the write/read/write
 * fixed point over generated modules.
 */
class ModuleReaderPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    /** Generous: only a hang, never a slow run, should ever reach it. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    private static final byte[] HEADER = {0x00, 0x43, 0x45, 0x4C, 1, 0, 0, 0};

    /**
     * Reads {@code input}: it must give a module or a FormatException whose offset lies inside the
     * input (or just past its end, for truncation); any other outcome fails the test.
     */
    private static void readsOrRejects(byte[] input) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try {
                ModuleReader.read(input);
            } catch (FormatException e) {
                assertTrue(e.offset() >= 0 && e.offset() <= input.length,
                        "offset " + e.offset() + " outside an input of " + input.length + " bytes");
            }
        });
    }

    private static int draw(RandomnessSource in, int lo, int hi) {
        return (int) in.next(Constraint.between(lo, hi));
    }

    private static byte[] randomBytes(RandomnessSource in, int maxLength) {
        byte[] b = new byte[draw(in, 0, maxLength)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) draw(in, 0, 255);
        }
        return b;
    }

    /** Random bytes, often behind a valid header so that the section decoders are reached. */
    private static Gen<byte[]> arbitraryInput() {
        Gen<byte[]> gen = in -> {
            byte[] tail = randomBytes(in, 96);
            if (draw(in, 0, 3) == 0) {
                return tail;
            }
            byte[] b = Arrays.copyOf(HEADER, HEADER.length + tail.length);
            System.arraycopy(tail, 0, b, HEADER.length, tail.length);
            if (tail.length > 0 && draw(in, 0, 1) == 0) {
                // A plausible section id makes the payload decoders run more often.
                b[HEADER.length] = (byte) draw(in, 1, 11);
            }
            return b;
        };
        return gen.describedAs(ModuleReaderPropertyTest::hex);
    }

    /** Applies 1 to 4 random edits (bit flip, byte overwrite, insertion, deletion, truncation). */
    private static byte[] mutate(byte[] original, RandomnessSource in) {
        byte[] b = original.clone();
        for (int edits = draw(in, 1, 4); edits > 0 && b.length > 0; edits--) {
            int at = draw(in, 0, b.length - 1);
            switch (draw(in, 0, 4)) {
                case 0 -> b[at] ^= (byte) (1 << draw(in, 0, 7));
                case 1 -> b[at] = (byte) draw(in, 0, 255);
                case 2 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) draw(in, 0, 255);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 3 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                }
                default -> b = Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    private static String hex(byte[] b) {
        return b.length + " bytes: " + java.util.HexFormat.ofDelimiter(" ").formatHex(b);
    }

    @Test
    void readsOrRejectsArbitraryBytes() {
        qt().withExamples(EXAMPLES).forAll(arbitraryInput()).checkAssert(ModuleReaderPropertyTest::readsOrRejects);
    }

    @Test
    void readsOrRejectsMutationsOfAModuleThatUsesEverySection() {
        byte[] valid = ModuleWriter.write(SampleModules.full());
        Gen<byte[]> mutants = in -> mutate(valid, in);
        qt().withExamples(EXAMPLES).forAll(mutants.describedAs(ModuleReaderPropertyTest::hex))
                .checkAssert(ModuleReaderPropertyTest::readsOrRejects);
    }

    @Test
    void readsOrRejectsMutationsOfGeneratedModules() {
        Gen<byte[]> mutants = ModuleGen.modules()
                .<byte[]>flatMap(m -> (Gen<byte[]>) in -> mutate(ModuleWriter.write(m), in));
        qt().withExamples(EXAMPLES).forAll(mutants.describedAs(ModuleReaderPropertyTest::hex))
                .checkAssert(ModuleReaderPropertyTest::readsOrRejects);
    }

    @Test
    void rejectsEveryTruncationThatCutsASection() {
        byte[] valid = ModuleWriter.write(SampleModules.full());
        List<Integer> boundaries = sectionBoundaries(valid);
        for (int length = 0; length < valid.length; length++) {
            byte[] cut = Arrays.copyOf(valid, length);
            if (boundaries.contains(length)) {
                ModuleReader.read(cut);
            } else {
                int n = length;
                FormatException e = assertThrows(FormatException.class,
                        () -> ModuleReader.read(cut), () -> "prefix of " + n + " bytes");
                assertTrue(e.offset() <= length, e.getMessage());
            }
        }
    }

    /** The offsets at which a section of {@code valid} ends (and the header's end). */
    private static List<Integer> sectionBoundaries(byte[] valid) {
        List<Integer> out = new java.util.ArrayList<>(List.of(Section.HEADER_SIZE));
        ByteInput in = new ByteInput(valid);
        in.position(Section.HEADER_SIZE);
        while (in.hasRemaining()) {
            in.u8();
            int size = (int) in.u32();
            in.position(in.position() + size);
            out.add(in.position());
        }
        return out;
    }

    @Test
    void writingWhatWasReadGivesTheSameBytes() {
        qt().withExamples(EXAMPLES).forAll(ModuleGen.modules()).checkAssert(m -> {
            byte[] first = ModuleWriter.write(m);
            Module back = ModuleReader.read(first);
            assertNull(ModuleGen.difference(m, back));
            assertArrayEquals(first, ModuleWriter.write(back));
        });
    }
}
