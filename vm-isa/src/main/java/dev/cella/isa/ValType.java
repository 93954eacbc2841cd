package dev.cella.isa;

/**
 * The value types of Cella registers, globals and signatures: four numeric types and two
 * reference types; and {@link #V128}, which is only an operand type.
 *
 * <p>At run time every value is held as a {@code long} of raw bits: an i32 as its sign-extended
 * int value, an f32 as {@link Float#floatToRawIntBits} (zero-extended), an f64 as {@link
 * Double#doubleToRawLongBits}. A reference is 0 for null, so that a register or a table element
 * that starts at zero is null; a funcref is otherwise its function index plus one (plus, for
 * instances linked to others, its instance's number in the store shifted left by 32: see
 * dev.cella.vm.Store), an externref its host handle plus one (see {@link #isReference}). The binary codes are WebAssembly's, so hex
 * dumps read alike.
 */
public enum ValType {
    I32(0x7F),
    I64(0x7E),
    F32(0x7D),
    F64(0x7C),
    /** A reference to a function of the module, or null. */
    FUNCREF(0x70),
    /** An opaque reference the host gives the guest, or null. */
    EXTERNREF(0x6F),
    /**
     * A 128-bit vector operand of the SIMD instructions: it names a pair of consecutive i64
     * registers, r (lanes of bytes 0-7, little-endian) and r+1 (bytes 8-15). It is not a register
     * or global type: the binary and text readers and the verifier reject it there. A signature
     * may declare it, for a pair of i64 values it marks ({@link dev.cella.isa.module.FuncType#declared}).
     */
    V128(0x7B);

    /** The raw bits of a null reference of either reference type. */
    public static final long NULL_REF = 0;

    /** The register, global and signature types: all but {@link #V128}. */
    public static final java.util.List<ValType> SCALARS = java.util.List.of(I32, I64, F32, F64, FUNCREF, EXTERNREF);

    private static final ValType[] BY_CODE = new ValType[0x80];

    static {
        for (ValType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** The byte that stands for this type in the binary format. */
    public final int code;

    /** The name used in text and documentation: {@code i32}, {@code i64}, {@code f32}, {@code f64}, {@code funcref}, {@code externref}. */
    public final String text;

    ValType(int code) {
        this.code = code;
        this.text = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True for the reference types, funcref and externref. */
    public boolean isReference() {
        return this == FUNCREF || this == EXTERNREF;
    }

    /** True for the types a register, global or signature may have (all but {@link #V128}). */
    public boolean isScalar() {
        return this != V128;
    }

    /** Returns the type with binary code {@code code}, or null if there is none. */
    public static ValType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Returns the type named {@code text} ({@code "i32"} and so on), or null if there is none. */
    public static ValType fromText(String text) {
        for (ValType t : values()) {
            if (t.text.equals(text)) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
