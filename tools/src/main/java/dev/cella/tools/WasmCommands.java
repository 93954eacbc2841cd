package dev.cella.tools;

import dev.cella.isa.module.Module;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.Engines;
import dev.cella.wasm.WasmImporter;
import dev.cella.tools.wast.WastReport;
import dev.cella.tools.wast.WastRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * The WebAssembly commands: {@code import} translates a Wasm module into a Cella binary, and
 * {@code wast} runs a WebAssembly script (see docs/wasm.md). {@code cella run x.wasm} needs
 * neither: it translates on the fly.
 */
final class WasmCommands {
    private WasmCommands() {}

    /** {@code cella import}: writes the Cella translation of a Wasm module. */
    @Command(name = "import", description = {
            "Translates a WebAssembly module (.wasm) into a verified Cella binary module (.cel).",
            "Malformed or invalid Wasm, and features Cella does not translate, are reported with their offset."})
    static final class Import extends ModuleCommands.ToBinary {
        @Parameters(index = "0", paramLabel = "FILE.wasm", description = "The WebAssembly module.")
        String input;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE.cel",
                description = "Where to write the binary (default: FILE with .wasm replaced by .cel).")
        String output;

        @Override
        String input() {
            return input;
        }

        @Override
        String output() {
            return output;
        }

        @Override
        String inputSuffix() {
            return ".wasm";
        }

        @Override
        Module translate(byte[] bytes) {
            if (!WasmImporter.isWasm(bytes)) {
                throw new ParameterException(spec.commandLine(), input + " is not a WebAssembly module (no \\0asm magic)");
            }
            return WasmImporter.translate(bytes);
        }
    }

    /** {@code cella wast}: runs a WebAssembly script and reports passed, failed and skipped. */
    @Command(name = "wast", description = {
            "Runs a WebAssembly script (.wast, converted with wast2json from wabt; or the .json it writes) "
                + "on a Cella engine and reports passed, failed and skipped commands per assertion kind.",
            "Exits 0 when nothing failed, 1 otherwise."})
    static final class Wast implements Callable<Integer>, Cella.FileCommand {
        private final Cella.Console console;

        @Mixin
        Cella.HelpOption helpOption;

        @Parameters(index = "0", paramLabel = "FILE", description = "The script: .wast, or wast2json's .json.")
        String input;

        @Option(names = "--engine", paramLabel = "ENGINE", converter = RunCommand.EngineConverter.class,
                description = "interp, jit or auto (default: interp).")
        EngineKind engine = EngineKind.INTERP;

        @Option(names = "--wast2json", paramLabel = "PATH", description = "The wast2json tool (default: found on PATH).")
        Path wast2json;

        Wast(Cella.Console console) {
            this.console = console;
        }

        @Override
        public String file() {
            return input;
        }

        @Override
        public Integer call() {
            EngineKind kind = engine;
            WastRunner runner = wast2json != null
                    ? new WastRunner(m -> Engines.create(m, kind), wast2json)
                    : new WastRunner(m -> Engines.create(m, kind));
            Path path = Path.of(input);
            if (!path.toFile().isFile()) {
                throw FileAccessException.input(input, "no such file", null);
            }
            WastReport report = input.endsWith(".json") ? runner.runJson(path) : runner.run(path);
            console.out().print(report.toText());
            return report.failed() == 0 ? ExitCode.OK.code : 1;
        }
    }
}
