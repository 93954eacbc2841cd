package dev.cella.isa;

/**
 * What an instruction operand is, and how it is encoded in a function body.
 *
 * <p>Encodings: {@code uLEB} is unsigned LEB128 of at most 32 bits, {@code sLEB} signed LEB128 of
 * the operand's width. Branch targets are fixed-width so that an assembler knows every
 * instruction's size before it knows where its labels are.
 */
public enum OperandKind {
    /** A register the instruction writes; uLEB register index. Has a value type. */
    DEF("d"),
    /** A register the instruction reads; uLEB register index. Has a value type. */
    USE("a"),
    /** An i32 immediate; sLEB32. */
    I32_IMM("k"),
    /** An i64 immediate; sLEB64. */
    I64_IMM("k"),
    /** An f32 immediate; its 4 raw bytes, little-endian. */
    F32_IMM("k"),
    /** An f64 immediate; its 8 raw bytes, little-endian. */
    F64_IMM("k"),
    /** A branch target: the byte offset of an instruction in the same function; u32 little-endian (4 bytes). */
    LABEL("L"),
    /** A list of branch targets: uLEB count, then that many u32 little-endian offsets. */
    LABELS("Ls"),
    /** A function index (imports first, then defined functions); uLEB. */
    FUNC("f"),
    /** A type index; uLEB. */
    TYPE("t"),
    /** A global index; uLEB. */
    GLOBAL("g"),
    /** A table index; uLEB. */
    TABLE("tab"),
    /** An element segment index; uLEB. */
    ELEM("e"),
    /** A static memory offset added to an address; uLEB (u32). */
    OFFSET("off"),
    /** A list of registers read: uLEB count, then uLEB register indices. Types come from a signature. */
    USES("args"),
    /** A list of registers written: uLEB count, then uLEB register indices. Types come from a signature. */
    DEFS("results");

    /** The placeholder name documentation uses for an operand of this kind. */
    public final String placeholder;

    OperandKind(String placeholder) {
        this.placeholder = placeholder;
    }

    /** True for the kinds that name one register. */
    public boolean isRegister() {
        return this == DEF || this == USE;
    }

    /** True for the kinds encoded as a count followed by elements. */
    public boolean isList() {
        return this == LABELS || this == USES || this == DEFS;
    }
}
