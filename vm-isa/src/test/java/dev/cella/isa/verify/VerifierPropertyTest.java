package dev.cella.isa.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.cella.isa.FormatException;
import dev.cella.isa.ModuleGen;
import dev.cella.isa.VerifyException;
import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;
import org.junit.jupiter.api.Test;

/**
 * Properties over generated modules ({@link ModuleGen}): the verifier accepts what the generator
 * promises to be valid, and on corrupted input it fails only with the two typed errors.
 */
class VerifierPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    /** A mutated input and where it came from, for QuickTheories' report. */
    private record Mutant(Module original, byte[] bytes) {
        @Override
        public String toString() {
            return ModuleGen.describe(original) + "\nmutated to " + bytes.length + " bytes: "
                    + HexFormat.ofDelimiter(" ").formatHex(bytes);
        }
    }

    /** A module with one function body replaced by a mutated copy. */
    private record MutatedBody(Module module, int function) {
        @Override
        public String toString() {
            return "function " + function + " of " + ModuleGen.describe(module);
        }
    }

    @Test
    void acceptsEveryGeneratedModuleOnceTheGeneratorsLooseEndsAreTied() {
        qt().withExamples(EXAMPLES).forAll(ModuleGen.modules().map(VerifierPropertyTest::tidy)).checkAssert(m -> {
            boolean hostWithResults = m.imports().stream()
                    .anyMatch(i -> m.types().get(i.typeIndex()).results().size() > 1);
            try {
                Verifier.verify(m);
                assertTrue(!hostWithResults, "accepted a host import with several results");
            } catch (VerifyException e) {
                // The one promise ModuleGen does not make that tidy cannot repair without renumbering.
                assertTrue(hostWithResults && e.function() == -1
                        && e.reason().contains("a host function returns at most one value"), e.getMessage());
            }
        });
    }

    @Test
    void readingAndVerifyingAMutatedBinaryFailsOnlyWithFormatOrVerifyErrors() {
        Gen<Mutant> mutants = ModuleGen.modules().map(VerifierPropertyTest::tidy)
                .flatMap(m -> (Gen<Mutant>) in -> new Mutant(m, mutate(ModuleWriter.write(m), in)));
        qt().withExamples(EXAMPLES).forAll(mutants).checkAssert(mutant -> {
            try {
                Verifier.verify(ModuleReader.read(mutant.bytes()));
            } catch (FormatException | VerifyException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
            }
        });
    }

    @Test
    void verifyingAMutatedFunctionBodyFailsOnlyWithAVerifyErrorAtAPcInsideIt() {
        Gen<MutatedBody> mutants = ModuleGen.modules().map(VerifierPropertyTest::tidy)
                .flatMap(m -> (Gen<MutatedBody>) in -> mutateBody(m, in));
        qt().withExamples(EXAMPLES).forAll(mutants).checkAssert(mutant -> {
            Module m = mutant.module();
            try {
                Verifier.verify(m);
            } catch (VerifyException e) {
                if (e.function() >= 0) {
                    int length = m.function(e.function()).code().length;
                    assertTrue(e.pc() >= -1 && e.pc() < Math.max(length, 1), e.getMessage());
                }
            }
        });
    }

    @Test
    void tidyingKeepsEverythingTheVerifierWouldAccept() {
        // Guards the first property: tidy must only remove what is invalid, not hollow modules out.
        qt().withExamples(EXAMPLES).forAll(ModuleGen.modules()).checkAssert(m -> {
            Module t = tidy(m);
            assertEquals(m.functions(), t.functions());
            assertEquals(m.imports(), t.imports());
            for (ElementSegment e : m.elements()) {
                assertEquals(fits(m, e), t.elements().contains(e), "element segment kept iff it fits");
            }
            for (DataSegment d : m.data()) {
                assertEquals(fits(m, d), t.data().contains(d), "data segment kept iff it fits");
            }
        });
    }

    /**
     * Removes what {@link ModuleGen} does not promise to make valid: a start function of the
     * wrong type, and element and data segments that do not fit the initial table or memory.
     */
    static Module tidy(Module m) {
        int start = m.start() >= 0 && m.functionType(m.start()).equals(new FuncType(List.of(), List.of()))
                ? m.start() : -1;
        List<ElementSegment> elements = m.elements().stream().filter(e -> fits(m, e)).toList();
        List<DataSegment> data = m.data().stream().filter(d -> fits(m, d)).toList();
        return new Module(m.types(), m.imports(), m.functions(), m.tables(), m.memory(), m.globals(), m.exports(),
                start, elements, data, m.names());
    }

    private static boolean fits(Module m, ElementSegment e) {
        return e.offset() + e.functions().length <= m.tables().get(e.table()).min();
    }

    private static boolean fits(Module m, DataSegment d) {
        return d.offset() + d.bytes().length <= m.memory().min() * Module.PAGE_SIZE;
    }

    private static int draw(RandomnessSource in, int lo, int hi) {
        return (int) in.next(Constraint.between(lo, hi));
    }

    /** Applies 1 to 4 random edits: flip a bit, overwrite, insert or delete a byte, or truncate. */
    static byte[] mutate(byte[] original, RandomnessSource in) {
        byte[] b = original.clone();
        for (int edits = draw(in, 1, 4); edits > 0; edits--) {
            int at = draw(in, 0, Math.max(b.length - 1, 0));
            int kind = b.length == 0 ? 2 : draw(in, 0, 4);
            b = switch (kind) {
                case 0 -> {
                    b[at] ^= (byte) (1 << draw(in, 0, 7));
                    yield b;
                }
                case 1 -> {
                    b[at] = (byte) draw(in, 0, 255);
                    yield b;
                }
                case 2 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) draw(in, 0, 255);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    yield c;
                }
                case 3 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    yield c;
                }
                default -> Arrays.copyOf(b, at);
            };
        }
        return b;
    }

    /** {@code m} with the body of one defined function mutated; {@code m} itself if it has none. */
    private static MutatedBody mutateBody(Module m, RandomnessSource in) {
        if (m.functions().isEmpty()) {
            return new MutatedBody(m, -1);
        }
        int i = draw(in, 0, m.functions().size() - 1);
        Function f = m.functions().get(i);
        List<Function> functions = new ArrayList<>(m.functions());
        functions.set(i, new Function(f.typeIndex(), f.registers(), mutate(f.code(), in)));
        Module mutated = new Module(m.types(), m.imports(), functions, m.tables(), m.memory(), m.globals(),
                m.exports(), m.start(), m.elements(), m.data(), m.names());
        return new MutatedBody(mutated, m.imports().size() + i);
    }
}
