package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.fs.FileType;
import dev.cella.sandbox.fs.FsMeter;
import dev.cella.sandbox.fs.Node;
import dev.cella.sandbox.fs.VirtualFileSystem;
import dev.cella.sandbox.fs.FsSnapshot.ChildState;
import dev.cella.sandbox.fs.FsSnapshot.MemNodeState;
import dev.cella.sandbox.fs.FsSnapshot.TreeState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The in-memory filesystem as a checkpoint carries it: a tree copies out and back exactly, an
 * unlinked file a descriptor holds comes along, and a state that is not a tree is refused without
 * touching the filesystem.
 */
class TreeStateTest {
    private long now = 1_000;

    private VirtualFileSystem fs() {
        return new VirtualFileSystem(List.of(), FsMeter.UNLIMITED, () -> now++);
    }

    /** /docs/readme.txt, /docs/link -> readme.txt, /empty/, /data.bin, and an unlinked open file. */
    private Node populate(VirtualFileSystem fs) {
        Node root = fs.root();
        fs.createDirectory(root, "docs");
        fs.createDirectory(root, "empty");
        write(fs, "docs/readme.txt", "read me");
        fs.symlink("readme.txt", root, "docs/link");
        write(fs, "data.bin", "\u0000\u0001binary");
        VirtualFileSystem.Opened gone = fs.open(root, "gone.txt", true, VirtualFileSystem.CREATE | VirtualFileSystem.WRITE);
        byte[] b = "still here".getBytes(StandardCharsets.UTF_8);
        gone.file().write(0, b, 0, b.length);
        fs.unlink(root, "gone.txt");
        return gone.node();
    }

    private static void write(VirtualFileSystem fs, String path, String text) {
        VirtualFileSystem.Opened o = fs.open(fs.root(), path, true, VirtualFileSystem.CREATE | VirtualFileSystem.WRITE);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        o.file().write(0, b, 0, b.length);
    }

