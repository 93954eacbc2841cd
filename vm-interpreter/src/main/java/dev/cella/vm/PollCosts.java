package dev.cella.vm;

/**
 * The unmetered poll-cost rule both engines share (docs/engines.md, "Unmetered instances"): an
 * unmetered run charges only its <em>check sites</em> (pc 0 and every target of a backward
 * branch, through which every cycle passes), each the most blocks that can run from it before
 * control reaches the next check site or returns. Charging that at each check site counts every
 * executed block at least once, so the interrupt hook is polled at least once per 65,536 blocks.
 */
public final class PollCosts {
    private PollCosts() {}

    /**
     * The charge of each block: its poll cost (at least 1) if it is a check site, else 0.
     *
     * @param successors for each block (numbered in pc order), the blocks control may go to next
     * @param site for each block, whether it is a check site; a successor at a lower or equal
     *     index must be one (it is a backward branch target), which lets one reverse pass suffice
     */
    public static int[] of(int[][] successors, boolean[] site) {
        int count = successors.length;
        int[] run = new int[count];
        for (int b = count - 1; b >= 0; b--) {
            int most = 0;
            for (int s : successors[b]) {
                if (s > b && !site[s]) {
                    most = Math.max(most, run[s]);
                }
            }
            run[b] = 1 + most;
        }
        int[] costs = new int[count];
        for (int b = 0; b < count; b++) {
            costs[b] = site[b] ? run[b] : 0;
        }
        return costs;
    }
}
