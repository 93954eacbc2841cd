package dev.cella.bench;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointDelta;
import dev.cella.sandbox.durable.DurableRun;
import dev.cella.sandbox.durable.Segment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The CPU work of a move's pause (docs/cluster.md, "Moving a cell: the pause"), step by step, in
 * this thread's CPU time (which another process's load changes far less than wall time): a
 * durable run of a 16 MiB cell that writes its memory 1 MiB per segment, whose first round is
 * taken at half of its memory written and whose last round at 15 MiB (7 MiB changed, as the
 * sieve of migrate.sh changes 6 to 16 MB between the first and the last round), handed over
 * three ways: as main did two changes ago ("whole": a whole checkpoint, its wire form compared
 * with the first round's in 64 KiB blocks, the image patched, decoded and restored); as a delta
 * over the first round, restored into a cell prepared from it ("delta"); and with an
 * intermediate round ("precopy": a snapshot at 14 MiB written, sent and written into the
 * prepared cell while the cell runs, so that the last round carries the 1 MiB written during
 * the round). Each way runs {@code ROUNDS} times, alternating; the medians are printed.
 *
 *   java -cp benchmarks/target/benchmarks.jar dev.cella.bench.MovePauseSteps [ROUNDS]
 */
public final class MovePauseSteps {
    private static final int BLOCK = 64 * 1024;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private MovePauseSteps() {}

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Module module = Assembler.assemble(CheckpointBenchmark.FILL_16_MIB, "fill16mib.casm");
        Verifier.verify(module);
        CellConfig config = CellConfig.builder().engine(EngineKind.INTERP).build();
        Map<String, List<Double>> steps = new LinkedHashMap<>();
        for (int r = -2; r < rounds; r++) { // two rounds of warm-up
            for (String way : new String[] {"whole", "delta", "precopy"}) {
                Map<String, Double> m = once(module, config, way);
                if (r >= 0) {
                    m.forEach((k, v) -> steps.computeIfAbsent(way + ": " + k, x -> new ArrayList<>()).add(v));
                }
            }
        }
        steps.forEach((k, v) -> {
            double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("%-58s %7.1f %s (median of %d; %.1f to %.1f)%n", k, a[a.length / 2],
                    k.endsWith("(MB)") ? "  " : "ms", a.length, a[0], a[a.length - 1]);
        });
    }

    /** One move: the source run drained ({@code way}: see the class comment), then the destination's steps. */
    private static Map<String, Double> once(Module module, CellConfig config, String way) {
        boolean delta = !way.equals("whole");
        boolean precopy = way.equals("precopy");
        Map<String, Double> m = new LinkedHashMap<>();
        List<Segment> committed = new ArrayList<>();
        AtomicReference<DurableRun> run = new AtomicReference<>();
        AtomicReference<Checkpoint> base = new AtomicReference<>();
        long[] stoppedCpu = new long[1];
        long[] captured = new long[1];
        List<DurableRun.Snapshot> snapshots = new ArrayList<>();
        long[] nextBaseCpu = new long[1];
        // Segment k ends with k + 1 MiB written; segment k is released once segment k + 1 ended,
        // and a snapshot or drain asked then is taken at the first safe point of segment k + 2.
        // The first round is segment 7's; the snapshot is asked at segment 12, the drain at 13:
        // the last round is taken at 15 MiB written, 1 MiB after the snapshot.
        run.set(DurableRun.builder("bench", module, config).segmentFuel(CheckpointBenchmark.POINT / 16)
                .commitSink(s -> {
                    captured[0] = cpu() - stoppedCpu[0];
                    committed.add(s);
                    return CompletableFuture.completedFuture(null);
                })
                .outputSink(s -> {
                    if (s.seq() == 7) {
                        base.set(Checkpoint.fromBytes(s.checkpoint(), "first round"));
                    } else if (s.seq() == 12 && precopy) {
                        run.get().snapshot(base.get(), snap -> {
                            snapshots.add(snap);
                            long t = cpu();
                            base.set(snap.delta().nextBase(base.get()));
                            nextBaseCpu[0] = cpu() - t;
                        });
                    } else if (s.seq() == 13) {
                        run.get().drain(delta ? base.get() : null);
                    }
                })
                .listener(new DurableRun.Listener() {
                    @Override
                    public void stopped(boolean last) {
                        stoppedCpu[0] = cpu();
                    }
                }).build());
        Segment last = run.get().run();
        if (last.isDelta() != delta || committed.size() != 16 || snapshots.size() != (precopy ? 1 : 0)) {
            throw new IllegalStateException("not the run expected: " + committed + " " + last);
        }
        m.put("source: capture and encode", captured[0] / 1e6);
        byte[] first = committed.get(7).toBytes(null);
        long t = cpu();
        byte[] wire = last.toBytes(null);
        m.put("source: segment wire form", (cpu() - t) / 1e6);
        t = cpu();
        List<int[]> changed = delta ? List.of(new int[] {0, wire.length}) : compare(first, wire);
        List<byte[]> chunks = new ArrayList<>();
        for (int[] c : changed) {
            chunks.add(Arrays.copyOfRange(wire, c[0], c[1])); // what Transfer.send puts in its messages
        }
        m.put("source: compare and copy into chunks", (cpu() - t) / 1e6);
        m.put("bytes sent (MB)", chunks.stream().mapToLong(c -> c.length).sum() / 1e6);

        // The destination: the first round received and (now) a cell prepared from it before the pause.
        DurableRun.Prepared prepared = null;
        if (delta) {
            t = cpu();
            prepared = DurableRun.prepare(module, config, Checkpoint.fromBytes(committed.get(7).checkpoint(), "base"));
            m.put("dest, before the pause: prepare the cell", (cpu() - t) / 1e6);
        }
        if (precopy) {
            m.put("source, before the pause: round's next base", nextBaseCpu[0] / 1e6);
            byte[] round = snapshots.get(0).segment().toBytes(null);
            m.put("round's bytes (MB)", round.length / 1e6);
            t = cpu();
            Segment r = Segment.fromBytes(round, null, Integer.MAX_VALUE);
            prepared.advance(CheckpointDelta.fromBytes(r.checkpoint(), "round", null, Integer.MAX_VALUE)).payloadCrc32c();
            m.put("dest, before the pause: the round into the prepared cell", (cpu() - t) / 1e6);
        }
        t = cpu();
        byte[] image = delta ? new byte[wire.length] : Arrays.copyOf(first, wire.length);
        for (int i = 0; i < chunks.size(); i++) {
            System.arraycopy(chunks.get(i), 0, image, changed.get(i)[0], chunks.get(i).length);
        }
        m.put("dest: patch the image", (cpu() - t) / 1e6);
        t = cpu();
        Segment seg = Segment.fromBytes(image, null, Integer.MAX_VALUE);
        DurableRun.Builder b = DurableRun.builder("bench", module, config).commitSink(s -> CompletableFuture
                .completedFuture(null)).outputSink(s -> { });
        if (delta) {
            b.resumeFrom(seg, true, prepared);
        } else {
            b.resumeFrom(seg, true);
        }
        long[] restoredCpu = new long[1];
        DurableRun dest = b.listener(new DurableRun.Listener() {
            @Override
            public void restored() {
                restoredCpu[0] = cpu();
            }
        }).build();
        m.put("dest: decode segment and checkpoint", (cpu() - t) / 1e6);
        dest.drain(); // stops at its first safe point once restored
        t = cpu();
        dest.run();
        m.put("dest: restore", (restoredCpu[0] - t) / 1e6);
        return m;
    }

    /** The runs of 64 KiB blocks of {@code now} that differ from {@code base} (as Transfer.send compares; last block always). */
    private static List<int[]> compare(byte[] base, byte[] now) {
        List<int[]> runs = new ArrayList<>();
        int off = 0;
        while (off < now.length) {
            int end = Math.min(off + BLOCK, now.length);
            boolean same = end < now.length && end <= base.length && Arrays.equals(base, off, end, now, off, end);
            if (!same) {
                if (!runs.isEmpty() && runs.get(runs.size() - 1)[1] == off) {
                    runs.get(runs.size() - 1)[1] = end;
                } else {
                    runs.add(new int[] {off, end});
                }
            }
            off = end;
        }
        return runs;
    }
}
