package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.Outcome;
import dev.cella.vm.SuspendRequest;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint file written here is resumed by another JVM process ({@link ResumeMain}), which
 * must print the rest of the output, use the same fuel and exit with the same status as the
 * uninterrupted run, on each engine.
 */
class CheckpointFreshJvmTest {
    @TempDir
    Path dir;

    @Test
    void anotherJvmResumesACheckpointFileToTheUninterruptedEnd() throws Exception {
        long[] seeds = {3, 11, 42, 77};
        int[] permilles = {150, 500, 850, 300};
        Runs.EngineChoice[] engines = Runs.EngineChoice.values();
        for (int i = 0; i < seeds.length; i++) {
            Runs.EngineChoice engine = engines[i % engines.length];
            GuestGenerator.Program program = GuestGenerator.generate(seeds[i]);
            Module module = Runs.assemble(program.source());
            Runs.Ran expected = Runs.uninterrupted(module, engine);
            long point = expected.result().accounting().fuelUsed() * permilles[i] / 1000;
            Path file = dir.resolve("cell-" + i + ".ckpt");
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            try (Cell cell = Cell.create(engine.image.apply(module), Runs.config().stdout(first).build())) {
                assertTrue(cell.run(SuspendRequest.atFuelUsed(point)).isEmpty(), program + " ended before " + point);
                Checkpoint.capture(cell).write(file, i % 2 == 0);
            }
            Child child = resumeInAnotherJvm(file);
            String what = program + " on " + engine + " at " + point;
            assertEquals(expected.stdout(), Runs.text(first) + child.stdout, what + ": stdout");
            int status = expected.result().outcome() == Outcome.EXITED ? expected.result().exitStatus() : 100;
            assertEquals(status, child.exit, what + ": exit status; child stderr: " + child.stderr);
            assertEquals("fuel used " + expected.result().accounting().fuelUsed(), child.stderr.strip(), what);
        }
    }

    private record Child(String stdout, String stderr, int exit) {}

    private static Child resumeInAnotherJvm(Path file) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The child runs on the class path. Surefire runs these tests on the module path, with the
        // modules in jdk.module.path and this module's test classes patched in, so put all three on it.
        List<String> path = new ArrayList<>();
        path.add(Path.of(ResumeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property, "");
            if (!value.isEmpty()) {
                path.add(value);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, path),
                ResumeMain.class.getName(), file.toString());
        Process p = pb.start();
        // Output is small: read both streams after exit would risk nothing, but read them first anyway.
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the resuming JVM did not finish");
        return new Child(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8), p.exitValue());
    }
}
