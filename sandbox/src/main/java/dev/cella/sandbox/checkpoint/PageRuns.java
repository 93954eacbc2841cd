package dev.cella.sandbox.checkpoint;

import dev.cella.vm.Memory;
import java.util.Arrays;

/**
 * How a delta carries a changed page (docs/checkpoint.md, "Deltas"): as the runs of bytes that
 * differ from the base's page, or whole where the runs would not be much smaller. A run is its
 * start within the page, its length and its bytes; runs closer than {@link #GAP} bytes are
 * merged (the equal bytes between them carried too), which bounds both the runs' headers and how
 * many there are to write. Runs are flat {@code int} arrays of (start, length) pairs, ascending,
 * non-overlapping and inside the page; {@link #WHOLE} stands for the whole page.
 */
final class PageRuns {
    static final int PAGE = 65_536;
    /** Runs separated by fewer equal bytes than this are one run. */
    static final int GAP = 32;
    /** A run's header in the payload: {@code i32} start, {@code i32} length. */
    static final int HEADER = 8;
    /** The page is carried whole when its runs would take more than this. */
    static final int MAX_RUNS_BYTES = PAGE / 2;
    /** The runs of a page carried whole. */
    static final int[] WHOLE = new int[0];

    private PageRuns() {}

    /**
     * The runs by which page {@code a[at, at + PAGE)} differs from {@code b[bo, bo + PAGE)}: null
     * if it does not, {@link #WHOLE} if they would take more than {@link #MAX_RUNS_BYTES}. The
     * equal stretches are skipped by {@link Arrays#mismatch} (vectorised); a run is followed
     * eight bytes at a time, at most {@link #MAX_RUNS_BYTES} of them.
     */
    static int[] diff(byte[] a, int at, byte[] b, int bo) {
        int m = Arrays.mismatch(a, at, at + PAGE, b, bo, bo + PAGE);
        if (m < 0) {
            return null;
        }
        int[] runs = new int[16];
        int n = 0;
        int size = 0; // the bytes the closed runs take
        int start = m;
        int pos = m; // a differing byte inside the open run [start, ...)
        while (true) {
            // The open run with its header, past the budget: the page goes whole.
            int limit = Math.min(PAGE, start + MAX_RUNS_BYTES - size - HEADER + 1);
            int end = pos + 1;
            // Eight bytes at a time while any of them differs (a run may take in a few equal bytes:
            // they are the page's too), then byte by byte.
            while (end + 8 <= limit && Memory.loadI64(a, at + end) != Memory.loadI64(b, bo + end)) {
                end += 8;
            }
            while (end < limit && a[at + end] != b[bo + end]) {
                end++;
            }
            if (end >= limit && limit < PAGE) {
                return WHOLE;
            }
            int gap = end == PAGE ? -1 : Arrays.mismatch(a, at + end, at + PAGE, b, bo + end, bo + PAGE);
            if (gap >= 0 && gap < GAP) {
                pos = end + gap; // merged: the run goes on over the equal bytes
                continue;
            }
            if (n == runs.length) {
                runs = Arrays.copyOf(runs, 2 * n);
            }
            runs[n++] = start;
            runs[n++] = end - start;
            size += HEADER + end - start;
            if (size > MAX_RUNS_BYTES) {
                return WHOLE;
            }
            if (gap < 0) {
                return Arrays.copyOf(runs, n);
            }
            start = pos = end + gap;
        }
    }

    /** The bytes a changed page's entry takes after its index: the run count, then the runs or the page. */
    static long entrySize(int[] runs) {
        return 4 + (runs == WHOLE ? PAGE : (long) runs.length / 2 * HEADER + bytes(runs));
    }

    /** The bytes the runs carry. */
    static int bytes(int[] runs) {
        int total = 0;
        for (int j = 1; j < runs.length; j += 2) {
            total += runs[j];
        }
        return total;
    }

    /** Writes a changed page {@code page[at, at + PAGE)}: {@code i32} runs (0 if whole), their headers, their bytes. */
    static void write(CheckpointOutput out, byte[] page, int at, int[] runs) {
        if (runs == WHOLE) {
            out.i32(0);
            out.raw(page, at, PAGE);
            return;
        }
        out.i32(runs.length / 2);
        for (int j = 0; j < runs.length; j++) {
            out.i32(runs[j]);
        }
        for (int j = 0; j < runs.length; j += 2) {
            out.raw(page, at + runs[j], runs[j + 1]);
        }
    }

    /**
     * Reads page {@code index}'s runs as {@link #write} wrote them, leaving {@code in} at their
     * bytes (which the caller skips, {@link #bytes}): {@link #WHOLE} if the page is whole. Every
     * run is checked before anything is applied: a length of at least 1, inside the page,
     * ascending and not overlapping the one before (so that they total at most a page).
     *
     * @throws CheckpointException INVALID if a run breaks the rules or the count does not fit
     */
    static int[] read(CheckpointInput in, int index) {
        int n = in.count("run", HEADER + 1);
        if (n == 0) {
            return WHOLE;
        }
        int[] runs = new int[2 * n];
        int end = 0; // the end of the run before
        for (int j = 0; j < n; j++) {
            int start = in.i32();
            int length = in.i32();
            if (start < end || start >= PAGE || length <= 0 || length > PAGE - start) {
                throw in.invalid("run " + j + " of memory page " + index + " at " + start + " of " + length
                        + " bytes: outside the page, empty, or not after the run before (which ends at " + end + ")");
            }
            runs[2 * j] = start;
            runs[2 * j + 1] = length;
            end = start + length;
        }
        return runs;
    }

    private static final byte[] ZERO_PAGE = new byte[PAGE];

    /**
     * A page made of a base page and runs over it: {@code base[bo, bo + PAGE)} (a zero page if
     * {@code base} is null) with the runs, {@code src[from..]}, written over it. Made only when
     * its bytes are needed ({@link CheckpointCodec.SavedInstance#source}), so that a delta over
     * its base restored into a prepared cell never copies the pages it patches.
     */
    record Patched(byte[] base, int bo, byte[] src, int from, int[] runs) {
        byte[] page() {
            byte[] page = new byte[PAGE];
            if (base != null) {
                System.arraycopy(base, bo, page, 0, PAGE);
            }
            apply(src, from, runs, page, 0);
            return page;
        }

        /** True if the page is all zeros, found without making it. */
        boolean isZero() {
            int from = this.from;
            int end = 0; // the end of the run before
            for (int j = 0; j < runs.length; j += 2) {
                if (Arrays.mismatch(src, from, from + runs[j + 1], ZERO_PAGE, 0, runs[j + 1]) >= 0
                        || base != null && Arrays.mismatch(base, bo + end, bo + runs[j], ZERO_PAGE, 0, runs[j] - end) >= 0) {
                    return false;
                }
                from += runs[j + 1];
                end = runs[j] + runs[j + 1];
            }
            return base == null || Arrays.mismatch(base, bo + end, bo + PAGE, ZERO_PAGE, 0, PAGE - end) < 0;
        }
    }

    /** Writes the runs' bytes, {@code src[from..]} one after another, into the page at {@code dst[at..]}. */
    static void apply(byte[] src, int from, int[] runs, byte[] dst, int at) {
        for (int j = 0; j < runs.length; j += 2) {
            System.arraycopy(src, from, dst, at + runs[j], runs[j + 1]);
            from += runs[j + 1];
        }
    }
}