    /** A readable rendering of a state (records holding arrays do not compare by content). */
    private static String render(TreeState t) {
        StringBuilder sb = new StringBuilder("root " + t.rootIno() + ", next " + t.nextIno() + "\n");
        for (MemNodeState n : t.nodes()) {
            sb.append(n.ino()).append(' ').append(n.type()).append(" times ").append(n.atim()).append('/')
                    .append(n.mtim()).append('/').append(n.ctim()).append(n.removed() ? " removed" : "")
                    .append(n.data() == null ? "" : " data " + HexFormat.of().formatHex(n.data()))
                    .append(n.target() == null ? "" : " -> " + n.target()).append(' ').append(n.children()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aTreeCopiesOutAndBackExactlyWithTheDetachedFilesItIsAskedFor() {
        VirtualFileSystem a = fs();
        Node gone = populate(a);
        TreeState state = a.snapshot().treeState(List.of(gone));
        assertTrue(render(state).contains(HexFormat.of().formatHex("still here".getBytes(StandardCharsets.UTF_8))));
        VirtualFileSystem b = fs();
        Map<Long, Node> nodes = b.snapshot().restoreTree(state);
        assertEquals(render(state), render(b.snapshot().treeState(List.of(nodes.get(a.snapshot().ref(gone).ino())))));
        assertEquals("readme.txt", b.readlink(b.root(), "docs/link"));
        assertEquals(List.of("data.bin", "dev", "docs", "empty"), b.list(b.root()).stream().map(e -> e.name()).toList());
        assertEquals(FileType.REGULAR_FILE, b.snapshot().node(a.snapshot().ref(gone), nodes).type());
        assertEquals(10, b.reopen(b.snapshot().node(a.snapshot().ref(gone), nodes), false).size());
    }

    @Test
    void devicesGoThroughTheCodecAndComeBackAsDevicesWithoutTouchingTheHost() {
        VirtualFileSystem a = fs();
        populate(a);
        TreeState state = a.snapshot().treeState(List.of());
        CheckpointOutput out = new CheckpointOutput(256);
        WasiCodec.tree(out, state);
        TreeState decoded = WasiCodec.tree(new CheckpointInput(out.buffer(), out.size(), "test"));
        assertEquals(render(state), render(decoded));
        assertTrue(render(decoded).contains("CHARACTER_DEVICE times ") && render(decoded).contains(" -> urandom"), render(decoded));
        VirtualFileSystem b = fs();
        Map<Long, Node> nodes = b.snapshot().restoreTree(decoded);
        Node zero = b.resolve(b.root(), "dev/zero", false).node();
        assertEquals(FileType.CHARACTER_DEVICE, zero.type());
        assertTrue(nodes.containsValue(zero));
        byte[] buf = {7, 7, 7};
        assertEquals(3, b.reopen(zero, false).read(0, buf, 0, 3));
        assertEquals("[0, 0, 0]", java.util.Arrays.toString(buf));
    }

    @Test
    void aForgedDeviceNameIsRefused() {
        VirtualFileSystem a = fs();
        TreeState s = a.snapshot().treeState(List.of());
        MemNodeState dev = s.nodes().stream().filter(n -> n.type() == FileType.CHARACTER_DEVICE).findFirst().orElseThrow();
        assertRefused(change(s, dev.ino(), n -> new MemNodeState(n.ino(), n.type(), 0, 0, 0, false, null, "sda",
                List.of())), "unknown device 'sda'");
        assertRefused(change(s, dev.ino(), n -> new MemNodeState(n.ino(), n.type(), 0, 0, 0, false, null, null,
                List.of())), "lacks its contents");
    }

    private static TreeState change(TreeState s, long ino, UnaryOperator<MemNodeState> f) {
        List<MemNodeState> nodes = new ArrayList<>();
        for (MemNodeState n : s.nodes()) {
            nodes.add(n.ino() == ino ? f.apply(n) : n);
        }
        return new TreeState(s.rootIno(), s.nextIno(), nodes);
    }

    private static MemNodeState withChildren(MemNodeState n, List<ChildState> children) {
        return new MemNodeState(n.ino(), n.type(), n.atim(), n.mtim(), n.ctim(), n.removed(), n.data(), n.target(),
                children);
    }

    private void assertRefused(TreeState bad, String expected) {
        VirtualFileSystem b = fs();
        b.createDirectory(b.root(), "before");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.snapshot().restoreTree(bad));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(List.of("before", "dev"), b.list(b.root()).stream().map(x -> x.name()).toList(), "nothing changed");
    }

    @Test
    void statesThatAreNotATreeAreRefusedWithoutTouchingTheFilesystem() {
        VirtualFileSystem a = fs();
        populate(a);
        TreeState s = a.snapshot().treeState(List.of());
        MemNodeState root = s.nodes().get(0);
        long docs = root.children().stream().filter(c -> c.name().equals("docs")).findFirst().orElseThrow().ino();
        long data = root.children().stream().filter(c -> c.name().equals("data.bin")).findFirst().orElseThrow().ino();
        List<ChildState> twice = new ArrayList<>(root.children());
        twice.add(new ChildState("again", -1, data));
        assertRefused(change(s, root.ino(), n -> withChildren(n, twice)), "names no node it may");
        List<ChildState> missing = new ArrayList<>(root.children());
        missing.add(new ChildState("ghost", -1, 999));
        assertRefused(change(s, root.ino(), n -> withChildren(n, missing)), "names no node it may");
        List<ChildState> slash = new ArrayList<>(root.children());
        slash.add(new ChildState("a/b", -1, 999));
        assertRefused(change(s, root.ino(), n -> withChildren(n, slash)), "invalid directory entry name 'a/b'");
        // docs made a child of itself: docs and what is under it hang from nothing.
        List<ChildState> rootWithoutDocs = root.children().stream().filter(c -> c.ino() != docs).toList();
        TreeState cycle = change(change(s, root.ino(), n -> withChildren(n, rootWithoutDocs)), docs, n -> {
            List<ChildState> c = new ArrayList<>(n.children());
            c.add(new ChildState("self", -1, docs));
            return withChildren(n, c);
        });
        assertRefused(cycle, "cycle");
        assertRefused(new TreeState(s.rootIno() + 1, s.nextIno(), s.nodes()), "does not match");
        assertRefused(new TreeState(s.rootIno(), 2, s.nodes()), "out of range");
        List<ChildState> mount = new ArrayList<>(root.children());
        mount.add(new ChildState("mnt", 0, 0));
        assertRefused(change(s, root.ino(), n -> withChildren(n, mount)), "names no node it may");
    }
}
