package dev.cella.tools.batch;

import dev.cella.isa.CellaException;

/**
 * A batch file cannot be run: it cannot be read, a line does not parse, or a guest it names
 * cannot be loaded or instantiated. The message starts with {@code file:line:} where a line is
 * concerned. When a guest failed to load, the cause is the typed failure (a missing file, a
 * malformed binary, an assembly or verification error, a link error), so that a caller can map
 * it as it maps the same failure of a single run.
 */
public final class BatchFileException extends CellaException {
    private final boolean missingInput;

    /**
     * @param missingInput true if a file the batch itself reads (the batch file, a stdin file)
     *     does not exist or cannot be read; a guest's binary or mounted directory that is missing
     *     is reported through the cause instead (a {@link dev.cella.tools.FileAccessException}, as
     *     for {@code cella run})
     */
    public BatchFileException(String message, boolean missingInput) {
        super(message);
        this.missingInput = missingInput;
    }

    /** A guest of the batch could not be loaded or instantiated because of {@code cause}. */
    public BatchFileException(String message, CellaException cause) {
        super(message, cause);
        this.missingInput = false;
    }

    /** True if a file the batch itself reads does not exist or cannot be read (see the constructor). */
    public boolean missingInput() {
        return missingInput;
    }
}
