package dev.cella.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.Opcode;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Translation quality, measured without timing: the instructions a translated function executes
 * (its fuel, one unit per instruction) against those of the same algorithm written by hand in
 * Cella assembly (src/test/resources/handwritten/quality.casm), and the exact code of small loops.
 */
class TranslationQualityTest {
    static byte[] resource(String path) {
        try (InputStream in = TranslationQualityTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new AssertionError("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code calls} in order on a fresh instance of {@code module}; returns the last result and the fuel used. */
    private static long[] run(Module module, String[] exports, long[][] args) {
        Instance instance = new Instance(module, ImportResolver.NONE, InstanceOptions.defaults());
        Interpreter engine = new Interpreter(module);
        long result = 0;
        for (int i = 0; i < exports.length; i++) {
            long[] r = engine.invoke(instance, instance.exportedFunction(exports[i]), args[i]);
            result = r.length == 0 ? 0 : r[0];
        }
        return new long[] {result, instance.fuelUsed()};
    }

    private static void assertClose(String what, String[] exports, long[][] args, double maxRatio) {
        Module translated = WasmImporter.translate(resource("/wast/quality/quality.0.wasm"));
        Module handwritten = Assembler.assemble(
                new String(resource("/handwritten/quality.casm"), StandardCharsets.UTF_8), "quality.casm");
        Verifier.verify(handwritten);
        long[] t = run(translated, exports, args);
        long[] h = run(handwritten, exports, args);
        assertEquals(h[0], t[0], what + ": the two versions disagree");
        double ratio = (double) t[1] / h[1];
        assertTrue(ratio <= maxRatio, what + ": the translation executes " + t[1] + " instructions, the hand-written code "
                + h[1] + " (ratio " + ratio + ", at most " + maxRatio + " allowed)");
    }

    @Test
    void recursiveFibonacciExecutesAlmostAsFewInstructionsAsHandWrittenCode() {
        assertClose("fib(22)", new String[] {"fib"}, new long[][] {{22}}, 1.10);
    }

    @Test
    void sieveExecutesAsFewInstructionsAsHandWrittenCode() {
        assertClose("sieve(60000)", new String[] {"sieve"}, new long[][] {{60000}}, 1.02);
    }

    @Test
    void floatLoopsExecuteAsFewInstructionsAsHandWrittenCode() {
        assertClose("fill and dot", new String[] {"fill", "fill", "dot"},
                new long[][] {{0, 1000, Double.doubleToRawLongBits(1)}, {8000, 1000, Double.doubleToRawLongBits(2)},
                        {0, 8000, 1000}}, 1.02);
    }

    /** The instructions of function {@code index}'s body. */
    static List<Opcode> opcodes(Module m, int index) {
        List<Opcode> out = new ArrayList<>();
        CodeReader r = new CodeReader(m.function(index).code(), 0);
        while (r.hasNext()) {
            Instruction insn = r.next();
            out.add(insn.opcode());
        }
        return out;
    }

    @Test
    void aCountingLoopBecomesAnAddAndACompareAndBranch() {
        // (func (param $i i32) (param $n i32) (result i32)
        //   (loop (local.set $i (i32.add (local.get $i) (i32.const 1)))
        //         (br_if 0 (i32.lt_s (local.get $i) (local.get $n))))
        //   (local.get $i))
        byte[] wasm = WasmBinary.module(
                WasmBinary.section(1, WasmBinary.vec(WasmBinary.funcType(new int[] {WasmBinary.I32, WasmBinary.I32},
                        new int[] {WasmBinary.I32}))),
                WasmBinary.section(3, WasmBinary.vec(0x00)),
                WasmBinary.section(10, WasmBinary.vec(WasmBinary.body(
                        0x03, 0x40,
                        0x20, 0x00, 0x41, 0x01, 0x6A, 0x21, 0x00,
                        0x20, 0x00, 0x20, 0x01, 0x48, 0x0D, 0x00,
                        WasmBinary.END,
                        0x20, 0x00, WasmBinary.END))));
        Module m = WasmImporter.translate(wasm);
        // The constant 1 is loaded once before the loop; the loop is two instructions.
        assertEquals(List.of(Opcode.I32_CONST, Opcode.I32_ADD, Opcode.I32_BR_LT_S, Opcode.RET), opcodes(m, 0));
    }

    @Test
    void anIfElseAtTheEndOfAFunctionReturnsFromBothArms() {
        // (func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 7)) (else (i32.const 9))))
        byte[] wasm = WasmBinary.module(
                WasmBinary.section(1, WasmBinary.vec(WasmBinary.funcType(new int[] {WasmBinary.I32},
                        new int[] {WasmBinary.I32}))),
                WasmBinary.section(3, WasmBinary.vec(0x00)),
                WasmBinary.section(10, WasmBinary.vec(WasmBinary.body(
                        0x20, 0x00, 0x04, WasmBinary.I32, 0x41, 0x07, 0x05, 0x41, 0x09, WasmBinary.END,
                        WasmBinary.END))));
        Module m = WasmImporter.translate(wasm);
        assertEquals(List.of(Opcode.BR_UNLESS, Opcode.I32_CONST, Opcode.RET, Opcode.I32_CONST, Opcode.RET),
                opcodes(m, 0));
    }
}
