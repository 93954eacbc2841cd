package dev.cella.sandbox.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.fs.FileHandle;
import dev.cella.sandbox.fs.VirtualFileSystem;
import dev.cella.vm.Engine;
import dev.cella.vm.SuspendRequest;
import dev.cella.vm.interp.Interpreter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** Running test guests uninterrupted and through checkpoints, and comparing the two. */
final class Runs {
    private Runs() {}

    static Module assemble(String source) {
        Module m = Assembler.assemble(source, "guest.casm");
        Verifier.verify(m);
        return m;
    }

    /**
     * The engines a checkpoint must work on: the interpreter (which suspends itself), the JIT and
     * the tiered engine (which cannot: the run up to a checkpoint goes on the interpreter), and a
     * plain {@link Engine} wrapping an interpreter, which stands for any engine without frame
     * handover an embedder might bring ({@link CellImage#withEngine}).
     */
    enum EngineChoice {
        INTERPRETER(m -> CellImage.prepare(m, EngineKind.INTERP)),
        JIT(m -> CellImage.prepare(m, EngineKind.JIT)),
        AUTO(m -> CellImage.prepare(m, EngineKind.AUTO)),
        NOT_SUSPENDABLE(m -> {
            Interpreter inner = new Interpreter(m);
            Engine plain = inner::invoke;
            return CellImage.withEngine(m, EngineKind.JIT, plain);
        });

        final Function<Module, CellImage> image;

        EngineChoice(Function<Module, CellImage> image) {
            this.image = image;
        }
    }

    /** A finished run: its result, what it printed and the file the guest kept. */
    record Ran(RunResult result, String stdout, String log) {
        void assertSameAs(Ran expected, String what) {
            assertEquals(expected.stdout, stdout, what + ": stdout");
            assertEquals(expected.result.outcome(), result.outcome(), what + ": outcome");
            assertEquals(expected.result.exitStatus(), result.exitStatus(), what + ": exit status");
            assertEquals(expected.result.accounting().fuelUsed(), result.accounting().fuelUsed(), what + ": fuel used");
            assertEquals(expected.result.accounting().stdoutBytesWritten(), result.accounting().stdoutBytesWritten(),
                    what + ": stdout bytes counted");
            assertEquals(expected.result.accounting().fsBytesWritten(), result.accounting().fsBytesWritten(),
                    what + ": file bytes counted");
            assertEquals(expected.result.accounting().filesCreated(), result.accounting().filesCreated(),
                    what + ": files created");
            assertEquals(expected.result.accounting().peakMemoryBytes(), result.accounting().peakMemoryBytes(),
                    what + ": memory");
            assertEquals(expected.log, log, what + ": the guest's file");
        }
    }

    static CellConfig.Builder config() {
        return CellConfig.builder().args(List.of("guest", "x"));
    }

    /** Runs {@code module} to its end on {@code engine}. */
    static Ran uninterrupted(Module module, EngineChoice engine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Cell cell = Cell.create(engine.image.apply(module), config().stdout(out).build())) {
            RunResult r = cell.run();
            return new Ran(r, text(out), file(cell.fileSystem(), "log.txt"));
        }
    }

    /** The contents of in-memory file {@code path}, or null if there is none. */
    static String file(VirtualFileSystem fs, String path) {
        try {
            VirtualFileSystem.Opened o = fs.open(fs.root(), path, true, 0);
            FileHandle h = o.file();
            byte[] b = new byte[(int) h.size()];
            h.read(0, b, 0, b.length);
            return new String(b, StandardCharsets.UTF_8);
        } catch (dev.cella.sandbox.fs.FsException e) {
            return null;
        }
    }

    /** A run cut and resumed ({@link #cutAt}): all it wrote to stdout, and how the resumed part ended. */
    record Resumed(byte[] stdout, RunResult result) {}

    /**
     * Runs {@code module} with {@code config} until fuel {@code point}, checkpoints it to bytes
     * (named {@code name}), restores the checkpoint and resumes it to its end.
     */
    static Resumed cutAt(Module module, Supplier<CellConfig.Builder> config, long point, String name) {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        byte[] bytes;
        try (Cell cell = Cell.create(module, config.get().stdout(first).build())) {
            Optional<RunResult> ended = cell.run(SuspendRequest.atFuelUsed(point));
            assertTrue(ended.isEmpty(), "ended before " + point);
            bytes = Checkpoint.capture(cell).toBytes(false);
        }
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        Checkpoint c = Checkpoint.fromBytes(bytes, name);
        RunResult r;
        try (Cell cell = c.restore(c.configBuilder().stdout(rest).build())) {
            r = cell.resume(null).orElseThrow();
        }
        first.writeBytes(rest.toByteArray());
        return new Resumed(first.toByteArray(), r);
    }

    static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8);
    }
}
