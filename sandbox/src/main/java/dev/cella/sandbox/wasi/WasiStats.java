package dev.cella.sandbox.wasi;

/** What a cell's guest did through WASI's streams and opens, for its accounting. */
public final class WasiStats {
    long stdinRead;
    long stdoutWritten;
    long stderrWritten;
    long filesOpened;

    /** Bytes the guest read from stdin. */
    public long stdinRead() {
        return stdinRead;
    }

    /** Bytes the guest wrote to stdout (counted even when stdout is discarded). */
    public long stdoutWritten() {
        return stdoutWritten;
    }

    /** Bytes the guest wrote to stderr (counted even when stderr is discarded). */
    public long stderrWritten() {
        return stderrWritten;
    }

    /** Successful path_open calls (files and directories). */
    public long filesOpened() {
        return filesOpened;
    }
}
