package dev.cella.sandbox.wasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.vm.GuestExit;
import dev.cella.vm.LinkException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WASI conformance for arguments, environment, clocks, randomness, yield, exit and linking. */
class WasiEnvCallsTest {
    @Test
    void argsSizesGetReportsTheCountAndTheBytesWithTerminators() {
        WasiHarness h = WasiHarness.builder().args("prog", "a b", "\u00fc").build();
        int count = h.alloc(4);
        int size = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("args_sizes_get", count, size));
        assertEquals(3, h.u32(count));
        assertEquals(5 + 4 + 3, h.u32(size));
    }

    @Test
    void argsGetWritesPointersToNulTerminatedStrings() {
        WasiHarness h = WasiHarness.builder().args("prog", "x y").build();
        int argv = h.alloc(8);
        int buf = h.alloc(16);
        assertEquals(Errno.SUCCESS, h.call("args_get", argv, buf));
        assertEquals(buf, h.u32(argv));
        assertEquals(buf + 5, h.u32(argv + 4));
        assertEquals("prog\0x y\0", h.string(buf, 9));
    }

    @Test
    void argsGetFaultsWithoutWritingWhenTheBufferRunsPastMemory() {
        WasiHarness h = WasiHarness.builder().args("prog", "argument").build();
        int argv = h.alloc(8);
        assertEquals(Errno.FAULT, h.call("args_get", argv, 65536 - 4));
        assertEquals(0, h.u32(argv));
        assertEquals(Errno.FAULT, h.call("args_sizes_get", 65535, h.alloc(4)));
        assertEquals(Errno.FAULT, h.call("args_get", -4, h.alloc(32)));
    }

    @Test
    void environGetListsVariablesAsKeyEqualsValueInOrder() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "2");
        env.put("A", "one=1");
        WasiHarness h = WasiHarness.builder().env(env).build();
        int count = h.alloc(4);
        int size = h.alloc(4);
        assertEquals(Errno.SUCCESS, h.call("environ_sizes_get", count, size));
        assertEquals(2, h.u32(count));
        assertEquals(4 + 8, h.u32(size));
        int ptrs = h.alloc(8);
        int buf = h.alloc(16);
        assertEquals(Errno.SUCCESS, h.call("environ_get", ptrs, buf));
        assertEquals("B=2\0A=one=1\0", h.string(buf, 12));
        assertEquals(buf + 4, h.u32(ptrs + 4));
        assertEquals(Errno.FAULT, h.call("environ_get", 65534, buf));
        assertEquals(Errno.FAULT, h.call("environ_sizes_get", count, 70000));
    }

    @Test
    void virtualClocksStartAtTheVirtualEpochAndAdvanceWithFuel() {
        WasiHarness h = new WasiHarness();
        int t = h.alloc(8);
        assertEquals(Errno.SUCCESS, h.call("clock_time_get", Abi.CLOCK_REALTIME, 0, t));
        assertEquals(WasiClock.VIRTUAL_EPOCH_NANOS, h.u64(t));
        assertEquals(Errno.SUCCESS, h.call("clock_time_get", Abi.CLOCK_MONOTONIC, 0, t));
        assertEquals(0, h.u64(t));
        h.instance.consumeFuelTo(h.instance.fuelRemaining() - 1234);
        assertEquals(Errno.SUCCESS, h.call("clock_time_get", Abi.CLOCK_MONOTONIC, 0, t));
        assertEquals(1234 * WasiClock.NANOS_PER_FUEL, h.u64(t));
        assertEquals(Errno.SUCCESS, h.call("clock_time_get", Abi.CLOCK_PROCESS_CPUTIME, 0, t));
        assertEquals(1234 * WasiClock.NANOS_PER_FUEL, h.u64(t));
        assertEquals(Errno.SUCCESS, h.call("clock_time_get", Abi.CLOCK_THREAD_CPUTIME, 0, t));
        assertEquals(1234 * WasiClock.NANOS_PER_FUEL, h.u64(t));
    }

    @Test
    void clockCallsRejectUnknownClocksAndBadPointers() {
        WasiHarness h = new WasiHarness();
        int t = h.alloc(8);
        assertEquals(Errno.INVAL, h.call("clock_time_get", 4, 0, t));
        assertEquals(Errno.INVAL, h.call("clock_res_get", -1, t));
        assertEquals(Errno.FAULT, h.call("clock_time_get", Abi.CLOCK_REALTIME, 0, 65532));
        assertEquals(Errno.FAULT, h.call("clock_res_get", Abi.CLOCK_MONOTONIC, 65529));
        assertEquals(Errno.SUCCESS, h.call("clock_res_get", Abi.CLOCK_MONOTONIC, t));
        assertEquals(1, h.u64(t));
    }

    @Test
    void randomGetIsDeterministicForASeedAndDiffersAcrossSeeds() {
        byte[] a = random(WasiHarness.builder().seed(7).build(), 37);
        byte[] b = random(WasiHarness.builder().seed(7).build(), 37);
        byte[] c = random(WasiHarness.builder().seed(8).build(), 37);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        assertFalse(java.util.Arrays.equals(new byte[37], a));
    }

    private static byte[] random(WasiHarness h, int n) {
        int buf = h.alloc(n);
        assertEquals(Errno.SUCCESS, h.call("random_get", buf, n));
        return h.mem.slice(buf, n);
    }

    @Test
    void randomGetFaultsOutsideMemoryAndAcceptsAnEmptyBuffer() {
        WasiHarness h = new WasiHarness();
        assertEquals(Errno.FAULT, h.call("random_get", 65530, 7));
        assertEquals(Errno.FAULT, h.call("random_get", 0, 0xFFFFFFFFL));
        assertEquals(Errno.SUCCESS, h.call("random_get", 65536, 0));
    }

    @Test
    void schedYieldSucceeds() {
        assertEquals(Errno.SUCCESS, new WasiHarness().call("sched_yield"));
    }

    @Test
    void procExitEndsTheGuestWithItsStatus() {
        GuestExit e = assertThrows(GuestExit.class, () -> new WasiHarness().call("proc_exit", 42));
        assertEquals(42, e.status());
    }

    @Test
    void everyUnsupportedCallReturnsNosys() {
        WasiHarness h = new WasiHarness();
        int unsupported = 0;
        for (Map.Entry<String, WasiFunctions.Entry> e : WasiFunctions.all().entrySet()) {
            if (e.getValue().call() == null) {
                long[] args = new long[e.getValue().type().params().size()];
                assertEquals(Errno.NOSYS, (int) h.wasi.resolve(e.getKey(), e.getValue().type()).call(h.instance, args),
                        e.getKey());
                unsupported++;
            }
        }
        assertEquals(5, unsupported);
        assertEquals(46, WasiFunctions.all().size());
    }

    @Test
    void linkingRejectsAWrongSignatureAndIgnoresUnknownNames() {
        WasiHarness h = new WasiHarness();
        FuncType wrong = new FuncType(List.of(ValType.I32), List.of(ValType.I32));
        LinkException e = assertThrows(LinkException.class, () -> h.wasi.resolve("fd_write", wrong));
        assertTrue(e.getMessage().contains("fd_write"), e.getMessage());
        assertNull(h.wasi.resolve("no_such_call", wrong));
        assertNull(h.wasi.resolver().resolve("env", "fd_write", WasiFunctions.get("fd_write").type()));
    }
}
