package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.VerifyException;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.text.Disassembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * The SIMD instructions in assembly, on both engines: known results (so a wrong half, lane or
 * operand order shows), operands that overlap the result, the text round trip, and the
 * verifier's checks of v128 operands and lane immediates.
 */
class SimdEnginesTest {
    /**
     * {@code mix(a, b)}, with v128 x = (a, b) and y = (b, a): i8x16.add_sat_s(x, y), then
     * i16x8.shl by 17 (so by 1), written back over its own operand, then a shuffle taking bytes
     * of both; it returns the vector and i8x16.bitmask of it.
     */
    private static final String PROGRAM = """
            func mix(a: i64, b: i64) -> (i64, i64, i32) {
                reg x: i64, xh: i64, y: i64, yh: i64, n: i32, m: i32
                i64.mov x, a
                i64.mov xh, b
                i64.mov y, b
                i64.mov yh, a
                v128.binary x, x, y, 111
                i32.const n, 17
                v128.shift x, x, n, 139
                v128.shuffle y, x, y, 0x1716151413121110, 0x0706050403020100
                v128.test m, y, 100
                ret y, yh, m
            }
            func lanes(a: i32) -> (i32, i32) {
                reg v: i64, vh: i64, r: i32, s: i32
                v128.splat v, a, 15
                v128.replace v, v, a, 28, 3
                v128.extract r, v, 21, 15
                v128.extract s, v, 25, 7
                ret r, s
            }
            export func mix
            export func lanes
            """;

    private static Module module() {
        Module m = Assembler.assemble(PROGRAM, "simd.casm");
        Verifier.verify(m);
        return m;
    }

    private static long[] run(boolean jit, int function, long... args) {
        Module m = module();
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        return jit ? new JitEngine(m).invoke(instance, function, args) : new Interpreter(m).invoke(instance, function, args);
    }

    @Test
    void bothEnginesComputeTheKnownResults() {
        long a = 0x7F7F_0102_8080_FF10L; // bytes, lane 0 first: 10 ff 80 80 02 01 7f 7f
        long b = 0x0101_7F7F_FF80_1020L; //                       20 10 80 ff 7f 7f 01 01
        // add_sat_s, both halves alike: 30 0f 80 80 7f 7f 7f 7f (-128 + -128 and 2 + 127 saturate).
        // Its i16 lanes 0f30 8080 7f7f 7f7f shifted left by 17 mod 16 = 1:
        long shl = 0xFEFE_FEFE_0100_1E60L;
        // The shuffle takes bytes 16-23 (y's low half, b) then 0-7 (x's low half, shl); the
        // bitmask has the top bits of b's bytes 2, 3 and shl's bytes 4-7 (lanes 12-15).
        long[] expected = {b, shl, 0xF00C};
        for (boolean jit : new boolean[] {false, true}) {
            assertArrayEquals(expected, run(jit, 0, a, b), jit ? "jit" : "interp");
        }
    }

    @Test
    void lanesAreExtractedAndReplacedInPlace() {
        for (boolean jit : new boolean[] {false, true}) {
            // Lane 15 of the bytes (top byte of i32 lane 3, replaced by 0x12345680) is 0x12; lane 7 of
            // the i16 lanes is its top half.
            assertArrayEquals(new long[] {0x12, 0x1234}, run(jit, 1, 0x12345680L), jit ? "jit" : "interp");
        }
    }

    @Test
    void theDisassemblyReassemblesToTheSameCode() {
        Module m = module();
        Module again = Assembler.assemble(Disassembler.disassemble(m), "again.casm");
        for (int f = 0; f < m.functions().size(); f++) {
            assertArrayEquals(m.functions().get(f).code(), again.functions().get(f).code());
        }
        assertTrue(Disassembler.disassemble(m).contains("v128.shuffle"));
    }

    @Test
    void theVerifierChecksPairsLaneOperationsAndLaneIndices() {
        String wrongShape = PROGRAM.replace("v128.binary x, x, y, 111", "v128.binary x, x, y, 96");
        VerifyException e = assertThrows(VerifyException.class,
                () -> Verifier.verify(Assembler.assemble(wrongShape, "bad.casm")));
        assertTrue(e.getMessage().contains("lane operation 96"), e.getMessage());
        String noPair = PROGRAM.replace("v128.test m, y, 100", "v128.test m, yh, 100");
        e = assertThrows(VerifyException.class, () -> Verifier.verify(Assembler.assemble(noPair, "bad.casm")));
        assertTrue(e.getMessage().contains("v128 is required") && e.getMessage().contains("has type i32"), e.getMessage());
        String badLane = PROGRAM.replace("v128.extract r, v, 21, 15", "v128.extract r, v, 21, 16");
        e = assertThrows(VerifyException.class, () -> Verifier.verify(Assembler.assemble(badLane, "bad.casm")));
        assertTrue(e.getMessage().contains("lane index 16"), e.getMessage());
    }
}
