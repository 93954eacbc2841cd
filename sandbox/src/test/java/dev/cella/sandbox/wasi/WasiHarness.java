package dev.cella.sandbox.wasi;

import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import dev.cella.sandbox.fs.FsMeter;
import dev.cella.sandbox.fs.HostMount;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.Memory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Calls WASI functions directly, as an engine would, on a one-page memory: the conformance tests
 * use it to reach every success and error path without writing a guest for each.
 */
final class WasiHarness {
    final Wasi wasi;
    final Instance instance;
    final Memory mem;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private int bump = 1024;

    WasiHarness() {
        this(new Builder());
    }

    private WasiHarness(Builder b) {
        WasiOptions options = new WasiOptions(b.args, b.env, b.stdin == null ? null : () -> new ByteArrayInputStream(b.stdin),
                out, err, false, false, b.seed, b.terminals);
        wasi = new Wasi(options, b.mounts, b.meter, b.limits);
        Module module = new Module(List.of(), List.of(), List.of(), List.of(), new Limits(b.pages, Limits.NONE),
                List.of(), List.of(), -1, List.of(), List.of(), Names.EMPTY);
        instance = new Instance(module, ImportResolver.NONE, InstanceOptions.defaults());
        wasi.bind(instance);
        mem = instance.memory();
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        List<String> args = List.of("prog");
        Map<String, String> env = Map.of();
        byte[] stdin;
        List<HostMount> mounts = new ArrayList<>();
        FsMeter meter = FsMeter.UNLIMITED;
        WasiLimits limits = WasiLimits.NONE;
        long seed;
        int pages = 1;
        int terminals;

        Builder terminals(int bits) {
            terminals = bits;
            return this;
        }

        Builder args(String... a) {
            args = List.of(a);
            return this;
        }

        Builder env(Map<String, String> e) {
            env = e;
            return this;
        }

        Builder stdin(String s) {
            stdin = s.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        Builder mount(Path host, String guest, boolean readOnly) {
            try {
                mounts.add(new HostMount(host.toRealPath(), guest, readOnly, mounts.size()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return this;
        }

        Builder meter(FsMeter m) {
            meter = m;
            return this;
        }

        Builder limits(WasiLimits l) {
            limits = l;
            return this;
        }

        Builder seed(long s) {
            seed = s;
            return this;
        }

        WasiHarness build() {
            return new WasiHarness(this);
        }
    }

    /** Calls WASI function {@code name} with its real signature and returns the errno. */
    int call(String name, long... args) {
        HostFunction f = wasi.resolve(name, WasiFunctions.get(name).type());
        return (int) f.call(instance, args);
    }

    /** Reserves {@code n} zeroed bytes, 8-aligned, and returns their address. */
    int alloc(int n) {
        int at = bump;
        bump = (bump + n + 7) & ~7;
        return at;
    }

    /** Copies the UTF-8 bytes of {@code s} into memory (no NUL) and returns the address. */
    int str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    int bytes(byte[] b) {
        int at = alloc(b.length);
        mem.write(at, b, 0, b.length);
        return at;
    }

    static int len(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** An array of one iovec pointing at {@code buf, len}. */
    int iov(int buf, int len) {
        int at = alloc(8);
        mem.writeI32(at, buf);
        mem.writeI32(at + 4, len);
        return at;
    }

    int u32(long addr) {
        return mem.readI32(addr);
    }

    long u64(long addr) {
        return mem.readI64(addr);
    }

    String string(long addr, int len) {
        return new String(mem.slice(addr, len), StandardCharsets.UTF_8);
    }

    /** Opens {@code path} under {@code dirfd} with the given oflags and rights; returns the fd or throws on an errno. */
    int open(int dirfd, String path, int oflags, long rights) {
        int fdPtr = alloc(4);
        int e = call("path_open", dirfd, 1, str(path), len(path), oflags, rights, rights, 0, fdPtr);
        if (e != 0) {
            throw new AssertionError("path_open " + path + " failed: " + Errno.name(e));
        }
        return u32(fdPtr);
    }

    /** path_open's errno for {@code path} under {@code dirfd}. */
    int openErrno(int dirfd, String path, int lookup, int oflags, long rights) {
        return call("path_open", dirfd, lookup, str(path), len(path), oflags, rights, rights, 0, alloc(4));
    }

    /** Writes {@code text} to {@code fd} with fd_write; returns the errno. */
    int write(int fd, String text) {
        int buf = str(text);
        return call("fd_write", fd, iov(buf, len(text)), 1, alloc(4));
    }

    /** Reads up to {@code max} bytes from {@code fd}; throws on an errno. */
    String read(int fd, int max) {
        int buf = alloc(max);
        int nread = alloc(4);
        int e = call("fd_read", fd, iov(buf, max), 1, nread);
        if (e != 0) {
            throw new AssertionError("fd_read failed: " + Errno.name(e));
        }
        return string(buf, u32(nread));
    }

    static final long READ = Abi.RIGHT_FD_READ | Abi.RIGHT_FD_SEEK | Abi.RIGHT_FD_TELL | Abi.RIGHT_FD_FILESTAT_GET
            | Abi.RIGHT_FD_READDIR | Abi.RIGHT_PATH_OPEN;
    static final long WRITE = READ | Abi.RIGHT_FD_WRITE | Abi.RIGHT_FD_FILESTAT_SET_SIZE;
    static final int CREAT = Abi.OFLAGS_CREAT;
    static final int TRUNC = Abi.OFLAGS_TRUNC;
    static final int EXCL = Abi.OFLAGS_EXCL;
    static final int DIRECTORY = Abi.OFLAGS_DIRECTORY;
}
