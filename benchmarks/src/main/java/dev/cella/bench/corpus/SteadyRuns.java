package dev.cella.bench.corpus;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Steady state by CPU time, for a loaded machine where JMH's wall times are noise: runs {@link
 * CorpusBenchmark}'s setup once and its {@code run()} WARM + N times in this JVM, and prints each
 * run's CPU time summed over all live Java threads (the guest's and the stack-segment threads;
 * HotSpot's compiler and GC threads are not Java threads and do not count), then the median and
 * minimum of the last N. Usage, from the repository root:
 * {@code java -Xss16m -cp benchmarks/target/benchmarks.jar dev.cella.bench.corpus.SteadyRuns PROGRAM
 * RUNTIME WARM N} (docs/performance.md, "Steady state under C2").
 */
public final class SteadyRuns {
    private SteadyRuns() {}

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: SteadyRuns PROGRAM RUNTIME WARM N");
            System.exit(64);
        }
        CorpusBenchmark b = new CorpusBenchmark();
        b.program = args[0];
        b.runtime = args[1];
        int warm = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        b.setUp();
        double[] measured = new double[n];
        for (int i = 0; i < warm + n; i++) {
            long wall = System.nanoTime();
            long cpu = cpu(threads);
            b.run();
            double ms = (cpu(threads) - cpu) / 1e6;
            System.out.printf("%s %d: cpu %.1f ms, wall %.1f ms%n", i < warm ? "warm-up" : "run", i, ms,
                    (System.nanoTime() - wall) / 1e6);
            if (i >= warm) {
                measured[i - warm] = ms;
            }
        }
        Arrays.sort(measured);
        System.out.printf("%s %s: cpu ms per run, median %.0f, min %.0f (%d runs after %d warm-up runs)%n", b.program,
                b.runtime, measured[(n - 1) / 2], measured[0], n, warm);
    }

    private static long cpu(ThreadMXBean threads) {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }
}
