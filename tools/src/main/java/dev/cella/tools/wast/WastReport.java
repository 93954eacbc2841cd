package dev.cella.tools.wast;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The outcome of running one WebAssembly script: for each command kind ({@code assert_return},
 * {@code assert_trap}, {@code module}...) how many passed, failed and were skipped, how many skips
 * each reason accounts for, and the line and message of every failure and skip.
 */
public final class WastReport {
    /** Counts for one command kind. */
    public record Tally(int passed, int failed, int skipped) {}

    /** A failed or skipped command: its line in the script, its kind and why. */
    public record Note(int line, String kind, String message) {
        @Override
        public String toString() {
            return "line " + line + " " + kind + ": " + message;
        }
    }

    private final String source;
    private final Map<String, int[]> tallies = new TreeMap<>();
    private final List<Note> failures = new ArrayList<>();
    private final List<Note> skips = new ArrayList<>();
    private final Map<String, Integer> skipReasons = new TreeMap<>();

    WastReport(String source) {
        this.source = source;
    }

    private int[] tally(String kind) {
        return tallies.computeIfAbsent(kind, k -> new int[3]);
    }

    void pass(String kind) {
        tally(kind)[0]++;
    }

    void fail(int line, String kind, String message) {
        tally(kind)[1]++;
        failures.add(new Note(line, kind, message));
    }

    /**
     * @param reason the short category the summary counts the skip under (see {@link SkipCommand})
     * @param detail what exactly was not supported
     */
    void skip(int line, String kind, String reason, String detail) {
        tally(kind)[2]++;
        skips.add(new Note(line, kind, reason + ": " + detail));
        skipReasons.merge(reason, 1, Integer::sum);
    }

    /** How many commands each reason skipped, sorted by reason. */
    public Map<String, Integer> skipsByReason() {
        return Collections.unmodifiableMap(skipReasons);
    }

    /** The script this report is about. */
    public String source() {
        return source;
    }

    /** Counts per command kind, sorted by kind. */
    public Map<String, Tally> byKind() {
        Map<String, Tally> out = new TreeMap<>();
        tallies.forEach((k, t) -> out.put(k, new Tally(t[0], t[1], t[2])));
        return Collections.unmodifiableMap(out);
    }

    public int passed() {
        return sum(0);
    }

    public int failed() {
        return sum(1);
    }

    public int skipped() {
        return sum(2);
    }

    private int sum(int i) {
        int n = 0;
        for (int[] t : tallies.values()) {
            n += t[i];
        }
        return n;
    }

    public List<Note> failures() {
        return Collections.unmodifiableList(failures);
    }

    public List<Note> skips() {
        return Collections.unmodifiableList(skips);
    }

    /**
     * The summary line that scripts and CI read: {@code SOURCE: P passed, F failed, S skipped}, then
     * if anything was skipped the count per reason, as in {@code (SIMD: 12, memory import: 3)}.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(source).append(": ").append(passed()).append(" passed, ").append(failed()).append(" failed, ")
                .append(skipped()).append(" skipped");
        if (!skipReasons.isEmpty()) {
            StringJoiner reasons = new StringJoiner(", ", " (", ")");
            skipReasons.forEach((reason, n) -> reasons.add(reason + ": " + n));
            sb.append(reasons);
        }
        return sb.toString();
    }

    /** A readable report: the {@link #summary()} line, a line per kind, then each failure and skip. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(summary()).append('\n');
        byKind().forEach((kind, t) -> sb.append(String.format("  %-22s %6d passed %6d failed %6d skipped%n", kind,
                t.passed(), t.failed(), t.skipped())));
        if (!failures.isEmpty()) {
            sb.append("failures:\n");
            failures.forEach(n -> sb.append("  ").append(n).append('\n'));
        }
        if (!skips.isEmpty()) {
            sb.append("skipped:\n");
            skips.forEach(n -> sb.append("  ").append(n).append('\n'));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return toText();
    }
}
