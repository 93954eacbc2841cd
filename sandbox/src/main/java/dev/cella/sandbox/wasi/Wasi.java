package dev.cella.sandbox.wasi;

import dev.cella.isa.module.FuncType;
import dev.cella.sandbox.fs.DirEntry;
import dev.cella.sandbox.fs.FileHandle;
import dev.cella.sandbox.fs.FsException;
import dev.cella.sandbox.fs.FsMeter;
import dev.cella.sandbox.fs.RootTree;
import dev.cella.sandbox.fs.FsSnapshot;
import dev.cella.sandbox.fs.HostMount;
import dev.cella.sandbox.fs.Node;
import dev.cella.sandbox.fs.VirtualFileSystem;
import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.sandbox.stream.WasiErrno;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.LinkException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * directory is NOTCAPABLE, an unsupported call is NOSYS, a quota the guest can cope with is the
 * errno a POSIX system gives (EDQUOT, EMFILE, thrown by {@link FsMeter} and {@link WasiLimits} as
 * an {@link FsException}). Only {@code proc_exit} (a {@link dev.cella.vm.GuestExit}) and the
 * cell's hard limits (output, and kills) end a run from inside a call.
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
    /** Times the guest set on mounted nodes without the host clock (see {@link GuestTimes}). */
    final GuestTimes guestTimes = new GuestTimes();
    final FdTable fds;
    final StreamWait streamWait;
    private final List<Runnable> closeActions = new ArrayList<>();
    private InputStream stdin;
    private boolean stdinOpened;
    /** Bytes of stdin a restored guest had already read: skipped when stdin is opened. */
    private long stdinSkip;
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
        this(options, mounts, RootTree.EMPTY, meter, limits);
    }

    /**
     * @param options what the guest is given
     * @param mounts host directories to mount (see {@link VirtualFileSystem})
     * @param tree the files the in-memory tree starts with
     * @param meter the disk and files-created quotas
     * @param limits the output and open-files quotas, and host sleeping
     */
    public Wasi(WasiOptions options, List<HostMount> mounts, RootTree tree, FsMeter meter, WasiLimits limits) {
        this.options = options;
        this.limits = limits;
        this.clock = new WasiClock(options.hostClock());
        this.random = new WasiRandom(options.hostRandom(), options.randomSeed());
        this.fs = new VirtualFileSystem(mounts, tree, meter, () -> clock.now(Abi.CLOCK_REALTIME, instance), random::fill);
        this.fds = new FdTable(limits::beforeOpen);
        this.streamWait = new StreamWait(limits);
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
            } catch (StreamException err) {
                return err.errno().code();
            }
        };
    }

    // ---- stream descriptors, for host modules (CellContext) ----

    /**
     * Puts {@code stream} in the table under the lowest free number, counted against the
     * open-files quota, its waker set to wake this cell's waits.
     *
     * @throws StreamException EMFILE if the quota is reached
     */
    public int openStream(StreamDescriptor stream) {
        try {
            fds.beforeGuestOpen();
        } catch (FsException e) {
            throw new StreamException(WasiErrno.of(Errno.of(e.error())), e.getMessage());
        }
        stream.waker(streamWait.waker());
        return fds.add(Descriptor.stream(stream));
    }

    /**
     * The stream descriptor {@code fd}.
     *
     * @throws StreamException EBADF if it is not open, ENOTSOCK if it is not a stream
     */
    public StreamDescriptor stream(int fd) {
        try {
            return StreamCalls.socket(this, fd & 0xFFFFFFFFL).stream;
        } catch (WasiError e) {
            throw new StreamException(WasiErrno.of(e.errno));
        }
    }

    /** The number of stream descriptors (sockets, pipes) open now. */
    public int openStreams() {
        int n = 0;
        for (Descriptor d : fds.descriptors()) {
            if (d != null && d.kind == Descriptor.Kind.STREAM) {
                n++;
            }
        }
        return n;
    }

    /** Runs {@code action} once, after the descriptors are closed, when this host is closed. */
    public void onClose(Runnable action) {
        closeActions.add(action);
    }

    /**
     * Closes every descriptor (host files, sockets and pipes included) and stdin, as a process's
     * exit does, then runs the actions host modules asked for ({@link #onClose}).
     */
    public void close() {
        fds.closeAll();
        List<Runnable> actions = new ArrayList<>(closeActions);
        closeActions.clear();
        actions.forEach(Runnable::run);
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
                    skip(stdin, stdinSkip);
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

    /** Discards up to {@code n} bytes of {@code in} (fewer if it ends first). */
    private static void skip(InputStream in, long n) {
        try {
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            for (long left = n; left > 0; ) {
                int got = in.read(buf, 0, (int) Math.min(left, buf.length));
                if (got < 0) {
                    return;
                }
                left -= got;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- checkpoints ----

    /**
     * One open descriptor as plain data.
     *
     * @param kind STDIN, STDOUT, STDERR, FILE or DIRECTORY
     * @param position a file's offset
     * @param node a file's or directory's node, else null
     * @param writable whether a file's handle was opened for writing
     * @param preopenPath a preopened directory's guest path, else null
     * @param guestOpened true if the guest opened it (path_open)
     * @param listing the directory listing a readdir sequence is paging through, or null
     */
    public record DescriptorState(String kind, long rightsBase, long rightsInheriting, int fdflags, long position,
            FsSnapshot.NodeRef node, boolean writable, String preopenPath, boolean guestOpened,
            List<DirEntry> listing) {}

    /**
     * Everything of the WASI host that changes as a guest runs (the options excepted).
     *
     * @param descriptors the descriptor table, by number; null for a free number
     * @param stdinOpened true if the guest has read stdin
     * @param slept the virtual time the guest slept
     * @param randomState the seeded random generator's state
     * @param tree the in-memory filesystem, with the detached nodes descriptors hold
     */
    public record State(List<DescriptorState> descriptors, boolean stdinOpened, long stdinRead, long stdoutWritten,
            long stderrWritten, long filesOpened, long slept, long randomState, FsSnapshot.TreeState tree) {}

    /**
     * A copy of the host's state. Host files are referred to by path, not copied.
     *
     * @throws IllegalStateException if a socket or pipe is open: a connection's other end lives
     *     outside the cell and cannot be restored with it (docs/network.md, "Checkpoints")
     */
    public State state() {
        if (openStreams() > 0) {
            throw new IllegalStateException(openStreams() + " socket or pipe descriptors are open");
        }
        FsSnapshot snap = fs.snapshot();
        List<DescriptorState> out = new ArrayList<>();
        List<Node> held = new ArrayList<>();
        for (Descriptor d : fds.descriptors()) {
            if (d == null) {
                out.add(null);
                continue;
            }
            if (d.node != null) {
                held.add(d.node);
            }
            out.add(new DescriptorState(d.kind.name(), d.rightsBase, d.rightsInheriting, d.fdflags, d.position,
                    d.node == null ? null : snap.ref(d.node), d.file != null && d.file.writable(), d.preopenPath,
                    d.guestOpened, d.listing == null ? null : List.copyOf(d.listing)));
        }
        return new State(out, stdinOpened, stats.stdinRead, stats.stdoutWritten, stats.stderrWritten,
                stats.filesOpened, clock.slept(), random.state(), snap.treeState(held));
    }

    /**
     * Puts this host (fresh, with the same options and mounts as the one {@code state} came from)
     * into {@code state}: filesystem, descriptors (host files are opened again at their paths),
     * counters, clock and random generator. Stdin, if the guest had read it, is opened again on the
     * next read and the bytes read before are skipped.
     *
     * @throws IllegalArgumentException if the state does not fit (see {@link
     *     FsSnapshot#restoreTree}, or a descriptor whose kind, node or origin is impossible)
     * @throws FsException if a host file cannot be opened again
     */
    public void restore(State state) {
        FsSnapshot snap = fs.snapshot();
        Map<Long, Node> nodes = snap.restoreTree(state.tree());
        List<Descriptor> table = new ArrayList<>();
        try {
            for (DescriptorState d : state.descriptors()) {
                table.add(d == null ? null : descriptor(d, snap, nodes));
            }
        } catch (RuntimeException e) {
            table.forEach(d -> {
                if (d != null) {
                    d.close();
                }
            });
            throw e;
        }
        fds.restore(table);
        stdinOpened = false;
        stdinSkip = state.stdinOpened() ? state.stdinRead() : 0;
        stats.stdinRead = state.stdinRead();
        stats.stdoutWritten = state.stdoutWritten();
        stats.stderrWritten = state.stderrWritten();
        stats.filesOpened = state.filesOpened();
        clock.restoreSlept(state.slept());
        random.restoreState(state.randomState());
    }

    private Descriptor descriptor(DescriptorState s, FsSnapshot snap, Map<Long, Node> nodes) {
        Descriptor.Kind kind = Descriptor.Kind.valueOf(s.kind());
        Node node = s.node() == null ? null : snap.node(s.node(), nodes);
        Descriptor d = switch (kind) {
            case STDIN, STDOUT, STDERR -> Descriptor.stream(kind);
            case STREAM -> throw new IllegalArgumentException("a socket or pipe descriptor cannot be restored");
            case FILE -> {
                FileHandle handle = fs.reopen(require(node, s), s.writable());
                yield Descriptor.file(handle, node, s.rightsBase(), s.fdflags());
            }
            case DIRECTORY -> s.preopenPath() != null ? Descriptor.preopen(require(node, s), s.preopenPath())
                    : Descriptor.directory(require(node, s), s.rightsBase(), s.rightsInheriting());
        };
        if (d.guestOpened != s.guestOpened()) {
            d.close();
            throw new IllegalArgumentException("a " + kind + " descriptor " + (s.guestOpened() ? "cannot" : "must")
                    + " have been opened by the guest");
        }
        d.rightsBase = s.rightsBase();
        d.rightsInheriting = s.rightsInheriting();
        d.fdflags = s.fdflags();
        d.position = s.position();
        d.listing = s.listing() == null ? null : new ArrayList<>(s.listing());
        return d;
    }

    private static Node require(Node node, DescriptorState s) {
        if (node == null) {
            throw new IllegalArgumentException("a " + s.kind() + " descriptor without its node");
        }
        return node;
    }
}
