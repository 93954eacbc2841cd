package dev.cella.sandbox.checkpoint;

import dev.cella.sandbox.fs.DirEntry;
import dev.cella.sandbox.fs.FileType;
import dev.cella.sandbox.fs.FsSnapshot;
import dev.cella.sandbox.wasi.Wasi;
import java.util.ArrayList;
import java.util.List;

/**
 * The WASI and filesystem sections of the payload (layout in docs/checkpoint.md): the descriptor
 * table with each descriptor's node by reference, the stream counters, clock and random state;
 * then the in-memory tree, node by node, file contents included. Host files are referred to by
 * mount and path, never copied.
 */
final class WasiCodec {
    private static final FileType[] TYPES = FileType.values();

    private WasiCodec() {}

    static void wasi(CheckpointOutput out, Wasi.State s) {
        out.i32(s.descriptors().size());
        for (Wasi.DescriptorState d : s.descriptors()) {
            out.bool(d != null);
            if (d == null) {
                continue;
            }
            out.string(d.kind());
            out.i64(d.rightsBase());
            out.i64(d.rightsInheriting());
            out.i32(d.fdflags());
            out.i64(d.position());
            out.bool(d.node() != null);
            if (d.node() != null) {
                ref(out, d.node());
            }
            out.bool(d.writable());
            out.nullableString(d.preopenPath());
            out.bool(d.guestOpened());
            out.bool(d.listing() != null);
            if (d.listing() != null) {
                out.i32(d.listing().size());
                for (DirEntry e : d.listing()) {
                    out.string(e.name());
                    out.i64(e.ino());
                    out.u8(e.type().ordinal());
                }
            }
        }
        out.bool(s.stdinOpened());
        out.i64(s.stdinRead());
        out.i64(s.stdoutWritten());
        out.i64(s.stderrWritten());
        out.i64(s.filesOpened());
        out.i64(s.slept());
        out.i64(s.randomState());
    }

    private static void ref(CheckpointOutput out, FsSnapshot.NodeRef r) {
        out.i32(r.mount());
        out.i64(r.ino());
        out.string(r.rel());
        out.u8(r.type().ordinal());
    }

    static void tree(CheckpointOutput out, FsSnapshot.TreeState t) {
        out.i64(t.rootIno());
        out.i64(t.nextIno());
        out.i32(t.nodes().size());
        for (FsSnapshot.MemNodeState n : t.nodes()) {
            out.i64(n.ino());
            out.u8(n.type().ordinal());
            out.i64(n.atim());
            out.i64(n.mtim());
            out.i64(n.ctim());
            out.bool(n.removed());
            switch (n.type()) {
                case REGULAR_FILE -> out.bytes(n.data());
                case SYMBOLIC_LINK, CHARACTER_DEVICE -> out.string(n.target());
                default -> {
                    out.i32(n.children().size());
                    for (FsSnapshot.ChildState c : n.children()) {
                        out.string(c.name());
                        out.i32(c.mount());
                        out.i64(c.ino());
                    }
                }
            }
        }
    }

    /** The WASI section; its tree is null until {@link #withTree} adds the filesystem section's. */
    static Wasi.State wasi(CheckpointInput in) {
        List<Wasi.DescriptorState> fds = new ArrayList<>();
        for (int i = in.count("descriptor", 1); i > 0; i--) {
            if (!in.bool()) {
                fds.add(null);
                continue;
            }
            String kind = in.string();
            long rightsBase = in.i64();
            long rightsInheriting = in.i64();
            int fdflags = in.i32();
            long position = in.i64();
            if (position < 0) {
                throw in.invalid("descriptor " + fds.size() + " at negative offset " + position);
            }
            FsSnapshot.NodeRef node = in.bool() ? ref(in) : null;
            boolean writable = in.bool();
            String preopen = in.nullableString();
            boolean guestOpened = in.bool();
            List<DirEntry> listing = null;
            if (in.bool()) {
                listing = new ArrayList<>();
                for (int k = in.count("directory entry", 13); k > 0; k--) {
                    listing.add(new DirEntry(in.string(), in.i64(), type(in)));
                }
            }
            fds.add(new Wasi.DescriptorState(kind, rightsBase, rightsInheriting, fdflags, position, node, writable, preopen,
                    guestOpened, listing == null ? null : List.copyOf(listing)));
        }
        boolean stdinOpened = in.bool();
        long[] counters = new long[6];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = in.i64();
            if (i < 5 && counters[i] < 0) {
                throw in.invalid("negative WASI counter " + counters[i]);
            }
        }
        return new Wasi.State(java.util.Collections.unmodifiableList(fds), stdinOpened, counters[0], counters[1],
                counters[2], counters[3], counters[4], counters[5], null);
    }

    private static FsSnapshot.NodeRef ref(CheckpointInput in) {
        return new FsSnapshot.NodeRef(in.i32(), in.i64(), in.string(), type(in));
    }

    private static FileType type(CheckpointInput in) {
        int t = in.u8();
        if (t >= TYPES.length) {
            throw in.invalid("file type " + t);
        }
        return TYPES[t];
    }

    static FsSnapshot.TreeState tree(CheckpointInput in) {
        long rootIno = in.i64();
        long nextIno = in.i64();
        List<FsSnapshot.MemNodeState> nodes = new ArrayList<>();
        for (int i = in.count("node", 38); i > 0; i--) {
            long ino = in.i64();
            FileType type = type(in);
            long atim = in.i64();
            long mtim = in.i64();
            long ctim = in.i64();
            boolean removed = in.bool();
            byte[] data = null;
            String target = null;
            List<FsSnapshot.ChildState> children = new ArrayList<>();
            switch (type) {
                case REGULAR_FILE -> data = in.bytes();
                case SYMBOLIC_LINK, CHARACTER_DEVICE -> target = in.string();
                case DIRECTORY -> {
                    for (int k = in.count("directory entry", 16); k > 0; k--) {
                        children.add(new FsSnapshot.ChildState(in.string(), in.i32(), in.i64()));
                    }
                }
                default -> throw in.invalid("in-memory node " + ino + " of kind " + type);
            }
            nodes.add(new FsSnapshot.MemNodeState(ino, type, atim, mtim, ctim, removed, data, target,
                    List.copyOf(children)));
        }
        return new FsSnapshot.TreeState(rootIno, nextIno, List.copyOf(nodes));
    }

    static Wasi.State withTree(Wasi.State s, FsSnapshot.TreeState tree) {
        return new Wasi.State(s.descriptors(), s.stdinOpened(), s.stdinRead(), s.stdoutWritten(), s.stderrWritten(),
                s.filesOpened(), s.slept(), s.randomState(), tree);
    }
}
