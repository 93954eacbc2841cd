package dev.cella.tools.batch;

import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.sched.CellStats;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.sandbox.sched.SchedulingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text {@code cella batch} shows: the live progress table (terminal), the plain progress
 * line, the final accounting table and the fairness summary. Pure functions of the stats, so
 * they can be tested without running anything.
 */
final class BatchReport {
    /** Rows of the live table; the rest are summarized in one line. */
    static final int MAX_LIVE_ROWS = 30;

    private BatchReport() {}

    /** Counts of cells by state, and their total fuel. */
    record Tally(int running, int waiting, int suspended, int finished, long fuel) {
        static Tally of(List<CellStats> cells) {
            int r = 0;
            int w = 0;
            int s = 0;
            int f = 0;
            long fuel = 0;
            for (CellStats c : cells) {
                switch (c.state()) {
                    case RUNNING -> r++;
                    case WAITING, BLOCKED -> w++; // blocked in a host call: waiting for it, then for a slot
                    case SUSPENDED -> s++;
                    case FINISHED -> f++;
                }
                fuel += c.fuelUsed();
            }
            return new Tally(r, w, s, f, fuel);
        }

        String summary() {
            return String.format(Locale.ROOT, "%d running, %d waiting, %d suspended, %d finished; %s fuel", running,
                    waiting, suspended, finished, count(fuel));
        }
    }

    /** One plain progress line, for output that is not a terminal. */
    static String progressLine(double seconds, List<CellStats> cells) {
        return String.format(Locale.ROOT, "[%7.1fs] %s", seconds, Tally.of(cells).summary());
    }

    /** The line printed in plain mode when a cell finishes. */
    static String finishedLine(double seconds, CellStats c) {
        return String.format(Locale.ROOT, "[%7.1fs] %s %s after %s fuel", seconds, c.name(), outcome(c),
                count(c.fuelUsed()));
    }

    /** The live table: a header line, one row per cell (at most {@link #MAX_LIVE_ROWS}), and a tally. */
    static List<String> liveTable(double seconds, Scheduler s, List<CellStats> cells) {
        List<String> out = new ArrayList<>();
        Tally t = Tally.of(cells);
        out.add(String.format(Locale.ROOT, "cella batch: %d cells on %d threads, %s, %.1f s", cells.size(), s.threads(),
                policyName(s.policy()), seconds));
        out.add(String.format(Locale.ROOT, "%-20s %-10s %6s %15s %7s %11s %8s", "cell", "state", due(s.policy()),
                "fuel", "cpu", "memory", "slices"));
        int shown = 0;
        for (CellStats c : cells) {
            if (shown == MAX_LIVE_ROWS) {
                out.add(String.format(Locale.ROOT, "... and %d more cells", cells.size() - shown));
                break;
            }
            out.add(String.format(Locale.ROOT, "%-20s %-10s %6s %15s %6.1f%% %11s %8d", clip(c.name(), 20),
                    c.state().name().toLowerCase(Locale.ROOT), dueOf(s.policy(), c), count(c.fuelUsed()),
                    percent(c.fuelUsed(), t.fuel()), bytes(c.memoryBytes()), c.slices()));
            shown++;
        }
        out.add(t.summary());
        return out;
    }

    /**
     * The final accounting table: per cell its outcome, exit status, fuel, CPU share, peak
     * memory, wall time and slices, then one line per cell that did not exit saying why.
     */
    static List<String> accountingTable(SchedulingPolicy policy, List<CellStats> cells) {
        List<String> out = new ArrayList<>();
        long total = 0;
        for (CellStats c : cells) {
            total += c.fuelUsed();
        }
        out.add(String.format(Locale.ROOT, "%-20s %-16s %6s %6s %15s %7s %11s %10s %8s", "cell", "outcome", "status",
                due(policy), "fuel", "cpu", "peak memory", "wall", "slices"));
        List<String> reasons = new ArrayList<>();
        for (CellStats c : cells) {
            String status = c.result() != null && c.result().outcome() == Outcome.EXITED
                    ? Integer.toString(c.result().exitStatus()) : "-";
            out.add(String.format(Locale.ROOT, "%-20s %-16s %6s %6s %15s %6.1f%% %11s %10s %8d", clip(c.name(), 20),
                    outcome(c), status, dueOf(policy, c), count(c.fuelUsed()), percent(c.fuelUsed(), total),
                    bytes(c.peakMemoryBytes()), seconds(c.wallNanos()), c.slices()));
            RunResult r = c.result();
            if (r != null && r.outcome() != Outcome.EXITED) {
                reasons.add(c.name() + ": " + (r.error() == null ? r.outcome().name() : r.error().getMessage()));
            }
        }
        out.add(String.format(Locale.ROOT, "%-20s %-16s %6s %6s %15s %6.1f%%", "total", "", "", "", count(total),
                total == 0 ? 0.0 : 100.0));
        out.addAll(reasons);
        return out;
    }

    /** "exited", "trapped", "quota: fuel", "killed", "error", or "running" if it has not finished. */
    static String outcome(CellStats c) {
        RunResult r = c.result();
        if (r == null) {
            return "running";
        }
        return switch (r.outcome()) {
            case EXITED -> "exited";
            case TRAPPED -> "trapped";
            case QUOTA_EXCEEDED -> "quota: " + (r.accounting().quota() == null ? "?"
                    : r.accounting().quota().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            case ERROR -> c.result() != null && c.result().error() instanceof CellKilled ? "killed" : "error";
        };
    }

    private static String policyName(SchedulingPolicy p) {
        return p == SchedulingPolicy.STATIC ? "static shares" : "fair share";
    }

    private static String due(SchedulingPolicy p) {
        return p == SchedulingPolicy.STATIC ? "share" : "weight";
    }

    private static String dueOf(SchedulingPolicy p, CellStats c) {
        return p == SchedulingPolicy.STATIC ? String.format(Locale.ROOT, "%.0f%%", c.share() * 100)
                : Integer.toString(c.weight());
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GiB", n / (1024.0 * 1024 * 1024));
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
