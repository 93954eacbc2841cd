package dev.cella.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds an image: an OCI image layout, as one tar, of a module layer, a files layer (the
 * guest's root tree), a config holding the {@link ImageSpec} and a manifest, named {@code tag} in
 * the index. Deterministic: the same inputs give the same bytes, whatever the host, the clock
 * or the order a directory lists in (fixed owners, modes and times; entries sorted by name; JSON
 * written in a fixed order; gzip without a time stamp, cut into chunks at fixed offsets: {@link
 * ParallelGzip}).
 */
public final class ImagePacker {
    private ImagePacker() {}

    /**
     * What goes into an image.
     *
     * @param module the module's bytes: a WebAssembly binary or a Cella binary (.cel)
     * @param wasm true for WebAssembly, false for a Cella binary
     * @param files the host directory whose tree becomes the guest's root files; null for none
     * @param spec the defaults
     * @param tag the name of the image in the index ({@value MediaTypes#REF_NAME})
     */
    public record Input(byte[] module, boolean wasm, Path files, ImageSpec spec, String tag) {}

    /**
     * Writes the image of {@code in} to {@code out}.
     *
     * @throws ImageException (SPEC) if the files tree holds something other than directories,
     *     regular files and symbolic links
     * @throws IOException if the tree cannot be read or {@code out} written
     */
    public static void pack(Input in, OutputStream out) throws IOException {
        TreeMap<String, byte[]> blobs = new TreeMap<>();
        String moduleType = in.wasm() ? MediaTypes.WASM : MediaTypes.CELLA_MODULE;
        String moduleDigest = add(blobs, in.module());
        byte[] filesTar = Tar.bytes(in.files() == null ? List.of() : treeEntries(in.files()));
        String filesDigest = add(blobs, ParallelGzip.gzip(filesTar));

        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", in.tag());
        Map<String, Object> runConfig = new LinkedHashMap<>();
        runConfig.put("Labels", labels);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", List.of(moduleDigest, Digest.of(filesTar)));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", in.wasm() ? "wasm" : "cella");
        config.put("os", "wasip1");
        config.put("config", runConfig);
        config.put("rootfs", rootfs);
        config.put(ImageSpec.CONFIG_KEY, in.spec().toJson());
        byte[] configBytes = Json.bytes(config);
        String configDigest = add(blobs, configBytes);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.MANIFEST);
        manifest.put("config", descriptor(MediaTypes.CONFIG, configDigest, configBytes.length));
        manifest.put("layers", List.of(
                descriptor(moduleType, moduleDigest, in.module().length),
                descriptor(MediaTypes.FILES, filesDigest, blobs.get(filesDigest).length)));
        byte[] manifestBytes = Json.bytes(manifest);
        String manifestDigest = add(blobs, manifestBytes);

        Map<String, Object> ref = descriptor(MediaTypes.MANIFEST, manifestDigest, manifestBytes.length);
        ref.put("annotations", Map.of(MediaTypes.REF_NAME, in.tag()));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.INDEX);
        index.put("manifests", List.of(ref));

        List<Tar.Entry> layout = new ArrayList<>();
        layout.add(Tar.Entry.file("oci-layout", Json.bytes(Map.of("imageLayoutVersion", MediaTypes.LAYOUT_VERSION))));
        layout.add(Tar.Entry.file("index.json", Json.bytes(index)));
        layout.add(Tar.Entry.dir("blobs"));
        layout.add(Tar.Entry.dir("blobs/sha256"));
        for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
            layout.add(Tar.Entry.file(Digest.blobPath(b.getKey()), b.getValue()));
        }
        Tar.write(out, layout);
    }

    /** The image of {@code in} as bytes. */
    public static byte[] pack(Input in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pack(in, out);
        return out.toByteArray();
    }

    private static String add(Map<String, byte[]> blobs, byte[] bytes) {
        String d = Digest.of(bytes);
        blobs.put(d, bytes);
        return d;
    }

    private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("digest", digest);
        m.put("size", size);
        return m;
    }

    /** The entries of the tree under {@code root}, sorted by relative path; symbolic links are not followed. */
    static List<Tar.Entry> treeEntries(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new ImageException(ImageException.Kind.SPEC, root + ": the files to pack must be a directory");
        }
        TreeMap<String, Path> sorted = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root)).forEach(p -> sorted.put(relative(root, p), p));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<Tar.Entry> out = new ArrayList<>();
        for (Map.Entry<String, Path> e : sorted.entrySet()) {
            Path p = e.getValue();
            if (Files.isSymbolicLink(p)) {
                out.add(new Tar.Entry(e.getKey(), Tar.Type.SYMLINK, new byte[0], Files.readSymbolicLink(p).toString()));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(Tar.Entry.dir(e.getKey()));
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(Tar.Entry.file(e.getKey(), Files.readAllBytes(p)));
            } else {
                throw new ImageException(ImageException.Kind.SPEC, p + ": only directories, regular files and "
                        + "symbolic links can be packed");
            }
        }
        return out;
    }

    private static String relative(Path root, Path p) {
        StringBuilder sb = new StringBuilder();
        for (Path c : root.relativize(p)) {
            sb.append(sb.isEmpty() ? "" : "/").append(c);
        }
        return sb.toString();
    }
}
