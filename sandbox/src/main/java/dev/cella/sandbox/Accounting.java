package dev.cella.sandbox;

import java.util.Locale;

/**
 * What a cell's guest used, and how its last run or call ended. Counters cover the cell's whole
 * life (every run and call so far); times add up the runs and calls.
 *
 * @param outcome how the last run or call ended, or null if none has ended yet
 * @param exitStatus the exit status if the outcome is EXITED, else -1
 * @param ending a readable description of the ending ("exited with status 0", the error's message)
 * @param quota the quota that stopped the guest, or null
 * @param fuelUsed fuel units charged
 * @param peakMemoryBytes the largest the linear memory has been
 * @param stdinBytesRead bytes read from stdin
 * @param stdoutBytesWritten bytes written to stdout (counted even when discarded)
 * @param stderrBytesWritten bytes written to stderr (counted even when discarded)
 * @param fsBytesRead bytes read from files
 * @param fsBytesWritten bytes written to files, holes a write or resize opened included (what
 *     the disk quota counts)
 * @param filesOpened successful path_open calls
 * @param filesCreated files, directories and symbolic links created
 * @param memoryGrowsRefused memory.grow requests refused because of the memory cap
 * @param wallNanos wall-clock time spent running guest code
 * @param cpuNanos CPU time spent running guest code, on every thread that ran it ({@link dev.cella.vm.GuestCpu};
 *     a virtual thread's own share cannot be measured and counts as 0)
 */
public record Accounting(Outcome outcome, int exitStatus, String ending, Quota quota, long fuelUsed,
        long peakMemoryBytes, long stdinBytesRead, long stdoutBytesWritten, long stderrBytesWritten, long fsBytesRead,
        long fsBytesWritten, long filesOpened, long filesCreated, long memoryGrowsRefused, long wallNanos,
        long cpuNanos) {

    /**
     * A readable report, one quantity per line, for {@code cella run --stats} (whose JSON form the
     * command line writes itself, from these fields).
     */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        line(sb, "outcome", outcome == null ? "not run" : outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + (outcome == Outcome.EXITED ? " (status " + exitStatus + ")" : ""));
        if (outcome != null && outcome != Outcome.EXITED) {
            line(sb, "reason", ending);
        }
        line(sb, "fuel used", String.format(Locale.ROOT, "%,d", fuelUsed));
        line(sb, "peak memory", bytes(peakMemoryBytes));
        line(sb, "wall time", millis(wallNanos));
        line(sb, "cpu time", millis(cpuNanos));
        line(sb, "stdin read", bytes(stdinBytesRead));
        line(sb, "stdout written", bytes(stdoutBytesWritten));
        line(sb, "stderr written", bytes(stderrBytesWritten));
        line(sb, "files read", bytes(fsBytesRead));
        line(sb, "files written", bytes(fsBytesWritten));
        line(sb, "files opened", String.format(Locale.ROOT, "%,d", filesOpened));
        line(sb, "files created", String.format(Locale.ROOT, "%,d", filesCreated));
        if (memoryGrowsRefused > 0) {
            line(sb, "grows refused", String.format(Locale.ROOT, "%,d", memoryGrowsRefused));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "%-15s %s%n", label, value));
    }

    private static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d bytes", n);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
