package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.images.ImageCache;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cella pack} and {@code cella run IMAGE} from the command line (docs/images.md). */
class ImageCommandsTest {
    @TempDir
    Path tmp;

    private Path files() throws Exception {
        Path dir = tmp.resolve("files");
        Files.createDirectories(dir.resolve("in"));
        Files.writeString(dir.resolve("in/a.txt"), "hello image\n");
        Files.writeString(dir.resolve("in/c.txt"), "original c\n");
        return dir;
    }

    /** Packs cat-upper.casm with files() and {@code manifest}; returns the image. */
    private Path pack(String manifest) throws Exception {
        Path m = tmp.resolve("m" + manifest.hashCode() + ".yaml");
        Files.writeString(m, manifest);
        Path image = tmp.resolve("img" + manifest.hashCode() + ".tar");
        CliRunner.Result r = cella("pack", example("cat-upper.casm"), "--files", files().toString(), "--manifest",
                m.toString(), "-o", image.toString());
        assertEquals(0, r.code(), r.toString());
        return image;
    }

    @Test
    void aPackedProgramRunsWithItsFilesAndDefaults() throws Exception {
        Path image = pack("args: [/in/a.txt]\nquotas: {fuel: 10000000}\n");
        CliRunner.Result r = cella("run", image.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("HELLO IMAGE\n", r.out());
        // Arguments on the command line replace the image's; options override its quotas.
        CliRunner.Result missing = cella("run", image.toString(), "/in/none");
        assertEquals(1, missing.code(), missing.toString());
        CliRunner.Result fuel = cella("run", "--fuel", "10", image.toString());
        assertEquals(ExitCode.QUOTA_EXCEEDED.code, fuel.code(), fuel.toString());
    }

    @Test
    void theGuestWritesItsOwnLayerAndTheImageStaysAsPacked() throws Exception {
        // cat-upper IN OUT writes OUT: here over a file of the image, in the cell's own layer.
        Path image = pack("args: [/in/a.txt, /in/c.txt]\n");
        assertEquals(0, cella("run", image.toString()).code());
        CliRunner.Result again = cella("run", image.toString(), "/in/c.txt");
        assertEquals("ORIGINAL C\n", again.out(), "a second run sees the image's file, not the first run's write");
        Path layer = tmp.resolve("layer");
        assertEquals(0, cella("run", "--layer-dir", layer.toString(), image.toString()).code());
        assertEquals("HELLO IMAGE\n", Files.readString(layer.resolve("in/c.txt")), "with --layer-dir the write lands on the host");
        assertEquals("hello image\n", Files.readString(layer.resolve("in/a.txt")));
    }

    @Test
    void packingTwiceGivesTheSameBytes() throws Exception {
        Path a = pack("args: [/in/a.txt]\n");
        byte[] first = Files.readAllBytes(a);
        Files.delete(a);
        assertArrayEquals(first, Files.readAllBytes(pack("args: [/in/a.txt]\n")));
    }

    @Test
    void anImageGetsNoGrantItAsksForUnlessTheCommandLineGivesIt() throws Exception {
        Path image = pack("args: [/in/a.txt]\nmounts: [{path: /out, writable: true}]\ngrants: {clock: true}\n");
        CliRunner.Result none = cella("run", image.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, none.code(), none.toString());
        assertEquals("cella: " + image + ": the image asks for a mount at /out (read-write), which was not granted; an image "
                + "grants itself nothing: give --mount HOST:/out:rw to allow it\n", none.err());
        Files.createDirectories(tmp.resolve("out"));
        CliRunner.Result noClock = cella("run", "--mount", tmp.resolve("out") + ":/out:rw", image.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, noClock.code(), noClock.toString());
        assertTrue(noClock.err().contains("--allow-clock"), noClock.err());
        CliRunner.Result all = cella("run", "--mount", tmp.resolve("out") + ":/out:rw", "--allow-clock", image.toString());
        assertEquals(0, all.code(), all.toString());
    }

    @Test
    void aServiceTheImageAsksForMustBeGrantedWithService() throws Exception {
        Path image = pack("args: [/in/a.txt]\nservices: [kv:cache]\n");
        CliRunner.Result none = cella("run", image.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, none.code(), none.toString());
        assertTrue(none.err().contains("the image asks for service 'kv:cache'") && none.err().contains("--service kv:cache"),
                none.err());
        CliRunner.Result granted = cella("run", "--service", "kv:cache:rw", image.toString());
        assertEquals(0, granted.code(), granted.toString());
        assertEquals("HELLO IMAGE\n", granted.out());
    }

    @Test
    void theHostNetworkTheImageAsksForMustBeGrantedWithTheNetworkOptions() throws Exception {
        Path image = pack("args: [/in/a.txt]\nnet: {listen: [7000], connect: [\"127.0.0.1:5432\"]}\n");
        CliRunner.Result none = cella("run", image.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, none.code(), none.toString());
        assertTrue(none.err().contains("the image asks for a host listener forwarding to guest port 7000")
                && none.err().contains("give --listen 7000 or --publish HOSTPORT:7000"), none.err());
        // A forward to another guest port does not grant this one.
        CliRunner.Result otherPort = cella("run", "--publish", "0:7001", image.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, otherPort.code(), otherPort.toString());
        assertTrue(otherPort.err().contains("guest port 7000"), otherPort.err());
        CliRunner.Result noConnect = cella("run", "--publish", "0:7000", image.toString());
        assertEquals(ExitCode.NOT_GRANTED.code, noConnect.code(), noConnect.toString());
        assertTrue(noConnect.err().contains("connections to host address 127.0.0.1:5432")
                && noConnect.err().contains("--connect-allow 127.0.0.1:5432"), noConnect.err());
        CliRunner.Result granted = cella("run", "--publish", "0:7000", "--connect-allow", "127.0.0.1:5432", image.toString());
        assertEquals(0, granted.code(), granted.toString());
        assertEquals("HELLO IMAGE\n", granted.out());
    }

    @Test
    void aTamperedImageIsRefusedWithItsOwnExitCode() throws Exception {
        Path image = pack("args: [/in/a.txt]\n");
        byte[] bytes = Files.readAllBytes(image);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        // The module layer holds the program's messages as they are (the files layer is compressed).
        int name = text.indexOf("cannot open the input");
        assertTrue(name > 0);
        bytes[name] ^= 0x20;
        Files.write(image, bytes);
        CliRunner.Result r = cella("run", image.toString());
        assertEquals(ExitCode.IMAGE_TAMPERED.code, r.code(), r.toString());
        assertTrue(r.err().matches("cella: .*: the module layer blobs/sha256/[0-9a-f]{64} does not match its digest: "
                + "the image is corrupt or was tampered with\\n"), r.err());
    }

    @Test
    void aWasmImageIsTranslatedOncePerDigest() throws Exception {
        Path image = tmp.resolve("sort.tar");
        assertEquals(0, cella("pack", example("wasm/sortlines.wasm"), "-o", image.toString()).code());
        Path cacheDir = tmp.resolve("cache");
        ImageCache cache = ImageCache.shared(cacheDir);
        for (int i = 0; i < 2; i++) {
            CliRunner.Result r = CliRunner.cellaWithInput("b\na\n".getBytes(StandardCharsets.UTF_8), "run", "--stdin", "-",
                    "--cache-dir", cacheDir.toString(), image.toString());
            assertEquals(0, r.code(), r.toString());
            assertEquals("a\nb\n", r.out());
        }
        assertEquals(1, cache.translations(), "the second start must not translate again");
        assertEquals(1, cache.verifications(), "the second start must not verify again");
        // A new process (a new cache over the same directory) reads the translation from disk.
        ImageCache fresh = new ImageCache(cacheDir);
        fresh.module(dev.cella.images.ImageReader.read(image, "sort.tar"));
        assertEquals(0, fresh.translations());
    }

    @Test
    void aManifestWithAnErrorNamesTheLineAndField() throws Exception {
        Path m = tmp.resolve("bad.yaml");
        Files.writeString(m, "args: [x]\nquotas:\n  memory: lots\n");
        CliRunner.Result r = cella("pack", example("hello.casm"), "--manifest", m.toString(), "-o", tmp.resolve("x.tar").toString());
        assertEquals(ExitCode.USAGE.code, r.code(), r.toString());
        assertEquals("cella: " + m + ":3:11: quotas.memory: 'lots' is not a size (expected a byte count such as 4096, "
                + "512K, 64M or 1G)\n", r.err());
    }
}
