package dev.cella.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.cella.isa.module.Module;
import dev.cella.jit.JitEngine;
import dev.cella.vm.Engine;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/**
 * Random structured functions ({@link RandomProgram}) translate to Cella code that computes what
 * Wasm's semantics say, on both engines.
 */
class TranslationPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    /** The translated module of {@code p}: one function (i32, i32, i32) -> i32 exported as "f". */
    static byte[] wasm(RandomProgram p) {
        int i32 = WasmBinary.I32;
        byte[] code = p.code();
        byte[] locals = WasmBinary.bytes(0x01, WasmBinary.uleb(p.extraLocals()), i32);
        byte[] body = WasmBinary.bytes(locals, code);
        return WasmBinary.module(
                WasmBinary.section(1, WasmBinary.vec(WasmBinary.funcType(new int[] {i32, i32, i32}, new int[] {i32}))),
                WasmBinary.section(3, WasmBinary.vec(0x00)),
                WasmBinary.section(7, WasmBinary.vec(WasmBinary.bytes("f", 0x00, 0x00))),
                WasmBinary.section(10, WasmBinary.vec(WasmBinary.bytes(WasmBinary.uleb(body.length), body))));
    }

    private static int call(Module m, Engine engine, int a, int b, int c) {
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        return (int) engine.invoke(instance, 0, a, b, c)[0];
    }

    @Test
    void randomFunctionsComputeWhatWasmSemanticsSay() {
        qt().withExamples(EXAMPLES)
                .forAll(longs().all(), integers().all(), integers().between(-3, 3), integers().all())
                .checkAssert((seed, a, b, c) -> {
                    RandomProgram p = new RandomProgram(seed);
                    Module m = WasmImporter.translate(wasm(p));
                    int expected = p.run(a, b, c);
                    assertEquals(expected, call(m, new Interpreter(m), a, b, c),
                            "program of seed " + seed + " on the interpreter");
                    assertEquals(expected, call(m, new JitEngine(m), a, b, c),
                            "program of seed " + seed + " on the JIT");
                });
    }
}
