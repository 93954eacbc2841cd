package dev.cella.wasm.wast;

/**
 * Ends the current script command as skipped, with the reason as message: it needs something the
 * importer does not translate (a value type, a text-format module, a module that was unavailable).
 * Never escapes a {@link WastSession}.
 */
final class SkipCommand extends RuntimeException {
    SkipCommand(String reason) {
        super(reason, null, false, false);
    }
}
