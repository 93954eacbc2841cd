package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cella, the launcher, with its class-data archive (docs/performance.md, "Startup"): a copy
 * of bin/ in a scratch tree whose tools/target/cella.jar is a small probe program, run by the
 * JDK running these tests. Whatever state the archive is in, a run gives the program's own
 * output and exit status, and nothing of the JVM's on standard output.
 */
class LauncherTest {
    @TempDir
    Path root;

    private Path jar;

    @BeforeEach
    void layOut() throws IOException {
        // A JDK built without class-data sharing makes no archive: nothing to test here then.
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa")),
                "this JDK has no default class-data archive");
        Path bin = Files.createDirectories(root.resolve("bin"));
        for (String script : List.of("cella", "jdk.sh")) {
            Path copy = bin.resolve(script);
            Files.copy(Path.of("..", "bin", script), copy);
            copy.toFile().setExecutable(true);
        }
        jar = Files.createDirectories(root.resolve("tools/target")).resolve("cella.jar");
        writeJar("");
    }

    /** The archives of `cella run` beside the jar. */
    private List<Path> archives() throws IOException {
        try (var files = Files.list(jar.getParent())) {
            String prefix = "cella-run-" + Runtime.version().feature() + "-";
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    /** The one archive of `cella run` beside the jar. */
    private Path archive() throws IOException {
        List<Path> all = archives();
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }

    /** The probe's jar; {@code extra} goes into a second entry, to make a different jar. */
    private void writeJar(String extra) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream probe = LauncherProbe.class.getResourceAsStream("LauncherProbe.class")) {
            out.putNextEntry(new JarEntry(entry));
            probe.transferTo(out);
            out.putNextEntry(new JarEntry("extra.txt"));
            out.write(extra.getBytes(StandardCharsets.UTF_8));
        }
    }

    private record Ran(int code, String out, String err) {}

    /** Runs {@code bin/cella args...} with {@code env} added to the environment. */
    private Ran cella(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/cella").toString());
        pb.command().addAll(List.of(args));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("XDG_CACHE_HOME", root.resolve("cache").toString());
        pb.environment().remove("CELLA_JAVA_OPTS");
        pb.environment().remove("CELLA_CLASS_ARCHIVE");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/cella did not end");
        return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private Ran cella(String... args) throws Exception {
        return cella(Map.of(), args);
    }

    /** Runs the probe as `cella run 3 x` and checks what a run of it must give, whatever the archive. */
    private void runsCleanly() throws Exception {
        Ran r = cella("run", "3", "x");
        assertEquals(3, r.code(), r.err());
        assertEquals("probe run 3 x\n", r.out(), r.err());
    }

    private boolean isArchive(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 4) == 4 && java.util.Arrays.equals(head, new byte[] {(byte) 0xa8, (byte) 0xab, 0x0b, (byte) 0xf0});
        }
    }

    @Test
    void theFirstRunWritesTheArchiveAndLaterRunsLoadFromIt() throws Exception {
        runsCleanly();
        assertTrue(isArchive(archive()), "no archive beside the jar");
        assertTrue(loadsFromTheArchive());
    }

    /** Runs the probe and tells whether its class came from the archive. */
    private boolean loadsFromTheArchive() throws Exception {
        Path log = root.resolve("classes.log");
        Ran r = cella(Map.of("CELLA_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), "run", "0");
        assertEquals("probe run 0\n", r.out(), r.err());
        return Files.readString(log).contains(LauncherProbe.class.getName() + " source: shared objects file (top)");
    }

    /** The JVM refuses the archive of another jar but does not replace it: the launcher must. */
    @Test
    void aChangedJarGetsANewArchive() throws Exception {
        runsCleanly();
        Path first = archive();
        FileTime time = Files.getLastModifiedTime(jar);
        writeJar("a different jar");
        // The same time, as a copy that keeps times would have: the size still tells them apart.
        Files.setLastModifiedTime(jar, time);
        runsCleanly();
        assertFalse(Files.exists(first), "the archive of the old jar was kept");
        assertTrue(isArchive(archive()));
        assertTrue(loadsFromTheArchive());
    }

    @Test
    void aFileThatIsNoArchiveIsReplaced() throws Exception {
        runsCleanly();
        Path archive = archive();
        // What a run killed while writing the archive leaves: the header is written last.
        Files.write(archive, new byte[64 * 1024]);
        runsCleanly();
        assertTrue(isArchive(archive), "the broken archive was kept");
        Files.write(archive, "garbage".getBytes(StandardCharsets.UTF_8));
        runsCleanly();
        assertTrue(isArchive(archive));
        assertTrue(loadsFromTheArchive());
    }

    @Test
    void noArchiveWhereItCannotBeWritten() throws Exception {
        runsCleanly();
        Path archive = archive();
        Files.delete(archive);
        Files.createDirectories(archive);
        runsCleanly();
        assertTrue(Files.isDirectory(archive));
        // Neither the jar's directory (unless we are root, whom permissions do not stop) nor the
        // cache directory can be written: a file stands where the cache would go.
        Files.delete(archive);
        Files.writeString(root.resolve("cache"), "not a directory");
        assertTrue(jar.getParent().toFile().setWritable(false));
        try {
            runsCleanly();
        } finally {
            jar.getParent().toFile().setWritable(true);
        }
    }

    /**
     * Only the run that writes a command's archive trains it ({@link ArchiveTraining}), and only
     * for a command that runs guests.
     */
    @Test
    void theRunThatWritesTheArchiveTrainsIt() throws Exception {
        Ran first = cella("run", "0");
        assertTrue(first.err().contains("training true"), first.err());
        Ran second = cella("run", "0");
        assertTrue(second.err().contains("training false"), second.err());
        Ran other = cella("asm", "0");
        assertTrue(other.err().contains("training false"), "asm runs no guest: " + other.err());
    }

    @Test
    void archivesCanBeTurnedOff() throws Exception {
        Ran r = cella(Map.of("CELLA_CLASS_ARCHIVE", "off"), "run", "5");
        assertEquals(5, r.code());
        assertEquals("probe run 5\n", r.out());
        assertEquals(List.of(), archives());
    }
}
