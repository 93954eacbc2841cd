package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.WasiHarness.CREAT;
import static dev.cella.sandbox.wasi.WasiHarness.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** WASI conformance for poll_oneoff: virtual clock waits, descriptor readiness and errors. */
class WasiPollCallsTest {
    private static void clockSub(WasiHarness h, int at, long userdata, int clock, long timeout, int flags) {
        h.mem.writeI64(at, userdata);
        h.mem.writeU8(at + 8, Abi.EVENTTYPE_CLOCK);
        h.mem.writeI32(at + 16, clock);
        h.mem.writeI64(at + 24, timeout);
        h.mem.writeI64(at + 32, 0);
        h.mem.writeU16(at + 40, flags);
    }

    private static void fdSub(WasiHarness h, int at, long userdata, int type, int fd) {
        h.mem.writeI64(at, userdata);
        h.mem.writeU8(at + 8, type);
        h.mem.writeI32(at + 16, fd);
    }

    private static long monotonic(WasiHarness h) {
        int t = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("clock_time_get", Abi.CLOCK_MONOTONIC, 0, t));
        return h.u64(t);
    }

    @Test
    void aRelativeClockWaitAdvancesTheVirtualClockWithoutSleeping() {
        WasiHarness h = new WasiHarness();
        int in = h.alloc(48);
        int out = h.alloc(32);
        int n = h.alloc(4);
        clockSub(h, in, 0xABCDL, Abi.CLOCK_MONOTONIC, 5_000_000_000L, 0);
        long before = monotonic(h);
        assertEquals(Errno.SUCCESS, h.call("poll_oneoff", in, out, 1, n));
        assertEquals(1, h.u32(n));
        assertEquals(0xABCDL, h.u64(out));
        assertEquals(0, h.mem.readU16(out + 8));
        assertEquals(Abi.EVENTTYPE_CLOCK, h.mem.readU8(out + 10));
        assertEquals(before + 5_000_000_000L, monotonic(h));
    }

    @Test
    void onlyTheEarliestOfTwoClocksFires() {
        WasiHarness h = new WasiHarness();
        int in = h.alloc(96);
        int out = h.alloc(64);
        int n = h.alloc(4);
        clockSub(h, in, 1, Abi.CLOCK_MONOTONIC, 1000, 0);
        clockSub(h, in + 48, 2, Abi.CLOCK_REALTIME, 500, 0);
        assertEquals(Errno.SUCCESS, h.call("poll_oneoff", in, out, 2, n));
        assertEquals(1, h.u32(n));
        assertEquals(2, h.u64(out));
    }

    @Test
    void anAbsoluteTimeInThePastIsReadyAtOnce() {
        WasiHarness h = new WasiHarness();
        int in = h.alloc(48);
        int out = h.alloc(32);
        int n = h.alloc(4);
        clockSub(h, in, 9, Abi.CLOCK_REALTIME, 1, Abi.SUBCLOCK_ABSTIME);
        long before = monotonic(h);
        assertEquals(Errno.SUCCESS, h.call("poll_oneoff", in, out, 1, n));
        assertEquals(1, h.u32(n));
        assertEquals(before, monotonic(h));
    }

    @Test
    void descriptorSubscriptionsAreReadyAtOnceAndReportBadDescriptors() {
        WasiHarness h = new WasiHarness();
        int fd = h.open(3, "f", CREAT, WRITE);
        h.write(fd, "12345");
        int pos = h.alloc(8);
        h.call("fd_seek", fd, 1, Abi.WHENCE_SET, pos);
        int in = h.alloc(144);
        int out = h.alloc(96);
        int n = h.alloc(4);
        fdSub(h, in, 1, Abi.EVENTTYPE_FD_READ, fd);
        fdSub(h, in + 48, 2, Abi.EVENTTYPE_FD_WRITE, 77);
        clockSub(h, in + 96, 3, Abi.CLOCK_MONOTONIC, 1_000_000, 0);
        assertEquals(Errno.SUCCESS, h.call("poll_oneoff", in, out, 3, n));
        assertEquals(2, h.u32(n));
        assertEquals(1, h.u64(out));
        assertEquals(Abi.EVENTTYPE_FD_READ, h.mem.readU8(out + 10));
        assertEquals(4, h.u64(out + 16));
        assertEquals(2, h.u64(out + 32));
        assertEquals(Errno.BADF, h.mem.readU16(out + 32 + 8));
    }

    @Test
    void anUnknownClockIsReportedInItsEvent() {
        WasiHarness h = new WasiHarness();
        int in = h.alloc(48);
        int out = h.alloc(32);
        int n = h.alloc(4);
        clockSub(h, in, 5, 99, 10, 0);
        assertEquals(Errno.SUCCESS, h.call("poll_oneoff", in, out, 1, n));
        assertEquals(1, h.u32(n));
        assertEquals(Errno.INVAL, h.mem.readU16(out + 8));
    }

    @Test
    void pollRejectsNoSubscriptionsUnknownTypesAndBadPointers() {
        WasiHarness h = new WasiHarness();
        int in = h.alloc(48);
        int out = h.alloc(32);
        int n = h.alloc(4);
        assertEquals(Errno.INVAL, h.call("poll_oneoff", in, out, 0, n));
        h.mem.writeU8(in + 8, 7);
        assertEquals(Errno.INVAL, h.call("poll_oneoff", in, out, 1, n));
        assertEquals(Errno.FAULT, h.call("poll_oneoff", 65530, out, 1, n));
        assertEquals(Errno.FAULT, h.call("poll_oneoff", in, 65530, 1, n));
        assertEquals(Errno.FAULT, h.call("poll_oneoff", in, out, 1, 65533));
        assertEquals(Errno.FAULT, h.call("poll_oneoff", in, out, 0xFFFFFFFFL, n));
    }

    @Test
    void aHostClockWaitSleepsThroughTheCellsLimits() {
        long[] slept = new long[1];
        WasiLimits recording = new WasiLimits() {
            @Override
            public void beforeOutput(long totalSoFar, long bytes) {}

            @Override
            public void beforeOpen(int openNow) {}

            @Override
            public void sleep(long nanos) {
                slept[0] += nanos;
            }
        };
        WasiOptions options = new WasiOptions(java.util.List.of("p"), java.util.Map.of(), null, null, null, true, false, 0);
        Wasi wasi = new Wasi(options, java.util.List.of(), dev.cella.sandbox.fs.FsMeter.UNLIMITED, recording);
        WasiHarness h = new WasiHarness();
        int in = h.alloc(48);
        int out = h.alloc(32);
        int n = h.alloc(4);
        clockSub(h, in, 1, Abi.CLOCK_MONOTONIC, 2_000, 0);
        long r = wasi.resolve("poll_oneoff", WasiFunctions.get("poll_oneoff").type()).call(h.instance,
                new long[] {in, out, 1, n});
        assertEquals(Errno.SUCCESS, r);
        assertEquals(2_000, slept[0]);
    }
}
