package dev.cella.sandbox.wasi;

import dev.cella.isa.module.FuncType;
import dev.cella.sandbox.fs.FsException;
import dev.cella.sandbox.fs.FsMeter;
import dev.cella.sandbox.fs.HostMount;
import dev.cella.sandbox.fs.VirtualFileSystem;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.LinkException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One cell's WASI preview 1 host: its descriptors, filesystem, streams, clocks and random source.
 * Nothing in it is shared with another cell (mounted host directories aside, which the host chose
 * to share).
 *
 * <p>Descriptors at start: 0 stdin, 1 stdout, 2 stderr, 3 the root directory {@code /} (a
 * preopen), then one preopen per mount, in configuration order, named by its guest path (with a
 * single mount at {@code /}, only fd 3).
 *
 * <p>Every call returns an errno; a guest's bad pointer is EFAULT, a path that would leave its
 * directory is NOTCAPABLE, an unsupported call is NOSYS. Only {@code proc_exit} (a
 * {@link dev.cella.vm.GuestExit}) and the cell's limits (quota errors from {@link WasiLimits} and
 * {@link FsMeter}) end a run from inside a call.
 */
public final class Wasi {
    /** The import module name of WASI preview 1. */
    public static final String MODULE = "wasi_snapshot_preview1";

    final WasiOptions options;
    final WasiLimits limits;
    final WasiStats stats = new WasiStats();
    final WasiClock clock;
    final WasiRandom random;
    final VirtualFileSystem fs;
    final FdTable fds;
    private InputStream stdin;
    private boolean stdinOpened;
    private Instance instance;
    private byte[][] argBytes;
    private byte[][] envBytes;

    /**
     * @param options what the guest is given
     * @param mounts host directories to mount (see {@link VirtualFileSystem})
     * @param meter the disk and files-created quotas
     * @param limits the output and open-files quotas, and host sleeping
     */
    public Wasi(WasiOptions options, List<HostMount> mounts, FsMeter meter, WasiLimits limits) {
        this.options = options;
        this.limits = limits;
        this.clock = new WasiClock(options.hostClock());
        this.random = new WasiRandom(options.hostRandom(), options.randomSeed());
        this.fs = new VirtualFileSystem(mounts, meter, () -> clock.now(Abi.CLOCK_REALTIME, instance));
        this.fds = new FdTable(limits::beforeOpen);
        fds.add(Descriptor.stream(Descriptor.Kind.STDIN));
        fds.add(Descriptor.stream(Descriptor.Kind.STDOUT));
        fds.add(Descriptor.stream(Descriptor.Kind.STDERR));
        fds.add(Descriptor.preopen(fs.root(), "/"));
        if (!(mounts.size() == 1 && mounts.get(0).guestPath().equals("/"))) {
            for (int i = 0; i < mounts.size(); i++) {
                fds.add(Descriptor.preopen(fs.mountRoot(i), mounts.get(i).guestPath()));
            }
        }
    }

    /** Ties the clocks to {@code instance}'s fuel; call once the instance exists. */
    public void bind(Instance instance) {
        this.instance = instance;
    }

    /** The cell's filesystem, for hosts that want to put files in or read them back. */
    public VirtualFileSystem fileSystem() {
        return fs;
    }

    /** What the guest did through WASI so far. */
    public WasiStats stats() {
        return stats;
    }

    /** A resolver for the {@value #MODULE} imports; other modules' imports resolve to null. */
    public ImportResolver resolver() {
        return (module, name, type) -> MODULE.equals(module) ? resolve(name, type) : null;
    }

    /**
     * The host function for WASI call {@code name}, bound to this cell.
     *
     * @return the function (one that returns NOSYS if the call is not supported), or null if
     *     WASI preview 1 has no call of that name
     * @throws LinkException if the module imports the call with another signature
     */
    public HostFunction resolve(String name, FuncType type) {
        WasiFunctions.Entry e = WasiFunctions.get(name);
        if (e == null) {
            return null;
        }
        if (!e.type().equals(type)) {
            throw new LinkException("import " + MODULE + "." + name + " has type " + type + ", but WASI defines it as "
                    + e.type());
        }
        WasiFunctions.Call call = e.call();
        if (call == null) {
            return (inst, args) -> Errno.NOSYS;
        }
        return (inst, args) -> {
            try {
                return call.invoke(this, inst, args);
            } catch (WasiError err) {
                return err.errno;
            } catch (FsException err) {
                return Errno.of(err.error());
            }
        };
    }

    /** Closes every descriptor (host files included) and stdin, as a process's exit does. */
    public void close() {
        fds.closeAll();
        if (stdin != null) {
            try {
                stdin.close();
            } catch (IOException e) {
                // Input is not needed any more; a failure to release it changes nothing for the guest.
            }
            stdin = null;
        }
    }

    /** The guest's stdin, opened on first use; null if it has none. */
    InputStream stdin() {
        if (!stdinOpened) {
            stdinOpened = true;
            if (options.stdin() != null) {
                try {
                    stdin = options.stdin().get();
                } catch (UncheckedIOException e) {
                    throw new WasiError(Errno.IO);
                }
            }
        }
        return stdin;
    }

    byte[][] argBytes() {
        if (argBytes == null) {
            argBytes = encode(options.args());
        }
        return argBytes;
    }

    byte[][] envBytes() {
        if (envBytes == null) {
            envBytes = encode(options.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
        return envBytes;
    }

    private static byte[][] encode(List<String> strings) {
        byte[][] out = new byte[strings.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
