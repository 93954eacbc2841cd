package dev.cella.bench.corpus;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a WASI program on Chicory 1.5.1, its compiler or its interpreter, with Chicory's own WASI:
 * the comparison point of the corpus bench. As a command it is what a Chicory user would write:
 *
 * <pre>java -cp benchmarks.jar dev.cella.bench.corpus.ChicoryRun compiler|interp [--mount HOST:GUEST] FILE [ARGS...]</pre>
 *
 * <p>exits with the guest's exit status.
 */
public final class ChicoryRun {
    private final WasmModule module;
    private final Function<Instance, Machine> machine;

    /**
     * Parses the module and, for {@code compiled}, translates it to JVM bytecode once. Functions
     * too large for one JVM method stay on Chicory's interpreter (Chicory's own fallback option,
     * as a user would set it). Chicory 1.5.1's compiler still refuses quickjs.wasm: ASM throws
     * {@code LimitExceededException: Too many allocated bytes} computing the frames of one of its
     * classes, so the corpus table shows FAIL there.
     */
    public ChicoryRun(byte[] wasm, boolean compiled) {
        this.module = Parser.parse(wasm);
        this.machine = compiled
                ? MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.SILENT).compile()
                : null;
    }

    /**
     * Instantiates the module and runs {@code _start} with argv {@code argv}, the host directory
     * {@code mountHost} (or null) at {@code mountGuest}; returns the exit status.
     */
    public int run(List<String> argv, Path mountHost, String mountGuest, InputStream in, OutputStream out,
            OutputStream err) {
        WasiOptions.Builder options = WasiOptions.builder().withArguments(argv).withStdin(in).withStdout(out)
                .withStderr(err);
        if (mountHost != null) {
            options.withDirectory(mountGuest, mountHost);
        }
        try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options.build()).build()) {
            Instance.Builder b = Instance.builder(module).withStart(false)
                    .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build());
            if (machine != null) {
                b.withMachineFactory(machine);
            }
            b.build().export("_start").apply();
            return 0;
        } catch (WasiExitException e) {
            return e.exitCode();
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (rest.size() < 2 || !(rest.get(0).equals("compiler") || rest.get(0).equals("interp"))) {
            System.err.println("usage: ChicoryRun compiler|interp [--mount HOST:GUEST] FILE [ARGS...]");
            System.exit(64);
        }
        boolean compiled = rest.remove(0).equals("compiler");
        Path mountHost = null;
        String mountGuest = null;
        if (rest.get(0).equals("--mount")) {
            rest.remove(0);
            String m = rest.remove(0);
            mountHost = Path.of(m.substring(0, m.indexOf(':')));
            mountGuest = m.substring(m.indexOf(':') + 1);
        }
        Path file = Path.of(rest.get(0));
        ChicoryRun run = new ChicoryRun(java.nio.file.Files.readAllBytes(file), compiled);
        rest.set(0, file.getFileName().toString());
        int status = run.run(rest, mountHost, mountGuest, System.in, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }
}
