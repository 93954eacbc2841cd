package dev.cella.vm.conformance;

import dev.cella.isa.CellaException;

/**
 * A conformance script ({@code .cst}) is not well-formed. The message reads
 * {@code file:line: reason}; the script, not an engine, is at fault.
 */
public final class ScriptFormatException extends CellaException {
    private final String file;
    private final int line;

    /**
     * @param file the script's name
     * @param line the 1-based line of the problem
     * @param reason what is wrong and what was expected
     */
    public ScriptFormatException(String file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
    }

    /** The script's name. */
    public String file() {
        return file;
    }

    /** The 1-based line of the problem. */
    public int line() {
        return line;
    }
}
