package dev.cella.sandbox.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures how fairly a scheduler shared the CPU among the cells of a batch while they were
 * busy. The run is cut into windows at every cell's end; within a window the same cells were
 * all busy (all spawned at the start, none suspended), so fuel per unit of weight (fair share)
 * or of share (static) should be equal among them. The summary is Jain's index of those values
 * per window, averaged over the windows weighted by their length in fuel.
 *
 * <p>Snapshots are taken under the scheduler's lock from the charged fuel (exact at slice ends;
 * with more than one thread a cell in the middle of a slice is behind by at most that slice).
 */
public final class FairnessMonitor implements SchedulerObserver {
    /** Windows recorded at most: later ends are not measured (keeps the cost per end bounded). */
    static final int MAX_WINDOWS = 64;

    private final double[] due;
    private final long minWindowPerCell;
    private final List<Snapshot> snapshots = new ArrayList<>();

    /** Fuel charged to each cell at a moment; alive marks those still busy after it. */
    private record Snapshot(long clock, long[] fuel, boolean[] alive) {}

    /** One measured window. */
    record Window(int cells, long fuel, double jain, double[] shares, double[] dueShares, int[] ids) {}

    /**
     * @param due each cell's weight or share, indexed by cell id (spawn order from 0)
     * @param minWindowPerCell the shortest window worth measuring, per busy cell (two slices)
     */
    public FairnessMonitor(double[] due, long minWindowPerCell) {
        this.due = due.clone();
        this.minWindowPerCell = minWindowPerCell;
        boolean[] alive = new boolean[due.length];
        java.util.Arrays.fill(alive, true);
        snapshots.add(new Snapshot(0, new long[due.length], alive));
    }

    @Override
    public synchronized void cellFinished(Scheduler scheduler, CellHandle cell) {
        if (snapshots.size() > MAX_WINDOWS) {
            return;
        }
        long[] fuel = new long[due.length];
        boolean[] alive = new boolean[due.length];
        for (CellHandle h : scheduler.liveCells()) {
            if (h.id < due.length) {
                fuel[(int) h.id] = h.fuelCharged;
                alive[(int) h.id] = true;
            }
        }
        if (cell.id < due.length) {
            fuel[(int) cell.id] = cell.fuelCharged;
        }
        snapshots.add(new Snapshot(scheduler.clock(), fuel, alive));
    }

    /** The windows long enough to measure, in order. */
    synchronized List<Window> windows() {
        List<Window> out = new ArrayList<>();
        for (int k = 1; k < snapshots.size(); k++) {
            Snapshot a = snapshots.get(k - 1);
            Snapshot b = snapshots.get(k);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < due.length; i++) {
                if (a.alive[i]) {
                    ids.add(i);
                }
            }
            long length = b.clock - a.clock;
            if (ids.size() < 2 || length < minWindowPerCell * ids.size()) {
                continue;
            }
            long[] delta = new long[ids.size()];
            double[] d = new double[ids.size()];
            int[] idArray = new int[ids.size()];
            double dueSum = 0;
            for (int j = 0; j < delta.length; j++) {
                int i = ids.get(j);
                delta[j] = b.fuel[i] - a.fuel[i];
                d[j] = due[i];
                idArray[j] = i;
                dueSum += due[i];
            }
            double[] dueShares = new double[d.length];
            for (int j = 0; j < d.length; j++) {
                dueShares[j] = d[j] / dueSum;
            }
            double[] asDouble = new double[delta.length];
            for (int j = 0; j < delta.length; j++) {
                asDouble[j] = delta[j];
            }
            out.add(new Window(ids.size(), length, Fairness.jainIndex(Fairness.normalized(delta, d)),
                    Fairness.shares(asDouble), dueShares, idArray));
        }
        return out;
    }

    /** Jain's index averaged over the measured windows weighted by length, or NaN if none. */
    double meanJain() {
        double sum = 0;
        double weight = 0;
        for (Window w : windows()) {
            sum += w.jain() * w.fuel();
            weight += w.fuel();
        }
        return weight == 0 ? Double.NaN : sum / weight;
    }

    /** The fairness summary: the mean index, the windows, and the first window's shares against their due. */
    public List<String> summary(SchedulingPolicy policy, List<String> names) {
        List<String> out = new ArrayList<>();
        List<Window> ws = windows();
        String per = policy == SchedulingPolicy.STATIC ? "fuel/share" : "fuel/weight";
        if (ws.isEmpty()) {
            out.add("fairness: not measured (no period in which two or more cells were busy for two slices each)");
            return out;
        }
        int least = Integer.MAX_VALUE;
        int most = 0;
        long fuel = 0;
        for (Window w : ws) {
            least = Math.min(least, w.cells());
            most = Math.max(most, w.cells());
            fuel += w.fuel();
        }
        out.add(String.format(Locale.ROOT,
                "fairness: Jain's index %.5f over %s while busy (1 is perfectly fair; %d window%s, %s busy cells,"
                        + " %,d fuel)", meanJain(), per, ws.size(), ws.size() == 1 ? "" : "s",
                least == most ? Integer.toString(least) : least + " to " + most, fuel));
        Window first = ws.get(0);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  first window, %d busy cells over %,d fuel:",
                first.cells(), first.fuel()));
        int shown = Math.min(first.cells(), 10);
        for (int j = 0; j < shown; j++) {
            sb.append(String.format(Locale.ROOT, " %s %.1f%% (due %.1f%%)%s", names.get(first.ids()[j]),
                    100 * first.shares()[j], 100 * first.dueShares()[j], j + 1 < shown ? "," : ""));
        }
        if (shown < first.cells()) {
            sb.append(" ...");
        }
        out.add(sb.toString());
        return out;
    }
}
