package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image examples (examples/images): the wordfreq C program packed with its texts, run alone
 * and as an app of three workers and a coordinator; outputs compared with the native build's
 * (expected-count.txt, made by running wordfreq.c built with clang for the host).
 */
class ImageExamplesTest {
    @TempDir
    Path tmp;

    private static Path dir() {
        return Path.of(CliRunner.example("images/wordfreq/app.yaml")).getParent();
    }

    private Path pack(Path into) {
        Path image = into.resolve("wordfreq.tar");
        CliRunner.Result r = cella("pack", dir().resolve("wordfreq.wasm").toString(), "--files",
                dir().resolve("files").toString(), "--manifest", dir().resolve("image.yaml").toString(), "-o", image.toString());
        assertEquals(0, r.code(), r.toString());
        return image;
    }

    @Test
    void theWordfreqImageCountsItsOwnTexts() throws Exception {
        CliRunner.Result r = cella("run", pack(tmp).toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(Files.readString(dir().resolve("expected-count.txt")), r.out());
    }

    @Test
    void theWordfreqAppsWorkersAndCoordinatorAgreeWithTheSingleCount() throws Exception {
        pack(tmp);
        Files.copy(dir().resolve("app.yaml"), tmp.resolve("app.yaml"));
        Files.createDirectories(tmp.resolve("out"));
        CliRunner.Result r = cella("up", "--status-interval", "0s", tmp.resolve("app.yaml").toString());
        assertEquals(0, r.code(), r.toString());
        for (int i = 0; i < 3; i++) {
            assertTrue(r.out().contains("worker-" + i + " | worker " + i + " of 3: "), r.toString());
        }
        String top = Files.readString(dir().resolve("expected-count.txt")).lines().skip(1)
                .map(l -> "coordinator-0 | " + l + "\n").reduce("", String::concat);
        assertTrue(r.out().contains("coordinator-0 | merged 3 parts:\n" + top), r.toString());
        assertTrue(Files.readString(tmp.resolve("out/total.txt")).startsWith("48 the\n17 and\n"));
    }
}
