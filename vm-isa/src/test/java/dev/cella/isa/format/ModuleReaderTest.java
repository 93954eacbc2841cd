package dev.cella.isa.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.FormatException;
import dev.cella.isa.code.ByteOutput;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Well-formedness rules of the reader: each kind of malformed input, with its exact offset. */
class ModuleReaderTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** The 8-byte header followed by {@code sections}; the first section id is at offset 8. */
    private static byte[] binary(int... sections) {
        byte[] body = bytes(sections);
        byte[] b = new byte[Section.HEADER_SIZE + body.length];
        System.arraycopy(bytes(0x00, 0x43, 0x45, 0x4C, 1, 0, 0, 0), 0, b, 0, Section.HEADER_SIZE);
        System.arraycopy(body, 0, b, Section.HEADER_SIZE, body.length);
        return b;
    }

    /** Reads {@code input}, expecting a FormatException at {@code offset} whose reason has {@code words}. */
    private static void assertRejected(byte[] input, long offset, String words) {
        FormatException e = assertThrows(FormatException.class, () -> ModuleReader.read(input));
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.reason().contains(words), e.getMessage());
        assertTrue(e.getMessage().contains("offset " + offset), e.getMessage());
    }

    @Test
    void rejectsEmptyAndTruncatedHeaders() {
        assertRejected(bytes(), 0, "unexpected end of input in the magic number");
        assertRejected(bytes(0x00, 0x43), 2, "unexpected end of input in the magic number");
        assertRejected(bytes(0x00, 0x43, 0x45, 0x4C, 1, 0), 4, "unexpected end of input");
    }

    @Test
    void rejectsABadMagicNumber() {
        assertRejected(bytes(0x7F, 0x45, 0x4C, 0x46, 1, 0, 0, 0), 0, "bad magic number");
        assertRejected(bytes(0x00, 0x61, 0x73, 0x6D, 1, 0, 0, 0), 0, "bad magic number");
        assertRejected(bytes(0x00, 0x43, 0x45, 0x4D), 0, "bad magic number");
    }

    @Test
    void rejectsAnUnsupportedVersion() {
        assertRejected(bytes(0x00, 0x43, 0x45, 0x4C, 2, 0, 0, 0), 4, "unsupported version 2");
        assertRejected(bytes(0x00, 0x43, 0x45, 0x4C, 0xFF, 0xFF, 0xFF, 0xFF), 4, "unsupported version 4294967295");
    }

    @Test
    void rejectsASectionCutOffBeforeItsSize() {
        assertRejected(binary(0x01), 9, "unexpected end of input in LEB128 number");
    }

    @Test
    void rejectsATruncatedLeb128() {
        assertRejected(binary(0x01, 0x80), 9, "unexpected end of input in LEB128 number");
        assertRejected(binary(0x01, 0x80, 0x80, 0x80, 0x80), 9, "unexpected end of input in LEB128 number");
    }

    @Test
    void rejectsALeb128LongerThanFiveBytes() {
        assertRejected(binary(0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 9, "LEB128 number too large for 32 bits");
    }

    @Test
    void rejectsALeb128TooLargeForItsWidth() {
        assertRejected(binary(0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F), 9, "LEB128 number too large for 32 bits");
        // An i32 global whose signed LEB128 has bits beyond the sign extension of bit 31.
        assertRejected(binary(0x05, 0x08, 0x01, 0x7F, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x4F), 13,
                "LEB128 number too large for 32 bits");
        // An i64 global whose tenth byte is neither 0x00 nor 0x7F.
        assertRejected(binary(0x05, 0x0D, 0x01, 0x7E, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0x01), 13, "LEB128 number too large for 64 bits");
    }

    @Test
    void acceptsALeb128PaddedToFiveBytes() {
        Module m = ModuleReader.read(binary(0x01, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00));
        assertTrue(m.types().isEmpty());
    }

    @Test
    void rejectsAnUnknownSectionId() {
        assertRejected(binary(0x0C, 0x00), 8, "unknown section id 12");
        assertRejected(binary(0x01, 0x01, 0x00, 0x00, 0x00), 11, "unknown section id 0");
    }

    @Test
    void rejectsSectionsOutOfOrder() {
        assertRejected(binary(0x02, 0x01, 0x00, 0x01, 0x01, 0x00), 11,
                "type section (id 1) after the import section (id 2)");
    }

    @Test
    void rejectsADuplicateSection() {
        assertRejected(binary(0x01, 0x01, 0x00, 0x01, 0x01, 0x00), 11, "duplicate type section");
    }

    @Test
    void rejectsASectionSizePastTheEnd() {
        assertRejected(binary(0x01, 0x05, 0x00), 9, "type section size 5 runs past the end of the input");
    }

    @Test
    void rejectsAPayloadShorterThanItsSection() {
        assertRejected(binary(0x01, 0x02, 0x00, 0x00), 11, "type section size mismatch");
    }

    @Test
    void rejectsAPayloadThatRunsPastItsSectionEnd() {
        // The data section says 3 bytes, but its one segment needs 5 more bytes of data.
        assertRejected(binary(0x0A, 0x03, 0x01, 0x00, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65), 12,
                "data section size mismatch");
        // The type section says 2 bytes, but its one type needs a third for its result count.
        assertRejected(binary(0x01, 0x02, 0x01, 0x00, 0x00), 10, "type section size mismatch");
    }

    @Test
    void rejectsTrailingBytesAfterTheLastSection() {
        assertRejected(binary(0x0B, 0x03, 0x00, 0x00, 0x00, 0x01), 13, "trailing bytes");
    }

    @Test
    void rejectsAnUnknownValueType() {
        assertRejected(binary(0x01, 0x03, 0x01, 0x01, 0x7A), 12, "unknown value type 0x7a");
        assertRejected(binary(0x09, 0x05, 0x01, 0x03, 0x00, 0x01, 0x40), 14, "unknown value type 0x40");
        // v128 may stand in a signature (FuncTypeTest), never for a register.
        assertRejected(binary(0x09, 0x05, 0x01, 0x03, 0x00, 0x01, 0x7B), 14, "unknown value type 0x7b");
    }

    @Test
    void rejectsAnUnknownExportKind() {
        assertRejected(binary(0x06, 0x04, 0x01, 0x00, 0x04, 0x00), 12, "unknown export kind 4");
    }

    @Test
    void rejectsAnUnknownLimitsFlag() {
        assertRejected(binary(0x04, 0x03, 0x00, 0x02, 0x00), 11, "unknown memory limits flag 2");
        assertRejected(binary(0x04, 0x02, 0x02, 0x00), 10, "unknown memory mode 2");
        assertRejected(binary(0x03, 0x04, 0x01, 0x70, 0x05, 0x00), 12, "unknown table limits flag 5");
    }

    @Test
    void rejectsAnUnknownMutabilityFlag() {
        assertRejected(binary(0x05, 0x04, 0x01, 0x7F, 0x04, 0x00), 12, "unknown mutability flag 4");
    }

    @Test
    void rejectsNamesThatAreNotUtf8() {
        assertRejected(binary(0x02, 0x05, 0x01, 0x01, 0xFF, 0x00, 0x00), 11, "not valid UTF-8");
        // An encoded surrogate and an overlong encoding of NUL.
        assertRejected(binary(0x02, 0x07, 0x01, 0x03, 0xED, 0xA0, 0x80, 0x00, 0x00), 11, "not valid UTF-8");
        assertRejected(binary(0x06, 0x05, 0x01, 0x02, 0xC0, 0x80, 0x00), 11, "not valid UTF-8");
        assertRejected(binary(0x0B, 0x06, 0x01, 0x00, 0x01, 0xFF, 0x00, 0x00), 12, "not valid UTF-8");
    }

    @Test
    void rejectsAnUnknownOpcodeAtItsFileOffset() {
        assertRejected(binary(0x09, 0x06, 0x01, 0x04, 0x00, 0x00, 0xFF, 0x01), 14,
                "function 0, instruction at pc 0: unknown opcode 0xff");
        // With one import the defined function is function 1; nop at pc 0, then the bad opcode.
        assertRejected(binary(0x01, 0x03, 0x01, 0x00, 0x00, 0x02, 0x04, 0x01, 0x00, 0x00, 0x00,
                0x09, 0x06, 0x01, 0x04, 0x00, 0x00, 0x01, 0x24), 26,
                "function 1, instruction at pc 1: unknown opcode 0x24");
    }

    @Test
    void rejectsAnInstructionCutOffByTheEndOfItsBody() {
        // i32.const r0 without its immediate.
        assertRejected(binary(0x09, 0x06, 0x01, 0x04, 0x00, 0x00, 0x10, 0x00), 16,
                "unexpected end of input in LEB128 number");
    }

    @Test
    void rejectsARegisterOperandBeyondTheRegisterLimit() {
        // i32.mov r65536, r0.
        assertRejected(binary(0x09, 0x09, 0x01, 0x07, 0x00, 0x00, 0x14, 0x80, 0x80, 0x04, 0x00), 15,
                "register index 65536 exceeds the limit 65535");
    }

    @Test
    void rejectsMoreRegistersThanTheLimit() {
        int count = CodeReader.MAX_REGISTERS + 1;
        ByteOutput body = new ByteOutput().u32(0).u32(count);
        for (int i = 0; i < count; i++) {
            body.u8(0x7F);
        }
        ByteOutput payload = new ByteOutput().u32(1).u32(body.size()).bytes(body.toByteArray());
        byte[] section = new ByteOutput().u8(Section.CODE.id).u32(payload.size()).bytes(payload.toByteArray()).toByteArray();
        // id at 8, 3-byte section size, count at 12, 3-byte body size, type at 16, register count at 17.
        assertRejected(binary(toInts(section)), 17, "function 0 declares 65537 registers; the limit is 65536");
    }

    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    @Test
    void rejectsARegisterCountPastTheEndOfTheBody() {
        assertRejected(binary(0x09, 0x06, 0x01, 0x04, 0x00, 0x05, 0x7F, 0x7F), 13, "register count 5 exceeds");
    }

    @Test
    void rejectsAFunctionBodyPastTheEndOfItsSection() {
        assertRejected(binary(0x09, 0x04, 0x01, 0x05, 0x00, 0x00), 11, "function body byte count 5 exceeds");
    }

    @Test
    void rejectsACountLargerThanTheBytesLeft() {
        assertRejected(binary(0x01, 0x02, 0xE8, 0x07), 10, "type count 1000 exceeds the 0 bytes left");
        assertRejected(binary(0x0A, 0x07, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), 12, "data byte count 4294967295");
    }

    @Test
    void rejectsAnIndexThatDoesNotFitAnInt() {
        assertRejected(binary(0x07, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), 10,
                "start function index 4294967295 exceeds the limit 2147483647");
    }

    @Test
    void rejectsNamesOutOfIndexOrder() {
        assertRejected(binary(0x0B, 0x09, 0x02, 0x01, 0x01, 0x61, 0x00, 0x01, 0x62, 0x00, 0x00), 14,
                "function name index 0 follows index 1");
        assertRejected(binary(0x0B, 0x09, 0x02, 0x01, 0x01, 0x61, 0x01, 0x01, 0x62, 0x00, 0x00), 14,
                "function name index 1 follows index 1");
        assertRejected(binary(0x0B, 0x07, 0x00, 0x02, 0x01, 0x00, 0x01, 0x00, 0x00), 14,
                "register names: function 1 follows function 1");
    }

    @Test
    void dropsStoredDefaultNamesWhenReading() {
        // function 0 named "f0" (a default), function 1 named "a", global 2 named "g2" (a default).
        Module m = ModuleReader.read(binary(0x0B, 0x0E, 0x02, 0x00, 0x02, 0x66, 0x30, 0x01, 0x01, 0x61, 0x00, 0x01,
                0x02, 0x02, 0x67, 0x32));
        assertEquals(new Names(Map.of(1, "a"), Map.of(), Map.of()), m.names());
    }
}
