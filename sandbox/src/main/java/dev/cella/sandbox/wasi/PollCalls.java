package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.GuestMemory.check;
import static dev.cella.sandbox.wasi.GuestMemory.u32;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.Memory;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code poll_oneoff}: waits for clock subscriptions and for sockets and pipes to become ready;
 * other descriptor subscriptions are always ready (files and the standard streams never block a
 * poll).
 *
 * <p>Layouts: a subscription is 48 bytes (userdata u64 @0, tag u8 @8, then for a clock: clock id
 * u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40; for fd_read/fd_write: fd u32
 * @16); an event is 32 bytes (userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags
 * u16 @24).
 *
 * <p>With the virtual clock, waiting advances the virtual clocks by the time waited without
 * sleeping, so a sleeping guest runs the same way every time; with the host clock, the host
 * thread sleeps, bounded by the cell's deadline. A poll that waits for a socket or pipe waits in
 * host time whatever the clock (a peer is not virtual), and a virtual clock then advances by the
 * host time waited.
 */
final class PollCalls {
    private PollCalls() {}

    /** poll_oneoff(in, out, nsubscriptions, nevents_ptr). */
    static int pollOneoff(Wasi w, Instance inst, long[] a) {
        long in = u32(a[0]);
        long out = u32(a[1]);
        long n = u32(a[2]);
        long neventsPtr = u32(a[3]);
        if (n == 0) {
            return Errno.INVAL;
        }
        Memory m = check(inst.memory(), in, n * Abi.SUBSCRIPTION_SIZE);
        check(m, out, n * Abi.EVENT_SIZE);
        check(m, neventsPtr, 4);
        long[] now = new long[4];
        for (int id = 0; id < now.length; id++) {
            now[id] = w.clock.now(id, inst);
        }
        // Pass 1: validate, and find how long to wait (0 if anything is ready at once).
        long wait = Long.MAX_VALUE;
        List<StreamDescriptor> streams = new ArrayList<>();
        int[] masks = new int[(int) n];
        for (long i = 0; i < n; i++) {
            long s = in + i * Abi.SUBSCRIPTION_SIZE;
            int tag = m.readU8(s + 8);
            switch (tag) {
                case Abi.EVENTTYPE_CLOCK -> wait = Math.min(wait, remaining(m, s, now));
                case Abi.EVENTTYPE_FD_READ, Abi.EVENTTYPE_FD_WRITE -> {
                    StreamDescriptor stream = stream(w, u32(m.readI32(s + 16)));
                    int mask = tag == Abi.EVENTTYPE_FD_READ ? StreamDescriptor.READABLE : StreamDescriptor.WRITABLE;
                    if (stream == null || (stream.ready() & mask) != 0) {
                        wait = 0;
                    } else {
                        masks[streams.size()] = mask;
                        streams.add(stream);
                    }
                }
                default -> {
                    return Errno.INVAL;
                }
            }
        }
        if (wait > 0 && !streams.isEmpty()) {
            long t0 = System.nanoTime();
            w.streamWait.await(inst, streams, masks, wait);
            long waited = System.nanoTime() - t0;
            if (!w.clock.isHost()) {
                w.clock.advance(Math.min(waited, wait));
            }
            wait = Math.min(waited, wait);
        } else if (wait > 0) {
            if (w.clock.isHost()) {
                sleep(w, inst, wait);
            } else {
                w.clock.advance(wait);
            }
        }
        // Pass 2: report every subscription that is ready after the wait.
        long events = 0;
        for (long i = 0; i < n; i++) {
            long s = in + i * Abi.SUBSCRIPTION_SIZE;
            int tag = m.readU8(s + 8);
            long e = out + events * Abi.EVENT_SIZE;
            if (tag == Abi.EVENTTYPE_CLOCK) {
                if (remaining(m, s, now) > wait) {
                    continue;
                }
                clearEvent(m, e, m.readI64(s), tag);
                if (!WasiClock.exists(u32(m.readI32(s + 16)))) {
                    m.writeU16(e + 8, Errno.INVAL);
                }
            } else {
                StreamDescriptor stream = stream(w, u32(m.readI32(s + 16)));
                int mask = tag == Abi.EVENTTYPE_FD_READ ? StreamDescriptor.READABLE : StreamDescriptor.WRITABLE;
                if (stream != null && (stream.ready() & mask) == 0) {
                    continue;
                }
                clearEvent(m, e, m.readI64(s), tag);
                fdEvent(w, m, e, u32(m.readI32(s + 16)), tag);
            }
            events++;
        }
        m.writeI32(neventsPtr, (int) events);
        return Errno.SUCCESS;
    }

    /** Nanoseconds until clock subscription {@code s} fires (0 if it has, or if its clock is unknown). */
    private static long remaining(Memory m, long s, long[] now) {
        long id = u32(m.readI32(s + 16));
        if (!WasiClock.exists(id)) {
            return 0;
        }
        long timeout = m.readI64(s + 24);
        boolean absolute = (m.readU16(s + 40) & Abi.SUBCLOCK_ABSTIME) != 0;
        if (!absolute) {
            return Math.max(0, timeout) == timeout ? timeout : Long.MAX_VALUE;
        }
        long left = timeout - now[(int) id];
        return Long.compareUnsigned(timeout, now[(int) id]) <= 0 ? 0 : left < 0 ? Long.MAX_VALUE : left;
    }

    /** The stream descriptor {@code fd} is, or null (a file, a standard stream, or not open: ready at once). */
    private static StreamDescriptor stream(Wasi w, long fd) {
        if (fd >= Integer.MAX_VALUE) {
            return null;
        }
        try {
            Descriptor d = w.fds.get(fd);
            return d.kind == Descriptor.Kind.STREAM ? d.stream : null;
        } catch (WasiError e) {
            return null;
        }
    }

    private static void clearEvent(Memory m, long e, long userdata, int type) {
        m.writeI64(e, userdata);
        m.writeI64(e + 8, 0);
        m.writeU8(e + 10, type);
        m.writeI64(e + 16, 0);
        m.writeI64(e + 24, 0);
    }

    private static void fdEvent(Wasi w, Memory m, long e, long fd, int tag) {
        Descriptor d;
        try {
            d = w.fds.get(fd);
        } catch (WasiError err) {
            m.writeU16(e + 8, err.errno);
            return;
        }
        if (tag == Abi.EVENTTYPE_FD_READ && d.kind == Descriptor.Kind.FILE) {
            m.writeI64(e + 16, Math.max(0, d.file.size() - d.position));
        } else if (tag == Abi.EVENTTYPE_FD_READ && d.kind == Descriptor.Kind.STREAM) {
            m.writeI64(e + 16, d.stream.available());
        }
    }

    /** Sleeps on the host clock, announcing it to the interrupt hook (a scheduler lends the slot meanwhile). */
    private static void sleep(Wasi w, Instance inst, long nanos) {
        InterruptHook hook = inst.interruptHook();
        if (hook == null) {
            w.limits.sleep(nanos);
            return;
        }
        hook.blockingStarts(inst);
        try {
            w.limits.sleep(nanos);
        } finally {
            hook.blockingEnds(inst);
        }
    }
}
