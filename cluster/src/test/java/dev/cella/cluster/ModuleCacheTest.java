package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cella.isa.CellaException;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModuleCacheTest {
    private static final Path FIB = Path.of("../examples/fib.casm");
    private static final Path FIBS = Path.of("../tools/src/test/resources/cluster/fibs.casm");

    private static byte[] binary(Path casm) throws IOException {
        return ModuleWriter.write(Assembler.assemble(Files.readString(casm), casm.getFileName().toString()));
    }

    @Test
    void decodesOneBinaryOnceWhateverArrayItComesIn() throws IOException {
        ModuleCache cache = new ModuleCache(4);
        byte[] fib = binary(FIB);
        Module first = cache.get(fib);
        Module again = cache.get(fib.clone()); // each cell's job carries its own copy
        assertSame(first, again);
        assertEquals(1, cache.decoded());
    }

    @Test
    void aBinaryThatDiffersIsAModuleOfItsOwn() throws IOException {
        ModuleCache cache = new ModuleCache(4);
        Module fib = cache.get(binary(FIB));
        byte[] fibs = binary(FIBS);
        Module other = cache.get(fibs);
        assertNotSame(fib, other);
        assertEquals(2, cache.decoded());
        assertEquals(ModuleWriter.write(other).length, fibs.length);
    }

    @Test
    void refusesAChangedBinaryThatDoesNotLoadAndKeepsNothingOfIt() throws IOException {
        ModuleCache cache = new ModuleCache(4);
        byte[] fib = binary(FIB);
        Module good = cache.get(fib);
        byte[] cut = Arrays.copyOf(fib, fib.length - 7);
        assertThrows(CellaException.class, () -> cache.get(cut));
        assertThrows(CellaException.class, () -> cache.get(cut)); // refused again: never stored
        assertEquals(1, cache.size());
        assertSame(good, cache.get(fib));
    }

    @Test
    void aCallerChangingItsArrayAfterwardsCannotChangeAnEntry() throws IOException {
        ModuleCache cache = new ModuleCache(4);
        byte[] fib = binary(FIB);
        byte[] mine = fib.clone();
        Module good = cache.get(mine);
        Arrays.fill(mine, (byte) 0);
        assertSame(good, cache.get(fib));
        assertThrows(CellaException.class, () -> cache.get(mine)); // zeros are no binary, cached or not
    }

    @Test
    void keepsTheMostRecentlyUsedUpToItsCapacity() throws IOException {
        ModuleCache cache = new ModuleCache(1);
        byte[] fib = binary(FIB);
        byte[] fibs = binary(FIBS);
        Module first = cache.get(fib);
        cache.get(fibs);
        assertEquals(1, cache.size());
        assertNotSame(first, cache.get(fib)); // evicted, decoded again
        assertEquals(3, cache.decoded());
    }
}
