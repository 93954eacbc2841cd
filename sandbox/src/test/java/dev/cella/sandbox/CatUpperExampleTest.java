package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's sandboxed example, {@code examples/cat-upper.casm}, reading and writing mounts. */
class CatUpperExampleTest {
    @TempDir
    Path tmp;
    Path in;
    Path out;
    Module guest;

    @BeforeEach
    void setUp() throws IOException {
        in = Files.createDirectory(tmp.resolve("in"));
        out = Files.createDirectory(tmp.resolve("out"));
        Files.writeString(in.resolve("text.txt"), "Hello, Cella! 123 \u00e9t\u00e9\n");
        guest = Guests.assemble(Files.readString(Path.of("../examples/cat-upper.casm")), "cat-upper.casm");
    }

    private CellConfig.Builder mounts() {
        return CellConfig.builder().mount(in, "/in", true).mount(out, "/out", false);
    }

    @Test
    void itUppercasesAMountedFileToStdout() {
        Guests.Ran r = Guests.run(guest, mounts(), "/in/text.txt");
        assertEquals(Outcome.EXITED, r.outcome());
        assertEquals(0, r.status());
        assertEquals("HELLO, CELLA! 123 \u00e9T\u00e9\n", r.stdout());
    }

    @Test
    void itWritesTheResultIntoAWritableMount() throws IOException {
        Guests.Ran r = Guests.run(guest, mounts(), "/in/text.txt", "/out/upper.txt");
        assertEquals(0, r.status());
        assertEquals("", r.stdout());
        assertEquals("HELLO, CELLA! 123 \u00e9T\u00e9\n", Files.readString(out.resolve("upper.txt")));
        assertEquals(1, r.result().accounting().filesCreated());
    }

    @Test
    void itCannotWriteIntoTheReadOnlyMountOrReachOutsideTheMounts() throws IOException {
        Guests.Ran ro = Guests.run(guest, mounts(), "/in/text.txt", "/in/upper.txt");
        assertEquals(1, ro.status());
        assertTrue(ro.stderr().contains("cannot create the output"), ro.stderr());
        assertFalse(Files.exists(in.resolve("upper.txt")));
        Files.writeString(tmp.resolve("secret.txt"), "secret");
        assertEquals(1, Guests.run(guest, mounts(), "/in/../secret.txt").status());
        assertEquals(1, Guests.run(guest, mounts(), tmp.resolve("secret.txt").toString()).status());
    }

    @Test
    void itNeedsAnInputArgument() {
        Guests.Ran r = Guests.run(guest, mounts());
        assertEquals(2, r.status());
        assertTrue(r.stderr().startsWith("usage: cat-upper"), r.stderr());
    }
}
