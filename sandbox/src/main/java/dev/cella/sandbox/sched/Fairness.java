package dev.cella.sandbox.sched;

/**
 * Measures of how evenly a scheduler divided CPU: Jain's fairness index and shares.
 *
 * <p>Jain's index of allocations x1..xn is (sum x)^2 / (n * sum x^2): 1 when all are equal, 1/n
 * when one cell got everything. Applied to fuel / weight (fair share) or fuel / share (static)
 * of cells that were all busy over the same period, 1 means each got exactly its due.
 */
public final class Fairness {
    private Fairness() {}

    /**
     * Jain's fairness index of {@code x}.
     *
     * @return a value in [1/n, 1]; 1 for an empty or all-zero array (nothing was unevenly shared)
     * @throws IllegalArgumentException if a value is negative or not finite
     */
    public static double jainIndex(double[] x) {
        double sum = 0;
        double squares = 0;
        for (double v : x) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("allocation must be finite and non-negative, not " + v);
            }
            sum += v;
            squares += v * v;
        }
        if (squares == 0) {
            return 1;
        }
        return sum * sum / (x.length * squares);
    }

    /**
     * Each value's fraction of the total: {@code x[i] / sum(x)}.
     *
     * @return all zeros if the total is 0
     */
    public static double[] shares(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = sum == 0 ? 0 : x[i] / sum;
        }
        return out;
    }

    /**
     * The normalized allocations {@code fuel[i] / due[i]} (fuel per unit of weight or share).
     *
     * @throws IllegalArgumentException if the arrays differ in length or a due is not positive
     */
    public static double[] normalized(long[] fuel, double[] due) {
        if (fuel.length != due.length) {
            throw new IllegalArgumentException(fuel.length + " allocations but " + due.length + " weights");
        }
        double[] out = new double[fuel.length];
        for (int i = 0; i < fuel.length; i++) {
            if (!(due[i] > 0)) {
                throw new IllegalArgumentException("weight " + i + " must be positive, not " + due[i]);
            }
            out[i] = fuel[i] / due[i];
        }
        return out;
    }
}
