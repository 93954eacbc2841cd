package dev.cella.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The coordinator's per-cell fence and dedupe of committed segments (docs/cluster.md, "Durable runs"). */
class CellLogTest {

    @Test
    void segmentsAreAcceptedOnceInOrderWithoutGaps() {
        CellLog log = new CellLog();
        int e = log.place();
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(e, 0));
        log.store(0, new byte[] {0});
        assertEquals(CellLog.Verdict.DUPLICATE, log.judge(e, 0), "a commit sent again is not forwarded again");
        assertEquals(CellLog.Verdict.FENCED, log.judge(e, 2), "a gap is refused");
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(e, 1));
        log.store(1, new byte[] {1});
        assertEquals(1, log.lastSeq());
        assertArrayEquals(new byte[] {1}, log.last());
    }

    @Test
    void aRunFromAnEarlierPlacementIsFencedOut() {
        CellLog log = new CellLog();
        int first = log.place();
        log.store(0, new byte[] {0});
        int second = log.place(); // the member was lost: placed again, resuming after seq 0
        assertEquals(CellLog.Verdict.FENCED, log.judge(first, 1), "the zombie may not advance the cell");
        assertEquals(CellLog.Verdict.FENCED, log.judge(first, 0));
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(second, 1));
        assertArrayEquals(new byte[] {0}, log.last(), "the resumed run starts from the last committed segment");
    }

    @Test
    void aSegmentWaitingForItsReplicaDoesNotCountAndIsDroppedWithItsRun() {
        CellLog log = new CellLog();
        int e = log.place();
        log.propose(new CellLog.Pending(e, 0, new byte[] {0}, null, "m:1", null, "m:2"));
        assertEquals(CellLog.Verdict.PENDING, log.judge(e, 0), "sent again while replicated: answered when it counts");
        assertEquals(-1, log.lastSeq(), "not counted before the replica answers");
        assertEquals(0, log.last().length, "a resume still starts from the program's start");
        log.store(0, new byte[] {0});
        assertNull(log.pending());
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(e, 1));
        log.propose(new CellLog.Pending(e, 1, new byte[] {1}, null, "m:1", null, "m:2"));
        log.dropPending(); // the runner was lost: seq 1 is made again by the next run
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(e, 1));
        log.propose(new CellLog.Pending(e, 1, new byte[] {1}, null, "m:1", null, "m:2"));
        int next = log.place();
        assertNull(log.pending(), "a new placement drops the old run's segment");
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(next, 1));
        assertArrayEquals(new byte[] {0}, log.last());
    }

    @Test
    void aHandoverTakesTheOldRunsCommitsUntilTheNewRunCommits() {
        CellLog log = new CellLog();
        int old = log.place();
        log.store(0, new byte[] {0});
        int now = log.handover("m1");
        assertEquals("m1", log.handoverMember());
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(old, 1), "the old run's last segments still count");
        log.store(1, new byte[] {1});
        log.taken(old);
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(now, 2), "a new run may go on from there");
        assertEquals(CellLog.Verdict.DUPLICATE, log.judge(now, 1), "the new run commits the segment it resumed from");
        log.taken(now);
        assertNull(log.handoverMember(), "once the new run committed, the handover is over");
        assertEquals(CellLog.Verdict.FENCED, log.judge(old, 2), "and the old run is fenced");
    }

    @Test
    void aNewPlacementEndsAHandover() {
        CellLog log = new CellLog();
        int old = log.place();
        int moving = log.handover("m1");
        int placed = log.place(); // the destination was lost: placed anew
        assertNull(log.handoverMember());
        assertEquals(CellLog.Verdict.FENCED, log.judge(old, 0));
        assertEquals(CellLog.Verdict.FENCED, log.judge(moving, 0));
        assertEquals(CellLog.Verdict.ACCEPT, log.judge(placed, 0));
    }
}
