package dev.cella.wasm;

import static dev.cella.wasm.WasmBinary.END;
import static dev.cella.wasm.WasmBinary.I32;
import static dev.cella.wasm.WasmBinary.body;
import static dev.cella.wasm.WasmBinary.bytes;
import static dev.cella.wasm.WasmBinary.funcType;
import static dev.cella.wasm.WasmBinary.module;
import static dev.cella.wasm.WasmBinary.section;
import static dev.cella.wasm.WasmBinary.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every proposal the importer does not translate is rejected as {@link WasmException.Kind#UNSUPPORTED}
 * with the feature named in the message and the offset of the construct that needs it.
 */
class UnsupportedFeaturesTest {
    private static final int[] NONE = {};

    private record Case(String name, byte[] wasm, String feature, int offset) {}

    /** A module with a memory and one () -> () function with the given code, which starts at offset {@link #CODE}. */
    private static byte[] code(Object... code) {
        return module(section(1, vec(funcType(NONE, NONE))), section(3, vec(0x00)),
                section(5, vec(bytes(0x00, 0x01))), section(10, vec(body(code))));
    }

    private static final int CODE = 28;

    private static Stream<Case> cases() {
        return Stream.of(
                new Case("relaxed SIMD instructions", code(0xFD, 0x80, 0x02, END), "relaxed SIMD", CODE),
                new Case("host imports taking v128",
                        module(section(1, vec(funcType(new int[] {0x7B}, NONE))),
                                section(2, vec(bytes("env", "f", 0x00, 0x00)))),
                        "v128 parameter", 18),
                new Case("atomic instructions", code(0xFE, 0x03, 0x00, END), "threads", CODE),
                new Case("shared memories", module(section(5, vec(bytes(0x03, 0x01, 0x01)))), "threads", 11),
                new Case("tag imports", module(section(1, vec(funcType(NONE, NONE))),
                        section(2, vec(bytes("env", "e", 0x04, 0x00, 0x00)))), "tag import", 17),
                new Case("throw_ref", code(0x0A, END), "exnref", CODE),
                new Case("catch_all_ref clauses", code(0x1F, 0x40, 0x01, 0x03, 0x00, END, END), "exnref", CODE + 3),
                new Case("tail calls", code(0x12, 0x00, END), "tail calls", CODE),
                new Case("GC types", module(section(1, vec(bytes(0x5F, 0x00)))), "GC", 11),
                new Case("memory64", module(section(5, vec(bytes(0x04, 0x01)))), "memory64", 11),
                new Case("a second memory index", code(0x41, 0x00, 0x28, 0x42, 0x01, 0x00, 0x1A, END), "multi-memory", CODE + 3),
                new Case("mutable globals initialized from a reference import",
                        module(section(2, vec(bytes("env", "g", 0x03, 0x70, 0x00))),
                                section(6, vec(bytes(0x70, 0x01, 0x23, 0x00, END)))),
                        "a mutable global initialized from imported reference global env.g", 25),
                new Case("imports with several results",
                        module(section(1, vec(funcType(NONE, new int[] {I32, I32}))),
                                section(2, vec(bytes("env", "two", 0x00, 0x00)))),
                        "2 results", 19));
    }

    @TestFactory
    Stream<DynamicTest> everyUnsupportedFeatureIsNamedWithItsOffset() {
        return cases().map(c -> DynamicTest.dynamicTest("rejects " + c.name(), () -> {
            WasmException e = assertThrows(WasmException.class, () -> WasmImporter.translate(c.wasm()));
            assertEquals(WasmException.Kind.UNSUPPORTED, e.kind(), e.getMessage());
            assertTrue(e.reason().contains(c.feature()), e.getMessage());
            assertEquals(c.offset(), e.offset(), e.getMessage());
            assertTrue(e.getMessage().startsWith("unsupported wasm feature at offset " + c.offset()), e.getMessage());
        }));
    }
}
