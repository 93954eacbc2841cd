package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.CellConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one mount syntax of {@code cella run --mount} and a batch file's {@code mount=}. */
class MountSpecTest {
    @Test
    void mountsAreReadOnlyUnlessMarkedReadWrite() {
        assertEquals(new MountSpec("/srv/data", "/data", true), MountSpec.parse("/srv/data:/data"));
        assertEquals(new MountSpec("/srv/data", "/data", true), MountSpec.parse("/srv/data:/data:ro"));
        assertEquals(new MountSpec("out", "/out", false), MountSpec.parse("out:/out:rw"));
    }

    @Test
    void hostPathsMayContainColons() {
        MountSpec m = MountSpec.parse("/tmp/a:b:/guest:rw");
        assertEquals("/tmp/a:b", m.hostPath());
        assertEquals("/guest", m.guestPath());
        assertFalse(m.readOnly());
    }

    @Test
    void rejectsMountsWithoutBothPathsOrWithARelativeGuestPath() {
        for (String bad : new String[] {"/srv/data", ":/data", "/srv/data:", ":ro", "/srv/data::rw"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MountSpec.parse(bad), bad);
            assertTrue(e.getMessage().contains("expected " + MountSpec.SYNTAX), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MountSpec.parse("/srv/data:data"));
        assertTrue(e.getMessage().contains("must be absolute"), e.getMessage());
    }

    @Test
    void relativeHostPathsResolveAgainstABase() {
        assertEquals(new MountSpec("/jobs/data", "/d", true), MountSpec.parse("data:/d").resolvedAgainst(Path.of("/jobs")));
        assertEquals(new MountSpec("/abs", "/d", false), MountSpec.parse("/abs:/d:rw").resolvedAgainst(Path.of("/jobs")));
    }

    @Test
    void addingAMountOfAMissingDirectoryIsMissingInput(@TempDir Path tmp) throws Exception {
        CellConfig.Builder b = CellConfig.builder();
        FileAccessException e = assertThrows(FileAccessException.class,
                () -> MountSpec.parse(tmp.resolve("absent") + ":/d").addTo(b));
        assertFalse(e.isOutput());
        assertTrue(e.getMessage().contains("cannot mount: no such directory"), e.getMessage());
        Files.writeString(tmp.resolve("file"), "x");
        e = assertThrows(FileAccessException.class, () -> MountSpec.parse(tmp.resolve("file") + ":/d").addTo(b));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
        e = assertThrows(FileAccessException.class, () -> MountSpec.parse("a\0b:/d").addTo(b));
        assertTrue(e.getMessage().contains("not a valid path"), "a NUL in HOST is missing input, not a crash");
        MountSpec.parse(tmp + ":/d:rw").addTo(b);
        CellConfig c = b.build();
        assertEquals(1, c.mounts().size());
        assertFalse(c.mounts().get(0).readOnly());
    }
}
