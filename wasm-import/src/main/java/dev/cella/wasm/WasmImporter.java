package dev.cella.wasm;

import dev.cella.isa.module.Module;
import java.util.Objects;

/**
 * Imports WebAssembly: translates a Wasm binary module (1.0 plus sign extension, non-trapping
 * float-to-int conversions, multi-value, bulk memory and mutable-global export) into an
 * equivalent, verified Cella module. Wasm function imports become Cella imports with the same
 * module and field names, so a WASI program's {@code wasi_snapshot_preview1} imports bind to the
 * sandbox's host ABI; exports, the start function, memory, table and globals keep their indices.
 * See {@code docs/wasm.md} for what is supported and how the translation works.
 *
 * <p>Thread-safe: every call works on its own state.
 */
public final class WasmImporter {
    private WasmImporter() {}

    /**
     * True if {@code bytes} start with the Wasm magic number ({@code \0asm}): a way to tell a
     * {@code .wasm} file from a Cella binary or text whatever the file is called.
     */
    public static boolean isWasm(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm';
    }

    /**
     * Translates {@code wasm}; a module that imports a global is rejected (see {@link
     * #translate(byte[], GlobalImports)}).
     *
     * @param wasm the bytes of a {@code .wasm} file; not modified
     * @return a module that has passed {@link dev.cella.isa.verify.Verifier}
     * @throws WasmException if the binary is malformed or invalid, uses an unsupported feature, or
     *     can never be instantiated; the exception names the byte offset and the reason
     * @throws NullPointerException if {@code wasm} is null
     */
    public static Module translate(byte[] wasm) {
        return translate(wasm, GlobalImports.NONE);
    }

    /**
     * Translates {@code wasm}, binding its immutable global imports to the values {@code globals}
     * gives.
     *
     * @param wasm the bytes of a {@code .wasm} file; not modified
     * @param globals the values of imported immutable globals
     * @return a module that has passed {@link dev.cella.isa.verify.Verifier}
     * @throws WasmException as {@link #translate(byte[])}
     * @throws dev.cella.isa.VerifyException only if the importer itself is wrong (its output is
     *     always verified, so a bug cannot produce a module that runs)
     */
    public static Module translate(byte[] wasm, GlobalImports globals) {
        return translate(wasm, globals, TagImports.OWN);
    }

    /**
     * Translates {@code wasm}, binding its immutable global imports to the values {@code globals}
     * gives and numbering its exception tags as {@code tags} says (which links tag imports).
     *
     * @throws WasmException as {@link #translate(byte[])}; a tag import {@code tags} does not bind
     *     is unsupported
     * @throws RuntimeException whatever {@code globals} or {@code tags} throw (an embedder's link error)
     */
    public static Module translate(byte[] wasm, GlobalImports globals, TagImports tags) {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(globals, "globals");
        Objects.requireNonNull(tags, "tags");
        WasmModule decoded = WasmReader.read(wasm);
        return new ModuleTranslator(wasm, decoded, globals, tags).translate();
    }
}
