package dev.cella.isa.text;

import dev.cella.isa.CellaException;

/**
 * A text module ({@code .casm}) cannot be assembled: thrown by {@link Assembler}, naming the file,
 * the line and column (both counted from 1) where the problem was found, and what was expected.
 * The message reads {@code file:line:column: reason}.
 */
public final class AssemblyException extends CellaException {
    private final String file;
    private final int line;
    private final int column;
    private final String reason;

    /**
     * @param file the source's name as given to the assembler
     * @param line the line of the offending token, from 1
     * @param column the column (in UTF-16 chars) of the offending token, from 1
     * @param reason what is wrong, without the location
     */
    public AssemblyException(String file, int line, int column, String reason) {
        super(file + ":" + line + ":" + column + ": " + reason);
        this.file = file;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    /** The source's name, as given to the assembler. */
    public String file() {
        return file;
    }

    /** The line of the problem, counted from 1. */
    public int line() {
        return line;
    }

    /** The column of the problem, counted from 1 in UTF-16 chars (a tab counts as one). */
    public int column() {
        return column;
    }

    /** The problem, without the location. */
    public String reason() {
        return reason;
    }
}
