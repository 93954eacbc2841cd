package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The merged canonical-NaN checks of float stores ({@link StoreCheckWindow}): how many checks the
 * JIT emits, and the exact bits the stores leave in memory, NaN or not. (That no reader ever sees
 * an unchecked NaN is pinned by the differential regression programs {@code
 * merged_nan_checks_of_stores} and {@code nan_stores_then_*}.)
 */
class StoreCheckWindowTest {
    private static final String PROGRAM = """
            memory 1
            func three(a: f64, b: f64) {
                reg z: i32, x: f64, y: f64, w: f64
                f64.add x, a, b
                f64.mul y, a, b
                f64.sub w, a, b
                f64.store z, 0, x
                f64.store z, 8, y
                f64.store z, 16, w
                ret
            }
            func split(a: f64, b: f64) -> i64 {
                reg z: i32, x: f64, y: f64, r: i64
                f64.add x, a, b
                f64.mul y, a, b
                f64.store z, 0, x
                i64.load r, z, 0
                f64.store z, 8, y
                ret r
            }
            func single(a: f32, b: f32) {
                reg z: i32, x: f32
                f32.div x, a, b
                f32.store z, 32, x
                ret
            }
            export func three
            export func split
            export func single
            """;

    private static final long SIGNALLING = 0x7ff4000000000001L;
    private static final long CANONICAL = 0x7ff8000000000000L;

    private static Module module() {
        Module m = Assembler.assemble(PROGRAM, "windows.casm");
        Verifier.verify(m);
        return m;
    }

    private static int count(String text, String word) {
        Matcher m = Pattern.compile("\\b" + word + "\\b").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static long f64At(Instance instance, int offset) {
        return ByteBuffer.wrap(instance.memory().snapshot()).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
    }

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    @Test
    void storesOfOneBlockShareOneCheck() {
        String code = new JitEngine(module()).dumpBytecode(0);
        assertEquals(1, count(code, "DCMPL"), code);
        assertFalse(code.contains("Numerics.canonical"), code);
    }

    @Test
    void aLoadThatMayReadAPendingStoreClosesTheWindowFirst() {
        String code = new JitEngine(module()).dumpBytecode(1);
        assertEquals(2, count(code, "DCMPL"), code);
    }

    @Test
    void nanResultsReachMemoryCanonical() {
        Module m = module();
        Instance instance = new Instance(m, (mod, name, type) -> null, InstanceOptions.defaults());
        JitEngine jit = new JitEngine(m);
        jit.invoke(instance, 0, SIGNALLING, bits(1.0));
        assertEquals(CANONICAL, f64At(instance, 0));
        assertEquals(CANONICAL, f64At(instance, 8));
        assertEquals(CANONICAL, f64At(instance, 16));
        long[] r = jit.invoke(instance, 1, bits(2.0), SIGNALLING);
        assertEquals(CANONICAL, r[0]);
        assertEquals(CANONICAL, f64At(instance, 8));
        jit.invoke(instance, 2, 0, 0);
        assertEquals(0x7fc00000, ByteBuffer.wrap(instance.memory().snapshot()).order(ByteOrder.LITTLE_ENDIAN).getInt(32));
    }

    @Test
    void infinitiesWhoseSumIsNaNAreStoredUnchanged() {
        Module m = module();
        Instance instance = new Instance(m, (mod, name, type) -> null, InstanceOptions.defaults());
        new JitEngine(m).invoke(instance, 0, bits(Double.POSITIVE_INFINITY), bits(-2.0));
        assertEquals(bits(Double.POSITIVE_INFINITY), f64At(instance, 0));
        assertEquals(bits(Double.NEGATIVE_INFINITY), f64At(instance, 8));
        assertEquals(bits(Double.POSITIVE_INFINITY), f64At(instance, 16));
        new JitEngine(m).invoke(instance, 0, bits(Double.NEGATIVE_INFINITY), bits(Double.POSITIVE_INFINITY));
        assertEquals(CANONICAL, f64At(instance, 0));
        assertEquals(bits(Double.NEGATIVE_INFINITY), f64At(instance, 8));
        assertEquals(bits(Double.NEGATIVE_INFINITY), f64At(instance, 16));
    }

    @Test
    void finiteResultsKeepTheirBits() {
        Module m = module();
        Instance instance = new Instance(m, (mod, name, type) -> null, InstanceOptions.defaults());
        new JitEngine(m).invoke(instance, 0, bits(-0.0), bits(0.1));
        assertEquals(bits(-0.0 + 0.1), f64At(instance, 0));
        assertEquals(bits(-0.0 * 0.1), f64At(instance, 8));
        assertEquals(bits(-0.0 - 0.1), f64At(instance, 16));
    }
}
