package dev.cella.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The test helper that builds binaries must itself encode correctly. */
class WasmBinaryTest {
    @Test
    void encodesLeb128AsTheSpecificationDoes() {
        assertArrayEquals(new byte[] {0x00}, WasmBinary.uleb(0));
        assertArrayEquals(new byte[] {(byte) 0xE5, (byte) 0x8E, 0x26}, WasmBinary.uleb(624485));
        assertArrayEquals(new byte[] {0x7F}, WasmBinary.sleb(-1));
        assertArrayEquals(new byte[] {(byte) 0xC0, (byte) 0xBB, 0x78}, WasmBinary.sleb(-123456));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x01}, WasmBinary.sleb(128));
    }

    @Test
    void framesSectionsWithTheirSize() {
        assertArrayEquals(new byte[] {0x01, 0x04, 0x01, 0x60, 0x00, 0x00},
                WasmBinary.section(1, WasmBinary.vec(WasmBinary.funcType(new int[0], new int[0]))));
    }
}
