package dev.cella.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standard OCI tool reads our images: {@code skopeo inspect oci-archive:FILE} (Debian's skopeo,
 * which .ci/run installs) must report the architecture, the OS and our layers. This test fails,
 * never skips, when skopeo is missing: the image format's claim rests on it.
 */
class SkopeoInspectTest {
    @TempDir
    Path tmp;

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("skopeo is not installed (apt-get install skopeo; .ci/run installs it): " + e.getMessage());
            return null;
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "skopeo did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + text);
        return text;
    }

    @Test
    void skopeoInspectsAndCopiesAPackedImage() throws Exception {
        Path image = tmp.resolve("image.tar");
        Files.write(image, ImageTestData.pack(ImageTestData.tree(tmp.resolve("files"))));
        Image read = ImageReader.read(image, "image.tar");
        String inspect = run(List.of("skopeo", "inspect", "oci-archive:" + image));
        assertTrue(inspect.contains("\"Digest\": \"" + read.manifestDigest() + "\""), inspect);
        assertTrue(inspect.contains("\"Architecture\": \"cella\""), inspect);
        assertTrue(inspect.contains("\"Os\": \"wasip1\""), inspect);
        assertTrue(inspect.contains(read.moduleDigest()), inspect);
        // skopeo copy checks every blob's digest as it copies.
        run(List.of("skopeo", "copy", "oci-archive:" + image, "dir:" + tmp.resolve("copy")));
        assertTrue(Files.exists(tmp.resolve("copy").resolve(read.moduleDigest().substring(7))));
    }
}
