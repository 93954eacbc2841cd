package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.GuestMemory.check;
import static dev.cella.sandbox.wasi.GuestMemory.u32;
import static dev.cella.sandbox.wasi.GuestMemory.writeU32;
import static dev.cella.sandbox.wasi.GuestMemory.writeU64;

import dev.cella.vm.BulkWork;
import dev.cella.vm.GuestExit;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;

/** The process-environment calls: arguments, environment, clocks, randomness, yield and exit. */
final class EnvCalls {
    private EnvCalls() {}

    /** args_sizes_get(argc_ptr, argv_buf_size_ptr). */
    static int argsSizesGet(Wasi w, Instance inst, long[] a) {
        return sizesGet(w.argBytes(), inst.memory(), u32(a[0]), u32(a[1]));
    }

    /** args_get(argv_ptr, argv_buf_ptr). */
    static int argsGet(Wasi w, Instance inst, long[] a) {
        return stringsGet(w.argBytes(), inst.memory(), u32(a[0]), u32(a[1]));
    }

    /** environ_sizes_get(count_ptr, buf_size_ptr). */
    static int environSizesGet(Wasi w, Instance inst, long[] a) {
        return sizesGet(w.envBytes(), inst.memory(), u32(a[0]), u32(a[1]));
    }

    /** environ_get(environ_ptr, environ_buf_ptr). */
    static int environGet(Wasi w, Instance inst, long[] a) {
        return stringsGet(w.envBytes(), inst.memory(), u32(a[0]), u32(a[1]));
    }

    private static long bufferSize(byte[][] strings) {
        long size = 0;
        for (byte[] s : strings) {
            size += s.length + 1;
        }
        return size;
    }

    private static int sizesGet(byte[][] strings, Memory m, long countPtr, long sizePtr) {
        check(m, countPtr, 4);
        check(m, sizePtr, 4);
        writeU32(m, countPtr, strings.length);
        writeU32(m, sizePtr, (int) bufferSize(strings));
        return Errno.SUCCESS;
    }

    /** Writes the pointer array and the NUL-terminated strings, after checking both ranges whole. */
    private static int stringsGet(byte[][] strings, Memory m, long ptrs, long buf) {
        check(m, ptrs, 4L * strings.length);
        check(m, buf, bufferSize(strings));
        long at = buf;
        for (int i = 0; i < strings.length; i++) {
            m.writeI32(ptrs + 4L * i, (int) at);
            m.write(at, strings[i], 0, strings[i].length);
            m.writeU8(at + strings[i].length, 0);
            at += strings[i].length + 1;
        }
        return Errno.SUCCESS;
    }

    /** clock_res_get(id, resolution_ptr). */
    static int clockResGet(Wasi w, Instance inst, long[] a) {
        long id = u32(a[0]);
        if (!WasiClock.exists(id)) {
            return Errno.INVAL;
        }
        writeU64(inst.memory(), u32(a[1]), w.clock.resolution((int) id));
        return Errno.SUCCESS;
    }

    /** clock_time_get(id, precision, time_ptr); the precision is ignored. */
    static int clockTimeGet(Wasi w, Instance inst, long[] a) {
        long id = u32(a[0]);
        if (!WasiClock.exists(id)) {
            return Errno.INVAL;
        }
        writeU64(inst.memory(), u32(a[2]), w.clock.now((int) id, inst));
        return Errno.SUCCESS;
    }

    /** random_get(buf, buf_len): fills the buffer in place, without a host copy of it. */
    static int randomGet(Wasi w, Instance inst, long[] a) {
        long buf = u32(a[0]);
        long len = u32(a[1]);
        Memory m = check(inst.memory(), buf, len);
        w.random.fill(m.array(), (int) buf, (int) len);
        BulkWork.chargeHost(inst, len);
        return Errno.SUCCESS;
    }

    /** sched_yield(): lets other threads run; a cell has only one. */
    static int schedYield(Wasi w, Instance inst, long[] a) {
        Thread.yield();
        return Errno.SUCCESS;
    }

    /** proc_exit(rval): ends the guest with exit status rval. */
    static int procExit(Wasi w, Instance inst, long[] a) {
        throw new GuestExit((int) a[0]);
    }
}
