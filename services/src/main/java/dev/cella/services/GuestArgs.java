package dev.cella.services;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.sandbox.CellConfig;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVStoreException;

/**
 * Reading a service call's arguments from a guest and writing its results back. Every pointer is
 * an unsigned 32-bit value and every range is checked against the memory before a byte is
 * touched (EFAULT otherwise); nothing is allocated in proportion to a guest's length before that
 * length is checked against its limit.
 */
final class GuestArgs {
    private GuestArgs() {}

    /** A service call: returns an errno, or throws {@link ServiceException} for one. */
    @FunctionalInterface
    interface Call {
        int call(Instance inst, long[] a);
    }

    /**
     * Adds {@code module.name} with signature {@code sig}: one letter per parameter ({@code i}
     * i32, {@code l} i64); the result is an i32 errno. A {@link ServiceException} becomes its
     * errno; a failure of the store (closed, disk error) becomes EIO.
     */
    static void add(CellConfig.Builder b, String module, String name, String sig, Call call) {
        List<ValType> params = new ArrayList<>();
        for (char c : sig.toCharArray()) {
            params.add(c == 'l' ? ValType.I64 : ValType.I32);
        }
        b.hostFunction(module, name, new FuncType(params, List.of(ValType.I32)), (inst, args) -> {
            try {
                return call.call(inst, args);
            } catch (ServiceException e) {
                return e.errno();
            } catch (MVStoreException | IllegalStateException e) {
                return ServiceErrno.IO;
            }
        });
    }

    static long u32(long arg) {
        return arg & 0xFFFFFFFFL;
    }

    private static Memory check(Instance inst, long address, long length) {
        Memory m = inst.memory();
        if (m == null || !m.inBounds(address, length)) {
            throw new ServiceException(ServiceErrno.FAULT, "[" + address + ", +" + length + ") is outside memory");
        }
        return m;
    }

    /** A namespace name (as granted); names longer than any grant can only be ungranted. */
    static String name(Instance inst, long ptr, long len) {
        long p = u32(ptr);
        long n = u32(len);
        Memory m = check(inst, p, n);
        if (n > 64) {
            return "";
        }
        return new String(m.array(), (int) p, (int) n, StandardCharsets.ISO_8859_1);
    }

    /** A table or subscription name: EINVAL unless it is a valid name. */
    static String label(Instance inst, long ptr, long len, boolean emptyAllowed) {
        long n = u32(len);
        if (n == 0 && emptyAllowed) {
            check(inst, u32(ptr), 0);
            return "";
        }
        String s = name(inst, ptr, len);
        try {
            return Grant.checkName(s, "table or subscription");
        } catch (IllegalArgumentException e) {
            throw new ServiceException(ServiceErrno.INVAL, e.getMessage());
        }
    }

    /** A key: 1 to {@link Limits#MAX_KEY} bytes (ENAMETOOLONG if longer, checked before the memory, then EFAULT, EINVAL if empty), or empty if {@code emptyAllowed}. */
    static byte[] key(Instance inst, long ptr, long len, boolean emptyAllowed) {
        long n = u32(len);
        if (n > Limits.MAX_KEY) {
            throw new ServiceException(ServiceErrno.NAMETOOLONG, "key of " + n + " bytes (at most " + Limits.MAX_KEY + ")");
        }
        Memory m = check(inst, u32(ptr), n);
        if (n == 0 && !emptyAllowed) {
            throw new ServiceException(ServiceErrno.INVAL, "empty key");
        }
        return m.slice(u32(ptr), (int) n);
    }

    /** A value or message: at most {@link Limits#MAX_VALUE} bytes, else {@code tooBig}. */
    static byte[] value(Instance inst, long ptr, long len, int tooBig) {
        long n = u32(len);
        if (n > Limits.MAX_VALUE) {
            throw new ServiceException(tooBig, "value of " + n + " bytes (at most " + Limits.MAX_VALUE + ")");
        }
        return check(inst, u32(ptr), n).slice(u32(ptr), (int) n);
    }

    /**
     * Writes {@code data} to the buffer {@code [buf, buf + cap)} and its length to the u32 at
     * {@code lenOut}; if it does not fit, writes only the length and fails with ENOBUFS.
     */
    static int out(Instance inst, long buf, long cap, long lenOut, byte[] data) {
        writeU32(inst, lenOut, data.length);
        if (data.length > u32(cap)) {
            throw new ServiceException(ServiceErrno.NOBUFS, "the value is " + data.length + " bytes, the buffer " + u32(cap));
        }
        check(inst, u32(buf), data.length).write(u32(buf), data, 0, data.length);
        return ServiceErrno.SUCCESS;
    }

    /** Checks that the output buffer and the length slot are in memory, before any change is made. */
    static void checkOut(Instance inst, long buf, long cap, long lenOut) {
        check(inst, u32(buf), u32(cap));
        check(inst, u32(lenOut), 4);
    }

    static void writeU32(Instance inst, long ptr, int v) {
        check(inst, u32(ptr), 4).writeI32(u32(ptr), v);
    }

    static void writeU64(Instance inst, long ptr, long v) {
        check(inst, u32(ptr), 8).writeI64(u32(ptr), v);
    }

    /** Checks that {@code length} bytes at {@code address} (an input array) are in memory. */
    static Memory checkIn(Instance inst, long address, long length) {
        return check(inst, address, length);
    }

    /** Checks that an 8-byte result slot is in memory. */
    static void checkU64(Instance inst, long ptr) {
        check(inst, u32(ptr), 8);
    }
}
