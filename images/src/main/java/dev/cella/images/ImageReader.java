package dev.cella.images;

import dev.cella.sandbox.fs.RootTree;
import java.io.ByteArrayInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an image from an OCI image layout in a tar file and checks it before anything in it is
 * used: the layout file, the index, then every blob the index reaches (manifest, config, module
 * layer, files layer) against the size and digest its descriptor gives, and the files layer's
 * uncompressed tar against the config's {@code diff_ids}. A blob that is missing or does not
 * match is a {@link ImageException.Kind#TAMPERED} failure naming it; anything else wrong is
 * {@link ImageException.Kind#MALFORMED}.
 */
public final class ImageReader {
    private ImageReader() {}

    /** The most bytes an image's layout, or its files uncompressed, may hold: 1 GiB. */
    public static final long MAX_BYTES = 1L << 30;

    /** Reads and checks the image in {@code file} ({@code name} as given, for messages). */
    public static Image read(Path file, String name) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, name);
        } catch (NoSuchFileException e) {
            throw new ImageException(ImageException.Kind.MALFORMED, name + ": no such file", e);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.MALFORMED, name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads and checks the image in {@code in}, an image layout as a tar. */
    public static Image read(InputStream in, String name) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        for (Tar.Entry e : Tar.read(in, name, MAX_BYTES)) {
            if (e.type() == Tar.Type.FILE && entries.put(normal(e.name()), e.data()) != null) {
                throw malformed(name, "the archive holds " + e.name() + " twice");
            }
        }
        byte[] layout = entries.get("oci-layout");
        if (layout == null) {
            throw malformed(name, "not an OCI image layout (no oci-layout file)");
        }
        Map<String, YamlNode> layoutFile = json(name + ": oci-layout", layout).map();
        String version = layoutFile.containsKey("imageLayoutVersion") ? layoutFile.get("imageLayoutVersion").string() : null;
        if (!MediaTypes.LAYOUT_VERSION.equals(version)) {
            throw malformed(name, "oci-layout has imageLayoutVersion " + version + ", not " + MediaTypes.LAYOUT_VERSION);
        }
        byte[] indexBytes = entries.get("index.json");
        if (indexBytes == null) {
            throw malformed(name, "not an OCI image layout (no index.json)");
        }
        Map<String, YamlNode> index = json(name + ": index.json", indexBytes).map();
        List<YamlNode> manifests = index.containsKey("manifests") ? index.get("manifests").list() : List.of();
        if (manifests.size() != 1) {
            throw malformed(name, "index.json lists " + manifests.size() + " manifests; a Cella image has exactly one");
        }
        Descriptor md = Descriptor.of(manifests.get(0), name);
        if (!md.mediaType().equals(MediaTypes.MANIFEST)) {
            throw malformed(name, "index.json names a " + md.mediaType() + ", not an image manifest");
        }
        byte[] manifestBytes = blob(entries, md, name, "the manifest");
        Map<String, YamlNode> manifest = json(name + ": manifest " + md.digest(), manifestBytes).map();
        if (!manifest.containsKey("config") || !manifest.containsKey("layers")) {
            throw malformed(name, "manifest " + md.digest() + " has no config or no layers");
        }
        Descriptor cd = Descriptor.of(manifest.get("config"), name);
        if (!cd.mediaType().equals(MediaTypes.CONFIG)) {
            throw malformed(name, "the config is a " + cd.mediaType() + ", not " + MediaTypes.CONFIG);
        }
        List<YamlNode> layers = manifest.get("layers").list();
        if (layers.size() != 2) {
            throw malformed(name, "the manifest has " + layers.size() + " layers; a Cella image has a module layer and a files layer");
        }
        Descriptor moduleDesc = Descriptor.of(layers.get(0), name);
        Descriptor filesDesc = Descriptor.of(layers.get(1), name);
        boolean wasm = moduleDesc.mediaType().equals(MediaTypes.WASM);
        if (!wasm && !moduleDesc.mediaType().equals(MediaTypes.CELLA_MODULE)) {
            throw malformed(name, "the first layer is a " + moduleDesc.mediaType() + ", not a module ("
                    + MediaTypes.WASM + " or " + MediaTypes.CELLA_MODULE + ")");
        }
        if (!filesDesc.mediaType().equals(MediaTypes.FILES)) {
            throw malformed(name, "the second layer is a " + filesDesc.mediaType() + ", not " + MediaTypes.FILES);
        }
        byte[] configBytes = blob(entries, cd, name, "the config");
        byte[] module = blob(entries, moduleDesc, name, "the module layer");
        byte[] filesGz = blob(entries, filesDesc, name, "the files layer");

        Map<String, YamlNode> config = json(name + ": config " + cd.digest(), configBytes).map();
        ImageSpec spec = config.containsKey(ImageSpec.CONFIG_KEY) ? ImageSpec.parse(config.get(ImageSpec.CONFIG_KEY))
                : ImageSpec.EMPTY;
        byte[] filesTar = gunzip(filesGz, name, filesDesc.digest());
        List<String> diffIds = config.containsKey("rootfs") && config.get("rootfs").map().containsKey("diff_ids")
                ? config.get("rootfs").map().get("diff_ids").strings() : List.of();
        if (!diffIds.equals(List.of(moduleDesc.digest(), Digest.of(filesTar)))) {
            throw new ImageException(ImageException.Kind.TAMPERED, name + ": the config's rootfs.diff_ids do not match "
                    + "the layers (the files layer " + filesDesc.digest() + " unpacks to "
                    + Digest.of(filesTar) + "): the image is corrupt or was tampered with");
        }
        RootTree files = tree(Tar.read(new ByteArrayInputStream(filesTar), name + ": files layer", MAX_BYTES), name);
        return new Image(md.digest(), spec, moduleDesc.digest(), wasm, module, files);
    }

    /** A descriptor: what a manifest or index says of a blob. */
    private record Descriptor(String mediaType, String digest, long size) {
        static Descriptor of(YamlNode node, String name) {
            Map<String, YamlNode> m = node.map();
            for (String k : List.of("mediaType", "digest", "size")) {
                if (!m.containsKey(k)) {
                    throw node.error("a descriptor needs " + k);
                }
            }
            String digest = m.get("digest").string();
            if (!Digest.isValid(digest)) {
                throw m.get("digest").error("'" + digest + "' is not a sha256 digest (Cella images use sha256 only)");
            }
            return new Descriptor(m.get("mediaType").string(), digest, m.get("size").integer(0, MAX_BYTES));
        }
    }

    /** The blob {@code d} describes, checked against its size and digest. */
    private static byte[] blob(Map<String, byte[]> entries, Descriptor d, String name, String what) {
        String path = Digest.blobPath(d.digest());
        byte[] bytes = entries.get(path);
        if (bytes == null) {
            throw new ImageException(ImageException.Kind.TAMPERED, name + ": " + what + " " + d.digest()
                    + " is missing (no " + path + ")");
        }
        MessageDigest sha = Digest.sha256();
        if (bytes.length != d.size() || !MessageDigest.isEqual(sha.digest(bytes),
                java.util.HexFormat.of().parseHex(d.digest().substring(Digest.PREFIX.length())))) {
            throw new ImageException(ImageException.Kind.TAMPERED, name + ": " + what + " " + path + " does not match its "
                    + (bytes.length != d.size() ? "size (" + bytes.length + " bytes, not " + d.size() + ")" : "digest")
                    + ": the image is corrupt or was tampered with");
        }
        return bytes;
    }

    private static byte[] gunzip(byte[] gz, String name, String digest) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 1 << 16)) {
            byte[] out = in.readNBytes((int) Math.min(MAX_BYTES, Integer.MAX_VALUE - 8) + 1);
            if (out.length > MAX_BYTES) {
                throw malformed(name, "the files layer " + digest + " unpacks to more than " + MAX_BYTES + " bytes");
            }
            return out;
        } catch (ZipException e) {
            throw malformed(name, "the files layer " + digest + " is not gzip data: " + e.getMessage());
        } catch (IOException e) {
            throw malformed(name, "the files layer " + digest + " cannot be unpacked: " + e.getMessage());
        }
    }

    private static RootTree tree(List<Tar.Entry> entries, String name) {
        RootTree.Builder b = RootTree.builder();
        try {
            for (Tar.Entry e : entries) {
                String path = "/" + normal(e.name());
                switch (e.type()) {
                    case DIR -> b.dir(path);
                    case FILE -> b.file(path, e.data());
                    case SYMLINK -> b.symlink(path, e.target());
                }
            }
        } catch (IllegalArgumentException e) {
            throw malformed(name, "the files layer: " + e.getMessage());
        }
        return b.build();
    }

    /** A tar entry's name without a leading "./" or "/" or a trailing "/". */
    private static String normal(String n) {
        String s = n;
        while (s.startsWith("./") || s.startsWith("/")) {
            s = s.substring(s.startsWith("/") ? 1 : 2);
        }
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static YamlNode json(String what, byte[] bytes) {
        return YamlNode.parse(what, new String(bytes, StandardCharsets.UTF_8), ImageException.Kind.MALFORMED);
    }

    private static ImageException malformed(String name, String message) {
        return new ImageException(ImageException.Kind.MALFORMED, name + ": " + message);
    }
}
