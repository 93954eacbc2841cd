package dev.cella.wasm;

import dev.cella.isa.CellaException;

/**
 * A WebAssembly module cannot be imported: it is malformed (a bad binary encoding), invalid (well
 * formed but ill-typed or referring to something that does not exist), uses a feature Cella does
 * not translate, or can never be instantiated (a segment that cannot fit). Every instance names
 * the byte offset in the {@code .wasm} file where the problem was found and the reason.
 */
public final class WasmException extends CellaException {
    /** What went wrong, in the terms of the WebAssembly specification's failure classes. */
    public enum Kind {
        /** The binary does not decode (spec: assert_malformed). */
        MALFORMED("malformed"),
        /** The binary decodes but does not validate (spec: assert_invalid). */
        INVALID("invalid"),
        /** The module is valid but uses a feature the importer does not translate; the reason names it. */
        UNSUPPORTED("unsupported"),
        /** The module is valid but instantiating it always fails (spec: assert_uninstantiable). */
        UNINSTANTIABLE("uninstantiable");

        /** The adjective used in messages. */
        public final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    private final Kind kind;
    private final long offset;
    private final String reason;

    /**
     * @param kind the failure class
     * @param offset the byte offset in the Wasm binary the problem was found at
     * @param reason what is wrong, without the offset
     */
    public WasmException(Kind kind, long offset, String reason) {
        super(describe(kind, offset) + reason);
        this.kind = kind;
        this.offset = offset;
        this.reason = reason;
    }

    private static String describe(Kind kind, long offset) {
        String what = kind == Kind.UNSUPPORTED ? "unsupported wasm feature" : kind.word + " wasm module";
        return what + " at offset " + offset + " (0x" + Long.toHexString(offset) + "): ";
    }

    static WasmException malformed(long offset, String reason) {
        return new WasmException(Kind.MALFORMED, offset, reason);
    }

    static WasmException invalid(long offset, String reason) {
        return new WasmException(Kind.INVALID, offset, reason);
    }

    static WasmException unsupported(long offset, String feature) {
        return new WasmException(Kind.UNSUPPORTED, offset, feature);
    }

    static WasmException uninstantiable(long offset, String reason) {
        return new WasmException(Kind.UNINSTANTIABLE, offset, reason);
    }

    /** The failure class. */
    public Kind kind() {
        return kind;
    }

    /** The byte offset in the Wasm binary at which the problem was found. */
    public long offset() {
        return offset;
    }

    /** The problem without the offset; for {@link Kind#UNSUPPORTED} it names the feature. */
    public String reason() {
        return reason;
    }
}
