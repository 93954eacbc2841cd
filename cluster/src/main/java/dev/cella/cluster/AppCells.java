package dev.cella.cluster;

import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.fs.RootTree;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of an app's cell that a batch cell lacks ({@link Wire.AppCell}): its encoding inside
 * a {@link Wire.CellJob}, the image's files as bytes, and how a member applies it to the cell's
 * configuration. Everything applied comes from the job, which the submitter read from the app
 * file and its image (docs/cluster.md, "Security").
 */
public final class AppCells {
    private static final byte DIR = 0;
    private static final byte FILE = 1;
    private static final byte LINK = 2;

    /** Decoded trees by the SHA-256 of their bytes: an app's replicas share one image. */
    private static final Map<String, RootTree> TREES = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RootTree> e) {
            return size() > 16;
        }
    };

    private AppCells() {}

    /**
     * Sets on {@code b} what {@code app} grants and limits, beyond the batch cell's fields.
     *
     * @throws IllegalArgumentException if its image files are malformed
     * @throws dev.cella.sandbox.SandboxException if a quota is out of range
     */
    public static void apply(Wire.AppCell app, CellConfig.Builder b) {
        b.env(app.env()).allowClock(app.clock()).allowRandom(app.random());
        if (app.tree().length > 0) {
            b.rootTree(tree(app.tree()));
        }
        if (app.maxCallDepth() >= 0) {
            b.maxCallDepth(app.maxCallDepth());
        }
        if (app.maxOutput() >= 0) {
            b.maxOutput(app.maxOutput());
        }
        if (app.maxOpenFiles() >= 0) {
            b.maxOpenFiles(app.maxOpenFiles());
        }
        if (app.diskQuota() >= 0) {
            b.diskQuota(app.diskQuota());
        }
        if (app.maxFiles() >= 0) {
            b.maxFilesCreated(app.maxFiles());
        }
    }

    /** The wire form of {@code tree}: each node, parents first, as kind, path and data. */
    public static byte[] encodeTree(RootTree tree) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(tree.size());
            tree.visit(new RootTree.Visitor() {
                @Override
                public void dir(String path) {
                    node(out, DIR, path, new byte[0]);
                }

                @Override
                public void file(String path, byte[] data) {
                    node(out, FILE, path, data);
                }

                @Override
                public void symlink(String path, String target) {
                    node(out, LINK, path, target.getBytes(StandardCharsets.UTF_8));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array never fails to take bytes
        }
        return bytes.toByteArray();
    }

    private static void node(DataOutputStream out, byte kind, String path, byte[] data) {
        try {
            out.writeByte(kind);
            WireSerializer.blob(out, path.getBytes(StandardCharsets.UTF_8));
            WireSerializer.blob(out, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The tree of {@code bytes}, decoded once per distinct bytes.
     *
     * @throws IllegalArgumentException if the bytes are not a tree (a damaged or hostile job)
     */
    static RootTree tree(byte[] bytes) {
        String key = HexFormat.of().formatHex(sha256(bytes));
        synchronized (TREES) {
            RootTree t = TREES.get(key);
            if (t != null) {
                return t;
            }
        }
        RootTree t = decodeTree(bytes);
        synchronized (TREES) {
            TREES.put(key, t);
        }
        return t;
    }

    private static RootTree decodeTree(byte[] bytes) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            int n = in.readInt();
            if (n < 0 || (long) n * 9 > in.available()) {
                throw new IOException("a tree of " + n + " nodes in " + bytes.length + " bytes");
            }
            RootTree.Builder b = RootTree.builder();
            for (int i = 0; i < n; i++) {
                byte kind = in.readByte();
                String path = new String(blob(in), StandardCharsets.UTF_8);
                byte[] data = blob(in);
                switch (kind) {
                    case DIR -> b.dir(path);
                    case FILE -> b.file(path, data);
                    case LINK -> b.symlink(path, new String(data, StandardCharsets.UTF_8));
                    default -> throw new IOException("a node of kind " + kind);
                }
            }
            if (in.available() != 0) {
                throw new IOException(in.available() + " bytes after the tree's end");
            }
            return b.build();
        } catch (IOException e) {
            throw new IllegalArgumentException("an app cell's image files are malformed: " + e.getMessage(), e);
        }
    }

    private static byte[] blob(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("a length of " + n + " with " + in.available() + " bytes left");
        }
        return in.readNBytes(n);
    }

    /** Writes {@code app} as {@link WireSerializer} reads it back. */
    static void write(DataOutputStream out, Wire.AppCell app) throws IOException {
        List<String> env = new ArrayList<>();
        app.env().forEach((k, v) -> {
            env.add(k);
            env.add(v);
        });
        WireSerializer.strings(out, env);
        WireSerializer.blob(out, app.tree());
        out.writeBoolean(app.clock());
        out.writeBoolean(app.random());
        out.writeInt(app.maxCallDepth());
        out.writeLong(app.maxOutput());
        out.writeInt(app.maxOpenFiles());
        out.writeLong(app.diskQuota());
        out.writeInt(app.maxFiles());
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
