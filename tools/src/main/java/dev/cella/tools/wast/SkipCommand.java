package dev.cella.tools.wast;

import dev.cella.wasm.WasmException;

/**
 * Ends the current script command as skipped: it needs something the importer does not translate
 * (a value type, a text-format module, a module that was itself skipped). {@link #reason} is the
 * short category the summary counts skips by ("SIMD", "memory import"...); the message says
 * exactly what. Never escapes a {@link WastSession}.
 */
final class SkipCommand extends RuntimeException {
    /** The category of text-format modules: the only skips meant to stay (there is no .wat parser). */
    static final String TEXT_FORMAT = "text-format module";

    final String reason;

    SkipCommand(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    /** A skip for a feature the importer reports as unsupported. */
    static SkipCommand of(WasmException unsupported) {
        return new SkipCommand(category(unsupported.reason()), unsupported.getMessage());
    }

    /**
     * The category of an unsupported feature as the importer names it: "relaxed SIMD" for any of it, the kind
     * of import for imports ("memory import", not which one), else the text without opcode numbers,
     * digits replaced by N so that sizes do not make new categories.
     */
    static String category(String feature) {
        if (feature.startsWith("relaxed SIMD")) {
            return "relaxed SIMD";
        }
        int importAt = feature.indexOf("import ");
        String cut = importAt >= 0 ? feature.substring(0, importAt + "import".length()) : feature;
        return cut.replaceAll(" \\(opcode 0x[0-9a-f]+\\)", "").replaceAll("[0-9]+", "N");
    }
}
