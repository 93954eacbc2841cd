package dev.cella.sandbox;

/**
 * The resources a cell's quotas bound. Each is enforced. Fuel, time, call depth and output stop
 * the guest with {@link QuotaExceeded} naming the quota. The others refuse the one request the
 * way a POSIX system would and let the guest go on, so it can save its work or clean up:
 * {@link #MEMORY} makes {@code memory.grow} return -1 (only an initial memory over the limit is
 * an error), {@link #OPEN_FILES} makes {@code path_open} fail with EMFILE, {@link #DISK} and
 * {@link #FILES_CREATED} make the write or create fail with EDQUOT. The defaults are in
 * {@link CellConfig} and {@code docs/sandbox.md}.
 */
public enum Quota {
    /** Guest work: one unit per instruction executed (charged per basic block). */
    FUEL("fuel", "units"),
    /** Wall-clock time of one run or call. */
    TIME("time", "ms"),
    /** Linear memory size. */
    MEMORY("memory", "bytes"),
    /** Guest frames active at once. */
    CALL_DEPTH("call depth", "frames"),
    /** Bytes written to stdout and stderr together. */
    OUTPUT("output", "bytes"),
    /** Descriptors the guest opened (path_open) that are open at once. */
    OPEN_FILES("open files", "descriptors"),
    /** Bytes written to files, holes included. */
    DISK("disk", "bytes"),
    /** Files, directories and symbolic links created. */
    FILES_CREATED("files created", "files");

    /** The quota's name in messages and JSON. */
    public final String label;
    /** The unit its limit and usage are counted in. */
    public final String unit;

    Quota(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }
}
