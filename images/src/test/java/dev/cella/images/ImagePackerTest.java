package dev.cella.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.fs.RootTree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePackerTest {
    @TempDir
    Path tmp;

    private static Image read(byte[] image) throws IOException {
        return ImageReader.read(new ByteArrayInputStream(image), "test.tar");
    }

    /** The files of {@code tree}, path to contents ("-> target" for links, "/" for directories). */
    private static Map<String, String> files(RootTree tree) {
        Map<String, String> out = new LinkedHashMap<>();
        tree.visit(new RootTree.Visitor() {
            @Override
            public void dir(String path) {
                out.put(path, "/");
            }

            @Override
            public void file(String path, byte[] data) {
                out.put(path, new String(data, StandardCharsets.UTF_8));
            }

            @Override
            public void symlink(String path, String target) {
                out.put(path, "-> " + target);
            }
        });
        return out;
    }

    @Test
    void anImageReadsBackAsItWasPacked() throws IOException {
        Image image = read(ImageTestData.pack(ImageTestData.tree(tmp.resolve("a"))));
        assertEquals(ImageTestData.spec(), image.spec());
        assertArrayEquals(ImageTestData.module(), image.module());
        assertFalse(image.wasm());
        assertEquals(Map.of("/readme", "read me\n", "/share", "/", "/share/data", "/",
                "/share/data/words.txt", "alpha\nbeta\n", "/words", "-> share/data/words.txt"), files(image.files()));
    }

    @Test
    void packingTheSameInputsTwiceGivesTheSameBytes() throws Exception {
        Path a = ImageTestData.tree(tmp.resolve("a"));
        byte[] first = ImageTestData.pack(a);
        // The same tree made again elsewhere, in another order, with other times and modes.
        Path b = tmp.resolve("b");
        Files.createDirectories(b);
        Files.createSymbolicLink(b.resolve("words"), Path.of("share/data/words.txt"));
        Files.write(b.resolve("readme"), "read me\n".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(b.resolve("share/data"));
        Files.writeString(b.resolve("share/data/words.txt"), "alpha\nbeta\n");
        Files.setLastModifiedTime(b.resolve("readme"), FileTime.fromMillis(123_456_789L));
        b.resolve("readme").toFile().setExecutable(true);
        Thread.sleep(5); // and a later clock
        assertArrayEquals(first, ImageTestData.pack(b));
        Files.writeString(b.resolve("readme"), "read me!\n");
        assertFalse(java.util.Arrays.equals(first, ImageTestData.pack(b)), "a changed file must change the image");
    }

    @Test
    void theLayoutHasTheStandardFilesAndMediaTypes() throws IOException {
        byte[] image = ImageTestData.pack(ImageTestData.tree(tmp.resolve("a")));
        List<String> names = Tar.read(new ByteArrayInputStream(image), "t", 1 << 20).stream().map(Tar.Entry::name).toList();
        assertEquals(List.of("oci-layout", "index.json", "blobs", "blobs/sha256"), names.subList(0, 4));
        assertEquals(8, names.size(), names.toString()); // + manifest, config, module, files
        String all = new String(image, StandardCharsets.ISO_8859_1);
        for (String type : List.of(MediaTypes.INDEX, MediaTypes.MANIFEST, MediaTypes.CONFIG, MediaTypes.CELLA_MODULE,
                MediaTypes.FILES)) {
            assertTrue(all.contains("\"" + type + "\""), type);
        }
    }

    /** The image with the bytes of the blob whose media type is {@code type} changed, as an attacker would. */
    private static byte[] tamper(byte[] image, String what) throws IOException {
        Image good = read(image);
        List<Tar.Entry> entries = new ArrayList<>(Tar.read(new ByteArrayInputStream(image), "t", 1 << 20));
        String target = switch (what) {
            case "manifest" -> good.manifestDigest();
            case "module" -> good.moduleDigest();
            default -> null;
        };
        for (int i = 0; i < entries.size(); i++) {
            Tar.Entry e = entries.get(i);
            if (!e.name().startsWith("blobs/sha256/")) {
                continue;
            }
            String text = new String(e.data(), StandardCharsets.ISO_8859_1);
            boolean hit = target != null ? e.name().endsWith(target.substring(7))
                    : what.equals("config") ? text.contains("\"rootfs\"")
                    : e.data().length > 2 && (e.data()[0] & 0xFF) == 0x1F && (e.data()[1] & 0xFF) == 0x8B;
            if (hit) {
                byte[] changed = e.data().clone();
                changed[changed.length / 2] ^= 1;
                entries.set(i, Tar.Entry.file(e.name(), changed));
                return Tar.bytes(entries);
            }
        }
        throw new AssertionError("no " + what + " blob");
    }

    @Test
    void everyKindOfBlobChangedIsRejectedNamingTheBlob() throws IOException {
        byte[] image = ImageTestData.pack(ImageTestData.tree(tmp.resolve("a")));
        for (String what : List.of("manifest", "config", "module", "files")) {
            byte[] bad = tamper(image, what);
            assertNotEquals(java.util.Arrays.hashCode(image), java.util.Arrays.hashCode(bad));
            ImageException e = assertThrows(ImageException.class, () -> read(bad), what);
            assertEquals(ImageException.Kind.TAMPERED, e.kind(), what + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("the " + (what.equals("module") || what.equals("files") ? what + " layer" : what)
                    + " blobs/sha256/"), e.getMessage());
            assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
        }
    }

    @Test
    void aMissingBlobIsRejectedNamingIt() throws IOException {
        byte[] image = ImageTestData.pack(ImageTestData.tree(tmp.resolve("a")));
        Image good = read(image);
        List<Tar.Entry> entries = new ArrayList<>(Tar.read(new ByteArrayInputStream(image), "t", 1 << 20));
        entries.removeIf(e -> e.name().endsWith(good.moduleDigest().substring(7)));
        ImageException e = assertThrows(ImageException.class, () -> read(Tar.bytes(entries)));
        assertEquals(ImageException.Kind.TAMPERED, e.kind());
        assertTrue(e.getMessage().contains("the module layer " + good.moduleDigest() + " is missing"), e.getMessage());
    }

    @Test
    void aFilesLayerSwappedWithManifestAndIndexRewrittenStillFailsTheConfigsDiffIds() throws IOException {
        byte[] image = ImageTestData.pack(ImageTestData.tree(tmp.resolve("a")));
        byte[] other = ImageTestData.pack(Files.createDirectories(tmp.resolve("empty")));
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        for (Tar.Entry e : Tar.read(new ByteArrayInputStream(image), "t", 1 << 20)) {
            blobs.put(e.name(), e.data());
        }
        Tar.Entry otherFiles = Tar.read(new ByteArrayInputStream(other), "t", 1 << 20).stream()
                .filter(e -> e.data().length > 2 && (e.data()[0] & 0xFF) == 0x1F).findFirst().orElseThrow();
        Image good = read(image);
        String manifestName = "blobs/sha256/" + good.manifestDigest().substring(7);
        String manifest = new String(blobs.get(manifestName), StandardCharsets.UTF_8);
        String oldFiles = blobs.keySet().stream().filter(n -> n.startsWith("blobs/sha256/")
                && (blobs.get(n)[0] & 0xFF) == 0x1F).findFirst().orElseThrow();
        String oldSize = "\"size\":" + blobs.get(oldFiles).length + "}]";
        assertTrue(manifest.endsWith(oldSize + "}"), manifest);
        String newManifest = manifest.replace(oldFiles.substring(13), otherFiles.name().substring(13))
                .replace(oldSize, "\"size\":" + otherFiles.data().length + "}]");
        byte[] nm = newManifest.getBytes(StandardCharsets.UTF_8);
        String nmDigest = Digest.of(nm);
        String index = new String(blobs.get("index.json"), StandardCharsets.UTF_8)
                .replace(good.manifestDigest(), nmDigest)
                .replace("\"size\":" + blobs.get(manifestName).length + ",", "\"size\":" + nm.length + ",");
        blobs.remove(oldFiles);
        blobs.remove(manifestName);
        blobs.put(otherFiles.name(), otherFiles.data());
        blobs.put(Digest.blobPath(nmDigest), nm);
        blobs.put("index.json", index.getBytes(StandardCharsets.UTF_8));
        List<Tar.Entry> entries = new ArrayList<>();
        blobs.forEach((n, d) -> entries.add(n.equals("blobs") || n.equals("blobs/sha256") ? Tar.Entry.dir(n) : Tar.Entry.file(n, d)));
        ImageException e = assertThrows(ImageException.class, () -> read(Tar.bytes(entries)));
        assertEquals(ImageException.Kind.TAMPERED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("rootfs.diff_ids do not match"), e.getMessage());
    }

    @Test
    void somethingThatIsNotAnImageIsMalformed() {
        ImageException e = assertThrows(ImageException.class, () -> read(Tar.bytes(List.of(Tar.Entry.file("x", new byte[3])))));
        assertEquals(ImageException.Kind.MALFORMED, e.kind());
        assertTrue(e.getMessage().contains("no oci-layout"), e.getMessage());
        ImageException notTar = assertThrows(ImageException.class, () -> read("hello, world".repeat(100).getBytes(StandardCharsets.UTF_8)));
        assertEquals(ImageException.Kind.MALFORMED, notTar.kind());
    }

    @Test
    void longAndNonAsciiNamesSurviveTheTar() throws IOException {
        String longName = "d/" + "x".repeat(150) + "/é.txt";
        byte[] tar = Tar.bytes(List.of(Tar.Entry.file(longName, new byte[] {1, 2}),
                new Tar.Entry("l", Tar.Type.SYMLINK, new byte[0], "t".repeat(120))));
        List<Tar.Entry> back = Tar.read(new ByteArrayInputStream(tar), "t", 1000);
        assertEquals(longName, back.get(0).name());
        assertArrayEquals(new byte[] {1, 2}, back.get(0).data());
        assertEquals("t".repeat(120), back.get(1).target());
    }
}
