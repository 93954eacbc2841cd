package dev.cella.vm.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HotSpot does not JIT-compile a method of more than 8000 bytes of bytecode (HugeMethodLimit):
 * a larger dispatch loop would run in HotSpot's own interpreter, tens of times slower.
 */
class DispatchSizeTest {
    private static final int HUGE_METHOD_LIMIT = 8000;

    @Test
    void dispatchLoopIsSmallEnoughForHotSpotToCompile() throws IOException {
        checkLoop(Dispatch.class);
    }

    @Test
    void unmeteredDispatchLoopIsSmallEnoughForHotSpotToCompile() throws IOException {
        checkLoop(UnmeteredDispatch.class);
    }

    private static void checkLoop(Class<?> loop) throws IOException {
        Map<String, Integer> sizes = MethodSizes.of(loop);
        Map.Entry<String, Integer> run = sizes.entrySet().stream()
                .filter(e -> e.getKey().startsWith("run("))
                .findFirst()
                .orElseThrow(() -> new AssertionError(loop.getSimpleName() + " has no run method: " + sizes.keySet()));
        int size = run.getValue();
        // A loop over every decoded opcode cannot be tiny: a size this small means the reader is wrong.
        assertTrue(size > Op.COUNT * 10, "implausibly small dispatch method: " + size + " bytes");
        assertTrue(size < HUGE_METHOD_LIMIT, loop.getSimpleName() + ".run is " + size + " bytes of bytecode; HotSpot"
                + " compiles only methods below " + HUGE_METHOD_LIMIT + ": move cold cases into helpers");
    }

    @Test
    void everyInterpreterHelperIsBelowTheLimitToo() throws IOException {
        for (Class<?> c : new Class<?>[] {Machine.class, ColdOps.class, Decoder.class}) {
            MethodSizes.of(c).forEach((method, size) -> assertTrue(size < HUGE_METHOD_LIMIT,
                    c.getSimpleName() + "." + method + " is " + size + " bytes"));
        }
    }

    @Test
    void classFileReaderMeasuresAKnownMethod() throws IOException {
        // Op's private constructor is aload_0, invokespecial Object.<init>, return: 5 bytes.
        assertEquals(5, MethodSizes.of(Op.class).get("<init>()V"));
    }
}
