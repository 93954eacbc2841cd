package dev.cella.tools;

import dev.cella.isa.CellaException;

/**
 * A file the command needs cannot be read (missing, a directory, no permission) or an output
 * file cannot be written. The message names the path and the reason. The command line maps an
 * input problem to {@link ExitCode#NO_INPUT} and an output problem to
 * {@link ExitCode#CANNOT_WRITE}.
 */
public final class FileAccessException extends CellaException {
    private final boolean output;

    private FileAccessException(String message, boolean output, Throwable cause) {
        super(message, cause);
        this.output = output;
    }

    /** An input (a program, a --stdin file, a mounted directory) cannot be read. */
    static FileAccessException input(String path, String reason, Throwable cause) {
        return new FileAccessException(path + ": " + reason, false, cause);
    }

    /** An output file cannot be written. */
    static FileAccessException output(String path, String reason, Throwable cause) {
        return new FileAccessException(path + ": cannot write: " + reason, true, cause);
    }

    /** True if an output file could not be written, false for an unreadable input. */
    boolean isOutput() {
        return output;
    }
}
