package dev.cella.wasm;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.isa.module.Module;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * No input makes the importer fail other than with a {@link WasmException}: valid modules with
 * random bytes changed, inserted or cut off are either translated (and then verified, which
 * {@link WasmImporter} does itself) or rejected with a typed error.
 */
class MalformedInputPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    private static final List<byte[]> SEEDS = List.of(
            TranslationQualityTest.resource("/wast/control/control.0.wasm"),
            TranslationQualityTest.resource("/wast/memory/memory.0.wasm"),
            TranslationQualityTest.resource("/wast/bulk/bulk.0.wasm"),
            TranslationQualityTest.resource("/wast/translation/translation.0.wasm"),
            TranslationQualityTest.resource("/wast/conversions/conversions.0.wasm"));

    static byte[] mutate(byte[] original, long seed) {
        Random r = new Random(seed);
        byte[] b = original.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = 8 + r.nextInt(b.length - 8);
            switch (r.nextInt(4)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 2 -> b = Arrays.copyOf(b, at);
                default -> {
                    byte[] grown = new byte[b.length + 1];
                    System.arraycopy(b, 0, grown, 0, at);
                    grown[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, grown, at + 1, b.length - at);
                    b = grown;
                }
            }
            if (b.length <= 8) {
                break;
            }
        }
        return b;
    }

    @Test
    void mutatedModulesAreTranslatedOrRejectedWithATypedError() {
        qt().withExamples(EXAMPLES * 5)
                .forAll(integers().between(0, SEEDS.size() - 1), longs().all())
                .checkAssert((which, seed) -> {
                    byte[] wasm = mutate(SEEDS.get(which), seed);
                    try {
                        Module m = WasmImporter.translate(wasm, (mod, name, type) -> 0L);
                        assertNotNull(m);
                    } catch (WasmException expected) {
                        assertNotNull(expected.reason());
                    }
                });
    }
}
